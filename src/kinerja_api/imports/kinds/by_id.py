"""A column naming a row of the region by its id (a session, a cycle): the cell must be a UUID,
name a row of the region, and that row must be in a state the kind may change; the kind's
writes lock those rows first. The SQL is composed of the declaration's constants (hence the
S608 exemptions)."""

from dataclasses import dataclass

from kinerja_api.core.i18n import Msg
from kinerja_api.imports.kind import UUID_PATTERN, Check, Found, as_uuid, quoted
from kinerja_api.models.imports import RowProblem


@dataclass(frozen=True)
class ById:
    """The cell `column` names a row of `table` (read as `alias`) of the region; `name` says
    what the row is, in both languages (`Sesi pelatihan`, `training session`)."""

    column: str
    table: str
    alias: str
    name: Msg

    @property
    def named(self) -> str:
        """`alias` is the row the cell of the staged row `r` names (when it is a UUID)."""
        row = as_uuid(f"r.{self.column}")
        return f"{self.alias}.region_id = :region_id and {self.alias}.id = {row}"

    @property
    def join(self) -> str:
        return f"{self.table} {self.alias} on {self.named}"

    def check(self) -> Check:
        """The cell is a UUID."""
        return Check(
            self.column,
            RowProblem.INVALID,
            Msg(f"{self.column} bukan UUID.", f"The {self.column} is not a UUID."),
            f"r.{self.column} !~ {quoted(UUID_PATTERN)}",
        )

    def found(self) -> Found:
        """The UUID names a row of the region."""
        return Found(
            self.column,
            RowProblem.NOT_FOUND,
            Msg(
                f"{self.name.id} tidak ditemukan di wilayah Anda.",
                f"No {self.name.en} of your region has this id.",
            ),
            f"""select r.row_number, r.line, r.{self.column} as value from rows r
                 where r.malformed is null and {as_uuid(f"r.{self.column}")} is not null
                   and not exists (select 1 from {self.table} {self.alias}
                                    where {self.named})""",  # noqa: S608
        )

    def conflict(self, message: Msg, condition: str, field: str | None = None) -> Found:
        """The row named is in a state the kind may not change: `condition`, SQL on the row
        (`alias`) and the staged row `r`, is true. Shown on `field` (the id's column unless
        named)."""
        shown = field or self.column
        return Found(
            shown,
            RowProblem.CONFLICT,
            message,
            f"""select r.row_number, r.line, r.{shown} as value from rows r join {self.join}
                 where r.malformed is null and {condition}""",  # noqa: S608
        )

    def lock(self) -> str:
        """The rows the batch's valid rows name, FOR UPDATE in the order of their ids (as the
        kind's API locks the one it changes)."""
        return f"""
select 1 from {self.table} {self.alias}
 where {self.alias}.region_id = :region_id
   and {self.alias}.id in (select {as_uuid(f"v.{self.column}")} from valid v)
 order by {self.alias}.id
   for update
"""  # noqa: S608
