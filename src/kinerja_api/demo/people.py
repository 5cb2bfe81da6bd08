"""The demo region's agencies and employees as rows to write, computed without a database: names,
grades and NIPs drawn from a fixed random stream per region, so every run on every machine
produces the same people."""

import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from kinerja_api.demo.data import (
    FEMALE_GIVEN,
    MALE_GIVEN,
    DemoDataError,
    Post,
    RegionSpec,
    Unit,
    organisation,
)
from kinerja_api.models.org import AgencyKind, EmploymentType

# No demo appointment is later than this month, so no NIP ever names a month in the future.
LATEST_APPOINTMENT = (2024, 6)
PPPK_INTAKES = (2021, 2022, 2023, 2024)
# PPPK numbers carry this code where a PNS NIP carries the appointment month.
PPPK_MONTH_CODE = "21"
# Earliest and latest birth year that fits a grade (seniority grows with age).
_BIRTH_YEARS = {
    "IV/c": (1966, 1971),
    "IV/b": (1967, 1974),
    "IV/a": (1970, 1980),
    "III/d": (1974, 1985),
    "III/c": (1978, 1990),
    "III/b": (1984, 1994),
    "III/a": (1988, 1998),
    "II/d": (1986, 1996),
    "II/c": (1990, 1999),
}
_PPPK_BIRTH_YEARS = (1984, 1997)


@dataclass(frozen=True)
class AgencyRow:
    code: str
    name: str
    kind: AgencyKind
    parent_code: str | None
    depth: int


@dataclass(frozen=True)
class EmployeeRow:
    key: str
    agency_code: str
    supervisor_key: str | None
    depth: int
    nip: str
    employment_type: EmploymentType
    name: str
    position: str
    grade: str


@dataclass(frozen=True)
class RegionPlan:
    spec: RegionSpec
    agencies: tuple[AgencyRow, ...]
    employees: tuple[EmployeeRow, ...]


class _People:
    """Draws names, birth dates and NIPs from the region's own random stream."""

    def __init__(self, spec: RegionSpec, number: int) -> None:
        self.spec = spec
        # Deterministic demo data, not security: a fixed stream per region.
        self.rng = random.Random(f"kinerja-demo:{spec.code}")  # noqa: S311
        self.names: set[str] = set()
        # Serials are partitioned by region (100-199, 200-299, ...), so that NIPs never collide
        # across regions whatever the birth and appointment dates drawn.
        self.serials = iter(range(number * 100, number * 100 + 100))

    def name(self, sex: int, post: Post) -> str:
        rng = self.rng
        for _ in range(100):
            given = rng.choice(MALE_GIVEN if sex == 1 else FEMALE_GIVEN)
            if self.spec.family_names:
                last = rng.choice(self.spec.family_names)
            else:
                last = rng.choice(self.spec.male_second if sex == 1 else self.spec.female_second)
            base = f"{given} {last}"
            if base not in self.names:
                self.names.add(base)
                break
        else:
            raise DemoDataError(f"ran out of distinct demo names in {self.spec.code}")
        titled = f"{post.prefix} {base}" if post.prefix else base
        return f"{titled}, {post.suffix}" if post.suffix else titled

    def nip(self, post: Post, grade: str, sex: int) -> str:
        rng = self.rng
        first, last = _PPPK_BIRTH_YEARS if post.pppk else _BIRTH_YEARS[grade]
        born = date(rng.randint(first, last), rng.randint(1, 12), rng.randint(1, 28))
        try:
            serial = next(self.serials)
        except StopIteration:
            raise DemoDataError(f"more than 100 demo employees in {self.spec.code}") from None
        if post.pppk:
            return f"{born:%Y%m%d}{rng.choice(PPPK_INTAKES)}{PPPK_MONTH_CODE}{sex}{serial:03d}"
        earliest = (born.year + 18) * 12 + born.month - 1
        latest = LATEST_APPOINTMENT[0] * 12 + LATEST_APPOINTMENT[1] - 1
        drawn = (born.year + rng.randint(22, 30)) * 12 + rng.randint(0, 11)
        appointed = max(earliest, min(drawn, latest))
        return f"{born:%Y%m%d}{appointed // 12:04d}{appointed % 12 + 1:02d}{sex}{serial:03d}"

    def employee(
        self, post: Post, key: str, agency: str, supervisor: str | None, depth: int
    ) -> EmployeeRow:
        sex = post.sex or self.rng.choice((1, 2))
        grade = self.rng.choice(post.grades)
        return EmployeeRow(
            key=key,
            agency_code=agency,
            supervisor_key=supervisor,
            depth=depth,
            nip=self.nip(post, grade, sex),
            employment_type=EmploymentType.PPPK if post.pppk else EmploymentType.PNS,
            name=self.name(sex, post),
            position=post.position,
            grade=grade,
        )


def _posts(
    people: _People, post: Post, key: str, agency: str, supervisor: str | None, depth: int
) -> Iterator[EmployeeRow]:
    yield people.employee(post, key, agency, supervisor, depth)
    index = itertools.count()
    for report in post.reports:
        for _ in range(report.count):
            yield from _posts(people, report, f"{key}/{next(index)}", agency, key, depth + 1)


def _units(
    people: _People, unit: Unit, parent: Unit | None, boss: str | None, depth: int
) -> Iterator[AgencyRow | EmployeeRow]:
    """`depth` is the agency's in the agency tree and its head's in the supervisor chain."""
    yield AgencyRow(unit.code, unit.name, unit.kind, parent.code if parent else None, depth)
    head = f"{unit.code}/head"
    yield from _posts(people, unit.head, head, unit.code, boss, depth)
    for child in unit.children:
        yield from _units(people, child, unit, head, depth + 1)


def plan_region(spec: RegionSpec, number: int) -> RegionPlan:
    """The region's agencies and employees, each list ordered so that parents and supervisors
    come before the rows that point at them; `number` (1-based) partitions NIP serials."""
    people = _People(spec, number)
    rows = list(_units(people, organisation(spec), None, None, 0))
    agencies = [row for row in rows if isinstance(row, AgencyRow)]
    employees = [row for row in rows if isinstance(row, EmployeeRow)]
    return RegionPlan(
        spec=spec,
        agencies=tuple(sorted(agencies, key=lambda row: row.depth)),
        employees=tuple(sorted(employees, key=lambda row: row.depth)),
    )
