"""Dates and instants in the cells of national exports, as SQL over a cell: day first
(`dd-mm-yyyy`, as SIASN and LAPOR! write them; `/` also between the parts) or ISO 8601
(`yyyy-mm-dd`). Each expression is NULL for an empty cell and for one that is no such date
(31-02-2024, 2024-13-01), never an error: a check tells them apart with `is null`."""

DAY_FIRST = r"([0-9]{2})[-/]([0-9]{2})[-/]([0-9]{4})"
_DATE = r"[0-9]{2}[-/][0-9]{2}[-/][0-9]{4}|[0-9]{4}-[0-9]{2}-[0-9]{2}"
_TIME = r"(?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9])?"
_OFFSET = r"Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9]"
# A capturing group before the offset: `(?:Z` would read as the SQL parameter `:Z`.
_INSTANT = rf"^(?:{_DATE})(?:[ T]{_TIME}({_OFFSET})?)?$"


def date_sql(cell: str) -> str:
    """The date `cell` names (day first or ISO), NULL when it names none."""
    iso = f"regexp_replace({cell}, '^{DAY_FIRST}$', '\\3-\\2-\\1')"
    # Nested CASEs: the cast runs only once the shape and the day of the month are known good.
    return f"""(case when {iso} ~ '^(19|20)[0-9]{{2}}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$'
      then case when substr({iso}, 9, 2)::int <= extract(day from
                     (left({iso}, 8) || '01')::date + interval '1 month - 1 day')
           then ({iso})::date end end)"""


def instant_sql(cell: str, zone: str) -> str:
    """The instant `cell` names: a date (its midnight), or a date and a time (`HH:MM` or
    `HH:MM:SS`, after a space or `T`), in the time zone `zone` (SQL of an IANA name) unless an
    offset follows the time (`Z`, `+07:00`). NULL when it names none."""
    day = date_sql(f"substring({cell} from '^({_DATE})')")
    time = f"substring({cell} from '^(?:{_DATE})[ T]({_TIME})')"
    offset = f"substring({cell} from '({_OFFSET})$')"
    local = f"({day} + coalesce(({time})::time, time '00:00'))"
    return f"""(case when {cell} ~ '{_INSTANT}' then
        case when {offset} is null then {local} at time zone {zone}
             else {local} at time zone (case when {offset} = 'Z' then interval '0'
                                             else ({offset})::interval end) end end)"""
