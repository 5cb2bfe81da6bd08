"""How the kinds read a cell, as SQL over it: whole numbers, decimals, years, calendar days
(ISO `yyyy-mm-dd`, or day first `dd-mm-yyyy` as SIASN and LAPOR! write them, `/` also between
the parts), instants, and a cell's word among allowed ones. Each expression is NULL for an
empty cell and for one that says no such value (31-02-2024, 2024-13-01, 1e3), never a cast
error: the statements may read a row before its problems rule it out, and a check tells bad
cells apart with `is null`. Every cast is guarded by the cell's pattern."""

from collections.abc import Iterable

from kinerja_api.imports.kind import quoted

_DAY_FIRST = r"([0-9]{2})[-/]([0-9]{2})[-/]([0-9]{4})"
ISO_DAY = "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
_NATIONAL_DAY = "^(19|20)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
_DATE = r"[0-9]{2}[-/][0-9]{2}[-/][0-9]{4}|[0-9]{4}-[0-9]{2}-[0-9]{2}"
_TIME = r"(?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9])?"
_OFFSET = r"Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9]"
# A capturing group before the offset: `(?:Z` would read as the SQL parameter `:Z`.
_INSTANT = rf"^(?:{_DATE})(?:[ T]{_TIME}({_OFFSET})?)?$"
_YEAR = "^[0-9]{4}$"


def whole(cell: str, digits: int, maximum: int | None = None) -> str:
    """A whole number of 1 to `digits` digits (at most `maximum`)."""
    bound = "" if maximum is None else f" and {cell}::int <= {maximum}"
    return f"(case when {cell} ~ '^[0-9]{{1,{digits}}}$'{bound} then {cell}::int end)"


def year(cell: str) -> str:
    """A year, written with its four digits."""
    return f"(case when {cell} ~ '{_YEAR}' then {cell}::int end)"


def decimal(cell: str, digits: int, places: int) -> str:
    """An exact decimal of at most `digits` digits before the point and `places` after; a comma
    is read as the decimal point (as Indonesian spreadsheets write it)."""
    pattern = f"^[0-9]{{1,{digits}}}([.,][0-9]{{1,{places}}})?$"
    return (
        f"(case when {cell} ~ '{pattern}'"
        f" then replace({cell}, ',', '.')::numeric({digits + places}, {places}) end)"
    )


def _calendar_day(iso: str, shape: str) -> str:
    """`iso` (text of the shape `shape`, `yyyy-mm-dd`) as a date when the month has that day.
    Nested CASEs: the cast runs only once the shape and the day of the month are known good."""
    return f"""(case when {iso} ~ '{shape}'
      then case when substr({iso}, 9, 2)::int <= extract(day from
                     (left({iso}, 8) || '01')::date + interval '1 month - 1 day')
           then ({iso})::date end end)"""


def day(cell: str) -> str:
    """A day written `yyyy-mm-dd` (a 30 February is none, nor a day of the year 0)."""
    return f"(case when left({cell}, 4) <> '0000' then {_calendar_day(cell, ISO_DAY)} end)"


def date_sql(cell: str) -> str:
    """The date a national export's `cell` names, day first or ISO, in 1900-2099."""
    iso = f"regexp_replace({cell}, '^{_DAY_FIRST}$', '\\3-\\2-\\1')"
    return _calendar_day(iso, _NATIONAL_DAY)


def instant_sql(cell: str, zone: str) -> str:
    """The instant `cell` names: a date (its midnight), or a date and a time (`HH:MM` or
    `HH:MM:SS`, after a space or `T`), in the time zone `zone` (SQL of an IANA name) unless an
    offset follows the time (`Z`, `+07:00`). NULL when it names none."""
    date = date_sql(f"substring({cell} from '^({_DATE})')")
    time = f"substring({cell} from '^(?:{_DATE})[ T]({_TIME})')"
    offset = f"substring({cell} from '({_OFFSET})$')"
    local = f"({date} + coalesce(({time})::time, time '00:00'))"
    return f"""(case when {cell} ~ '{_INSTANT}' then
        case when {offset} is null then {local} at time zone {zone}
             else {local} at time zone (case when {offset} = 'Z' then interval '0'
                                             else ({offset})::interval end) end end)"""


def one_of(cell: str, values: Iterable[str]) -> str:
    """`cell` (case-insensitively) is not one of `values` (an enum's, say)."""
    allowed = ", ".join(quoted(str(value)) for value in values)
    return f"lower({cell}) not in ({allowed})"
