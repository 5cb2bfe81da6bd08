"""Demo data for the four pilot regions, and the first administrator of a fresh installation.

Seeding is idempotent: every row is found by its natural key (region code, agency code within
its region, NIP, e-mail, client id) and inserted only when missing, so a second run creates and
changes nothing. The caller owns the transaction; the CLI commits once at the end.
"""

import functools
import itertools
import random
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from pydantic import EmailStr, TypeAdapter, ValidationError
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.audit.service import record, snapshot
from kinerja_api.auth.passwords import hash_secret
from kinerja_api.auth.tenancy import enter_all_regions
from kinerja_api.core import clock
from kinerja_api.feedback.demo import seed_feedback
from kinerja_api.models.org import (
    Agency,
    AgencyKind,
    Employee,
    EmploymentType,
    Region,
    RegionKind,
    Role,
    ServiceAccount,
    User,
)
from kinerja_api.models.plans import (
    Aggregation,
    Aspect,
    CascadeMode,
    Indicator,
    Period,
    Plan,
    PlanRevision,
    PlanStatus,
    Target,
    TargetKind,
)
from kinerja_api.plans.revisions import plan_snapshot

DEMO_PASSWORD = "demo-kinerja-2026"  # noqa: S105 - published in the README on purpose
DEMO_DOMAIN = "demo.kinerja.id"
DEMO_SCOPES = ("org:read",)
MIN_PASSWORD_LENGTH = 12
# No demo appointment is later than this month, so no NIP ever names a month in the future.
LATEST_APPOINTMENT = (2024, 6)
PPPK_INTAKES = (2021, 2022, 2023, 2024)
# PPPK numbers carry this code where a PNS NIP carries the appointment month.
PPPK_MONTH_CODE = "21"

REGION_FIELDS = ("code", "name", "kind", "timezone", "active")
AGENCY_FIELDS = ("code", "name", "kind", "parent_id", "path", "active")
EMPLOYEE_FIELDS = (
    "nip",
    "employment_type",
    "name",
    "position",
    "grade",
    "agency_id",
    "supervisor_id",
    "active",
)
USER_FIELDS = ("region_id", "email", "full_name", "roles", "employee_id", "agency_id", "active")
SERVICE_ACCOUNT_FIELDS = ("name", "client_id", "scopes", "active")
PERIOD_FIELDS = ("year", "status")
PLAN_FIELDS = ("period_id", "employee_id", "agency_id", "approver_id", "status", "revision")
# The demo's current performance year, open in every region.
DEMO_YEAR = 2026
# Every leaf employee's main indicator; each supervisor's is the sum of their reports' shares.
LEAF_OUTPUT = Decimal(12)

_EMAIL = TypeAdapter(EmailStr)


class SeedError(Exception):
    """The data cannot be written as asked; the message is meant for the operator."""


class AdminRole(StrEnum):
    SUPERADMIN = "superadmin"
    REGION_ADMIN = "region_admin"


# --- the organisation every demo region gets ------------------------------------------------


@dataclass(frozen=True)
class Post:
    """A position held by `count` people, with the posts reporting to each of them."""

    position: str
    grades: tuple[str, ...]
    pppk: bool = False
    count: int = 1
    prefix: str = ""
    suffix: str = ""
    sex: int | None = None
    reports: tuple["Post", ...] = ()


@dataclass(frozen=True)
class Unit:
    """An agency; its head reports to the head of the parent unit."""

    code: str
    name: str
    kind: AgencyKind
    head: Post
    children: tuple["Unit", ...] = ()


TOP = ("IV/c",)
HEAD = ("IV/b", "IV/c")
MIDDLE = ("IV/a", "III/d")
SENIOR = ("III/c", "III/d")
# Ahli Pertama (first-level functional) posts; Ahli Muda ones take SENIOR.
FIRST = ("III/a", "III/b")
JUNIOR = ("II/c", "II/d", "III/a")
PPPK_EXPERT = ("IX",)
PPPK_SKILLED = ("VII",)

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
class LocalOffice:
    """The region's field office: a kecamatan, or a kelurahan where the region is a kecamatan."""

    code: str
    name: str
    kind: AgencyKind
    head: str
    secretary: str


@dataclass(frozen=True)
class RegionSpec:
    code: str
    name: str
    kind: RegionKind
    timezone: str
    office: LocalOffice
    puskesmas: str
    # Family names where the local custom has them (Batak, Gorontalo); else second given names.
    family_names: tuple[str, ...] = ()
    male_second: tuple[str, ...] = ()
    female_second: tuple[str, ...] = ()


MALE_GIVEN = (
    "Ahmad", "Budi", "Dedi", "Eko", "Fajar", "Hendra", "Irfan", "Joko", "Rudi", "Agus",
    "Bambang", "Hadi", "Yusuf", "Rizky", "Arif", "Taufik", "Andi", "Wahyu", "Teguh", "Hasan",
    "Ridwan", "Iwan", "Fikri", "Imam", "Muhammad", "Rahmat", "Doni", "Yudi", "Hamzah", "Syaiful",
)  # fmt: skip
FEMALE_GIVEN = (
    "Siti", "Sri", "Dewi", "Rina", "Nur", "Indah", "Fitri", "Wulan", "Yuni", "Ratna",
    "Endang", "Mega", "Novita", "Desi", "Putri", "Ayu", "Eka", "Dian", "Maya", "Rini",
    "Yanti", "Fatimah", "Aisyah", "Hartati", "Lina", "Nurul", "Sari", "Tuti", "Rosita", "Mariani",
)  # fmt: skip
JAVANESE_MALE = (
    "Santoso", "Prasetyo", "Wibowo", "Nugroho", "Setiawan", "Kurniawan", "Hartono",
    "Sutrisno", "Susilo", "Purnomo", "Haryanto", "Wicaksono",
)  # fmt: skip
JAVANESE_FEMALE = (
    "Wahyuni", "Rahayu", "Handayani", "Lestari", "Susilowati", "Kusumawati", "Purwanti",
    "Utami", "Rahmawati", "Sulistyowati", "Wulandari", "Pratiwi",
)  # fmt: skip
MALAY_MALE = (
    "Syahputra", "Effendi", "Hamdani", "Zulkarnain", "Marzuki", "Yusran", "Rahman",
    "Hidayat", "Firdaus", "Saputra", "Azhari", "Ismail",
)  # fmt: skip
MALAY_FEMALE = (
    "Marlina", "Yusnidar", "Hasanah", "Nurhayati", "Rosmawati", "Safitri", "Zuraida",
    "Yulianti", "Fitriani", "Rahmadani", "Herlina", "Nofriyanti",
)  # fmt: skip
BATAK_FAMILIES = (
    "Siregar", "Nasution", "Lubis", "Harahap", "Hasibuan", "Sitompul", "Simanjuntak",
    "Ginting", "Tarigan", "Sembiring", "Pohan", "Batubara", "Daulay", "Pane",
)  # fmt: skip
GORONTALO_FAMILIES = (
    "Pakaya", "Bumulo", "Mooduto", "Hulopi", "Gobel", "Daud", "Lamato", "Olii", "Dunda",
    "Katili", "Mohi", "Tilome", "Akuba", "Habibie",
)  # fmt: skip

REGIONS: tuple[RegionSpec, ...] = (
    RegionSpec(
        code="bungo",
        name="Kabupaten Bungo",
        kind=RegionKind.KABUPATEN,
        timezone="Asia/Jakarta",
        office=LocalOffice(
            "kec-pasar-muara-bungo",
            "Kecamatan Pasar Muara Bungo",
            AgencyKind.KECAMATAN,
            "Camat Pasar Muara Bungo",
            "Sekretaris Kecamatan",
        ),
        puskesmas="UPTD Puskesmas Muara Bungo I",
        male_second=MALAY_MALE,
        female_second=MALAY_FEMALE,
    ),
    RegionSpec(
        code="medan-marelan",
        name="Kecamatan Medan Marelan",
        kind=RegionKind.KECAMATAN,
        timezone="Asia/Jakarta",
        office=LocalOffice(
            "kel-rengas-pulau",
            "Kelurahan Rengas Pulau",
            AgencyKind.KELURAHAN,
            "Lurah Rengas Pulau",
            "Sekretaris Kelurahan",
        ),
        puskesmas="UPTD Puskesmas Terjun",
        family_names=BATAK_FAMILIES,
    ),
    RegionSpec(
        code="surabaya",
        name="Kota Surabaya",
        kind=RegionKind.KOTA,
        timezone="Asia/Jakarta",
        office=LocalOffice(
            "kec-genteng",
            "Kecamatan Genteng",
            AgencyKind.KECAMATAN,
            "Camat Genteng",
            "Sekretaris Kecamatan",
        ),
        puskesmas="UPTD Puskesmas Ketabang",
        male_second=JAVANESE_MALE,
        female_second=JAVANESE_FEMALE,
    ),
    RegionSpec(
        code="gorontalo",
        name="Kota Gorontalo",
        kind=RegionKind.KOTA,
        timezone="Asia/Makassar",
        office=LocalOffice(
            "kec-kota-tengah",
            "Kecamatan Kota Tengah",
            AgencyKind.KECAMATAN,
            "Camat Kota Tengah",
            "Sekretaris Kecamatan",
        ),
        puskesmas="UPTD Puskesmas Limba B",
        family_names=GORONTALO_FAMILIES,
    ),
)


def _secretary(title: str, *staff: Post) -> Post:
    return Post(title, MIDDLE, suffix="S.Sos., M.M.", reports=staff)


def organisation(spec: RegionSpec) -> Unit:
    """The agency tree and its posts: Sekretariat Daerah at the root, dinas, bidang below."""
    office = spec.office
    return Unit(
        "setda",
        "Sekretariat Daerah",
        AgencyKind.SEKRETARIAT,
        Post(
            "Sekretaris Daerah",
            TOP,
            suffix="M.Si.",
            reports=(
                Post(
                    "Kepala Bagian Umum",
                    MIDDLE,
                    suffix="S.E., M.M.",
                    reports=(
                        Post("Analis Kebijakan Ahli Pertama", FIRST, suffix="S.IP."),
                        Post("Pengadministrasi Perkantoran", JUNIOR),
                    ),
                ),
            ),
        ),
        children=(
            Unit(
                "disdik",
                "Dinas Pendidikan",
                AgencyKind.DINAS,
                Post(
                    "Kepala Dinas Pendidikan",
                    HEAD,
                    suffix="M.Pd.",
                    reports=(
                        _secretary(
                            "Sekretaris Dinas Pendidikan",
                            Post("Analis Perencanaan Ahli Pertama", FIRST, suffix="S.E."),
                            Post("Pengelola Keuangan", JUNIOR),
                        ),
                    ),
                ),
                children=(
                    Unit(
                        "disdik-sd",
                        "Bidang Pembinaan Sekolah Dasar",
                        AgencyKind.BIDANG,
                        Post(
                            "Kepala Bidang Pembinaan Sekolah Dasar",
                            MIDDLE,
                            suffix="S.Pd., M.Pd.",
                            reports=(
                                Post("Guru Ahli Muda", SENIOR, count=2, suffix="S.Pd."),
                                Post(
                                    "Guru Ahli Pertama",
                                    PPPK_EXPERT,
                                    pppk=True,
                                    count=2,
                                    suffix="S.Pd.",
                                ),
                                Post("Analis Kurikulum Ahli Pertama", FIRST, suffix="S.Pd."),
                            ),
                        ),
                    ),
                    Unit(
                        "disdik-smp",
                        "Bidang Pembinaan Sekolah Menengah Pertama",
                        AgencyKind.BIDANG,
                        Post(
                            "Kepala Bidang Pembinaan Sekolah Menengah Pertama",
                            MIDDLE,
                            suffix="S.Pd., M.Pd.",
                            reports=(
                                Post("Guru Ahli Muda", SENIOR, suffix="S.Pd."),
                                Post(
                                    "Guru Ahli Pertama",
                                    PPPK_EXPERT,
                                    pppk=True,
                                    count=2,
                                    suffix="S.Pd.",
                                ),
                                Post("Pengawas Sekolah Ahli Muda", SENIOR, suffix="M.Pd."),
                            ),
                        ),
                    ),
                ),
            ),
            Unit(
                "dinkes",
                "Dinas Kesehatan",
                AgencyKind.DINAS,
                Post(
                    "Kepala Dinas Kesehatan",
                    HEAD,
                    prefix="dr.",
                    suffix="M.Kes.",
                    reports=(
                        _secretary(
                            "Sekretaris Dinas Kesehatan",
                            Post("Pengelola Keuangan", JUNIOR),
                            Post("Pranata Komputer Ahli Pertama", FIRST, suffix="S.Kom."),
                        ),
                    ),
                ),
                children=(
                    Unit(
                        "dinkes-yankes",
                        "Bidang Pelayanan Kesehatan",
                        AgencyKind.BIDANG,
                        Post(
                            "Kepala Bidang Pelayanan Kesehatan",
                            MIDDLE,
                            prefix="dr.",
                            reports=(
                                Post(
                                    "Administrator Kesehatan Ahli Pertama",
                                    FIRST,
                                    count=2,
                                    suffix="S.KM.",
                                ),
                            ),
                        ),
                    ),
                    Unit(
                        "dinkes-p2p",
                        "Bidang Pencegahan dan Pengendalian Penyakit",
                        AgencyKind.BIDANG,
                        Post(
                            "Kepala Bidang Pencegahan dan Pengendalian Penyakit",
                            MIDDLE,
                            suffix="S.KM., M.Kes.",
                            reports=(
                                Post(
                                    "Epidemiolog Kesehatan Ahli Pertama",
                                    FIRST,
                                    count=2,
                                    suffix="S.KM.",
                                ),
                            ),
                        ),
                    ),
                    Unit(
                        "dinkes-puskesmas",
                        spec.puskesmas,
                        AgencyKind.UPTD,
                        Post(
                            "Kepala UPTD Puskesmas",
                            SENIOR,
                            prefix="dr.",
                            reports=(
                                Post("Perawat Ahli Pertama", FIRST, suffix="S.Kep., Ns."),
                                Post(
                                    "Perawat Terampil",
                                    PPPK_SKILLED,
                                    pppk=True,
                                    count=2,
                                    suffix="A.Md.Kep.",
                                ),
                                Post("Bidan Terampil", JUNIOR, suffix="A.Md.Keb.", sex=2),
                            ),
                        ),
                    ),
                ),
            ),
            Unit(
                "dlh",
                "Dinas Lingkungan Hidup",
                AgencyKind.DINAS,
                Post(
                    "Kepala Dinas Lingkungan Hidup",
                    HEAD,
                    suffix="S.T., M.Si.",
                    reports=(
                        _secretary(
                            "Sekretaris Dinas Lingkungan Hidup",
                            Post("Pengadministrasi Perkantoran", JUNIOR),
                        ),
                    ),
                ),
                children=(
                    Unit(
                        "dlh-sampah",
                        "Bidang Pengelolaan Sampah dan Limbah B3",
                        AgencyKind.BIDANG,
                        Post(
                            "Kepala Bidang Pengelolaan Sampah dan Limbah B3",
                            MIDDLE,
                            suffix="S.T., M.T.",
                            reports=(
                                Post(
                                    "Pengendali Dampak Lingkungan Ahli Pertama",
                                    FIRST,
                                    suffix="S.T.",
                                ),
                                Post(
                                    "Pengawas Lingkungan Hidup Ahli Pertama", FIRST, suffix="S.Si."
                                ),
                            ),
                        ),
                    ),
                ),
            ),
            Unit(
                "pupr",
                "Dinas Pekerjaan Umum dan Penataan Ruang",
                AgencyKind.DINAS,
                Post(
                    "Kepala Dinas Pekerjaan Umum dan Penataan Ruang",
                    HEAD,
                    prefix="Ir.",
                    suffix="M.T.",
                    reports=(
                        _secretary(
                            "Sekretaris Dinas Pekerjaan Umum dan Penataan Ruang",
                            Post("Analis Perencanaan Ahli Pertama", FIRST, suffix="S.E."),
                        ),
                    ),
                ),
                children=(
                    Unit(
                        "pupr-bina-marga",
                        "Bidang Bina Marga",
                        AgencyKind.BIDANG,
                        Post(
                            "Kepala Bidang Bina Marga",
                            MIDDLE,
                            suffix="S.T., M.T.",
                            reports=(
                                Post(
                                    "Teknik Jalan dan Jembatan Ahli Pertama",
                                    FIRST,
                                    count=2,
                                    suffix="S.T.",
                                ),
                            ),
                        ),
                    ),
                    Unit(
                        "pupr-sda",
                        "Bidang Sumber Daya Air",
                        AgencyKind.BIDANG,
                        Post(
                            "Kepala Bidang Sumber Daya Air",
                            MIDDLE,
                            suffix="S.T., M.T.",
                            reports=(
                                Post("Teknik Pengairan Ahli Pertama", FIRST, suffix="S.T."),
                                Post("Pengawas Bangunan Pengairan", JUNIOR),
                            ),
                        ),
                    ),
                ),
            ),
            Unit(
                office.code,
                office.name,
                office.kind,
                Post(
                    office.head,
                    MIDDLE,
                    suffix="S.STP., M.Si.",
                    reports=(
                        Post(
                            office.secretary,
                            SENIOR,
                            suffix="S.Sos.",
                            reports=(
                                Post("Pengadministrasi Umum", JUNIOR),
                                Post("Pranata Komputer Terampil", PPPK_SKILLED, pppk=True),
                            ),
                        ),
                    ),
                ),
            ),
            Unit(
                "bkpsdm",
                "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia (BKPSDM)",
                AgencyKind.BADAN,
                Post(
                    "Kepala Badan Kepegawaian dan Pengembangan Sumber Daya Manusia",
                    HEAD,
                    suffix="S.Sos., M.Si.",
                    reports=(
                        _secretary(
                            "Sekretaris BKPSDM",
                            Post("Pranata Komputer Ahli Pertama", FIRST, suffix="S.Kom."),
                        ),
                    ),
                ),
                children=(
                    Unit(
                        "bkpsdm-bangkom",
                        "Bidang Pengembangan Kompetensi Aparatur",
                        AgencyKind.BIDANG,
                        Post(
                            "Kepala Bidang Pengembangan Kompetensi Aparatur",
                            MIDDLE,
                            suffix="S.Psi., M.Si.",
                            reports=(
                                Post(
                                    "Analis SDM Aparatur Ahli Pertama",
                                    FIRST,
                                    count=2,
                                    suffix="S.Psi.",
                                ),
                                Post(
                                    "Pranata Komputer Ahli Pertama",
                                    PPPK_EXPERT,
                                    pppk=True,
                                    suffix="S.Kom.",
                                ),
                            ),
                        ),
                    ),
                ),
            ),
        ),
    )


# Who the demo logins are: the supervisor login heads a bidang, the employee login reports to it.
AGENCY_ADMIN_AGENCY = "disdik"
SUPERVISOR_KEY = "disdik-sd/head"
EMPLOYEE_KEY = "disdik-sd/head/0"


# --- the plan: rows to write, computed without a database -----------------------------------


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
            raise SeedError(f"ran out of distinct demo names in {self.spec.code}")
        titled = f"{post.prefix} {base}" if post.prefix else base
        return f"{titled}, {post.suffix}" if post.suffix else titled

    def nip(self, post: Post, grade: str, sex: int) -> str:
        rng = self.rng
        first, last = _PPPK_BIRTH_YEARS if post.pppk else _BIRTH_YEARS[grade]
        born = date(rng.randint(first, last), rng.randint(1, 12), rng.randint(1, 28))
        try:
            serial = next(self.serials)
        except StopIteration:
            raise SeedError(f"more than 100 demo employees in {self.spec.code}") from None
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


# --- the demo logins ------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoLogin:
    email: str
    full_name: str
    role: Role
    region: str | None
    agency_code: str | None = None
    employee_key: str | None = None

    @property
    def label(self) -> str:
        """The role as a person thinks of it (a supervisor is an employee with subordinates)."""
        return "employee (supervisor)" if self.employee_key == SUPERVISOR_KEY else self.role.value


@dataclass(frozen=True)
class DemoClient:
    region: str
    name: str
    client_id: str
    secret: str
    scopes: tuple[str, ...] = DEMO_SCOPES


SUPERADMIN_EMAIL = f"superadmin@{DEMO_DOMAIN}"


def region_logins(spec: RegionSpec) -> tuple[DemoLogin, ...]:
    domain = f"{spec.code}.{DEMO_DOMAIN}"
    return (
        DemoLogin(f"admin@{domain}", f"Admin BKPSDM {spec.name}", Role.REGION_ADMIN, spec.code),
        DemoLogin(
            f"agency-admin@{domain}",
            f"Admin Dinas Pendidikan {spec.name}",
            Role.AGENCY_ADMIN,
            spec.code,
            agency_code=AGENCY_ADMIN_AGENCY,
        ),
        DemoLogin(
            f"supervisor@{domain}", "", Role.EMPLOYEE, spec.code, employee_key=SUPERVISOR_KEY
        ),
        DemoLogin(f"employee@{domain}", "", Role.EMPLOYEE, spec.code, employee_key=EMPLOYEE_KEY),
        DemoLogin(
            f"training@{domain}", f"Admin Pelatihan {spec.name}", Role.TRAINING_ADMIN, spec.code
        ),
        DemoLogin(
            f"complaints@{domain}",
            f"Petugas Pengaduan {spec.name}",
            Role.COMPLAINT_OFFICER,
            spec.code,
        ),
        DemoLogin(f"auditor@{domain}", f"Auditor Inspektorat {spec.name}", Role.AUDITOR, spec.code),
    )


def demo_logins() -> tuple[DemoLogin, ...]:
    superadmin = DemoLogin(SUPERADMIN_EMAIL, "Superadmin Kinerja", Role.SUPERADMIN, None)
    return (superadmin, *(login for spec in REGIONS for login in region_logins(spec)))


def demo_clients() -> tuple[DemoClient, ...]:
    return tuple(
        DemoClient(
            region=spec.code,
            name=f"Integrasi Demo {spec.name}",
            client_id=f"demo-{spec.code}",
            secret=f"demo-{spec.code}-secret-change-me",
        )
        for spec in REGIONS
    )


# --- writing it -----------------------------------------------------------------------------


@dataclass
class SeedReport:
    """How many rows of each kind this run created (all zero when the demo data was complete)."""

    created: Counter[str] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.created.values())


@functools.cache
def _demo_hash(secret: str) -> str:
    """Argon2 is slow by design: each published demo secret is hashed once per process, and
    only when a row needs it."""
    return hash_secret(secret)


async def _insert_missing(
    session: AsyncSession, model: Any, rows: Sequence[dict[str, Any]]
) -> list[Any]:
    """Insert the rows whose unique keys are free; the inserted ones come back."""
    if not rows:
        return []
    statement = insert(model).on_conflict_do_nothing().returning(model)
    return list((await session.scalars(statement, list(rows))).all())


async def _audit_created(
    session: AsyncSession, entity_type: str, rows: Iterable[Any], fields: Sequence[str]
) -> None:
    for row in rows:
        await record(
            session,
            None,
            f"{entity_type}.created",
            entity_type=entity_type,
            entity_id=row.id,
            region_id=row.id if entity_type == "region" else row.region_id,
            after=snapshot(row, fields),
        )


async def _create(
    session: AsyncSession,
    report: SeedReport,
    model: Any,
    entity_type: str,
    fields: Sequence[str],
    rows: Sequence[dict[str, Any]],
) -> None:
    created = await _insert_missing(session, model, rows)
    report.created[entity_type] += len(created)
    await _audit_created(session, entity_type, created, fields)


async def _ensure_region(session: AsyncSession, spec: RegionSpec, report: SeedReport) -> uuid.UUID:
    row = {
        "code": spec.code,
        "name": spec.name,
        "kind": spec.kind.value,
        "timezone": spec.timezone,
    }
    await _create(session, report, Region, "region", REGION_FIELDS, [row])
    region_id = await session.scalar(select(Region.id).where(Region.code == spec.code))
    assert region_id is not None  # inserted just now, or already there
    return region_id


async def _ensure_agencies(
    session: AsyncSession, region_id: uuid.UUID, plan: RegionPlan, report: SeedReport
) -> dict[str, tuple[uuid.UUID, str]]:
    """Agency code → (id, path), parents written before their children."""
    known: dict[str, tuple[uuid.UUID, str]] = {}
    for _, level in itertools.groupby(plan.agencies, key=lambda a: a.depth):
        rows = []
        for agency in level:
            agency_id = uuid.uuid4()
            parent = known[agency.parent_code] if agency.parent_code else None
            rows.append(
                {
                    "id": agency_id,
                    "region_id": region_id,
                    "parent_id": parent[0] if parent else None,
                    "code": agency.code,
                    "name": agency.name,
                    "kind": agency.kind.value,
                    "path": f"{parent[1] if parent else '/'}{agency_id}/",
                }
            )
        await _create(session, report, Agency, "agency", AGENCY_FIELDS, rows)
        found = await session.execute(
            select(Agency.code, Agency.id, Agency.path).where(
                Agency.region_id == region_id, Agency.code.in_([row["code"] for row in rows])
            )
        )
        known.update({code: (agency_id, path) for code, agency_id, path in found})
    return known


async def _ensure_employees(
    session: AsyncSession,
    region_id: uuid.UUID,
    agencies: dict[str, tuple[uuid.UUID, str]],
    plan: RegionPlan,
    report: SeedReport,
) -> dict[str, uuid.UUID]:
    """Employee key → id, supervisors written before their reports."""
    known: dict[str, uuid.UUID] = {}
    for _, level in itertools.groupby(plan.employees, key=lambda e: e.depth):
        batch = list(level)
        rows = [
            {
                "region_id": region_id,
                "agency_id": agencies[employee.agency_code][0],
                "supervisor_id": known[employee.supervisor_key]
                if employee.supervisor_key
                else None,
                "nip": employee.nip,
                "employment_type": employee.employment_type.value,
                "name": employee.name,
                "position": employee.position,
                "grade": employee.grade,
            }
            for employee in batch
        ]
        await _create(session, report, Employee, "employee", EMPLOYEE_FIELDS, rows)
        found = await session.execute(
            select(Employee.nip, Employee.id, Employee.region_id).where(
                Employee.nip.in_([employee.nip for employee in batch])
            )
        )
        by_nip = {nip: (employee_id, owner) for nip, employee_id, owner in found}
        for employee in batch:
            employee_id, owner = by_nip[employee.nip]
            if owner != region_id:
                raise SeedError(f"NIP {employee.nip} already belongs to another region")
            known[employee.key] = employee_id
    return known


async def _ensure_users(
    session: AsyncSession, report: SeedReport, rows: list[dict[str, Any]]
) -> None:
    wanted = [row["email"].lower() for row in rows]
    existing = set(
        await session.scalars(
            select(func.lower(User.email)).where(func.lower(User.email).in_(wanted))
        )
    )
    missing = [row for row in rows if row["email"].lower() not in existing]
    for row in missing:
        row["password_hash"] = _demo_hash(DEMO_PASSWORD)
    await _create(session, report, User, "user", USER_FIELDS, missing)


def _user_row(
    login: DemoLogin,
    region_id: uuid.UUID | None,
    agencies: dict[str, tuple[uuid.UUID, str]],
    employees: dict[str, uuid.UUID],
    names: dict[str, str],
) -> dict[str, Any]:
    return {
        "region_id": region_id,
        "email": login.email,
        "full_name": names[login.employee_key] if login.employee_key else login.full_name,
        "roles": [login.role.value],
        "employee_id": employees[login.employee_key] if login.employee_key else None,
        "agency_id": agencies[login.agency_code][0] if login.agency_code else None,
    }


async def _ensure_service_account(
    session: AsyncSession,
    report: SeedReport,
    region_id: uuid.UUID,
    client: DemoClient,
) -> None:
    exists = await session.scalar(
        select(ServiceAccount.id).where(ServiceAccount.client_id == client.client_id)
    )
    if exists is not None:
        return
    row = {
        "region_id": region_id,
        "name": client.name,
        "client_id": client.client_id,
        "secret_hash": _demo_hash(client.secret),
        "scopes": list(client.scopes),
    }
    await _create(session, report, ServiceAccount, "service_account", SERVICE_ACCOUNT_FIELDS, [row])


# --- the demo performance plans -------------------------------------------------------------


def _plan_statuses(plan: RegionPlan) -> dict[str, PlanStatus]:
    """Agency heads' plans are approved, so their staff can cascade from them; the rest are a
    mix (half approved, some submitted, some drafts). The employee login's plan awaits the
    supervisor login's approval."""
    rng = random.Random(f"kinerja-demo-plans:{plan.spec.code}")  # noqa: S311 - demo data
    statuses: dict[str, PlanStatus] = {}
    for employee in plan.employees:
        draw = rng.random()
        if employee.key.endswith("/head") or employee.supervisor_key is None:
            statuses[employee.key] = PlanStatus.APPROVED
        elif employee.key == EMPLOYEE_KEY:
            statuses[employee.key] = PlanStatus.SUBMITTED
        else:
            statuses[employee.key] = (
                PlanStatus.APPROVED
                if draw < 0.5
                else PlanStatus.SUBMITTED
                if draw < 0.8
                else PlanStatus.DRAFT
            )
    return statuses


def _outputs(plan: RegionPlan) -> dict[str, Decimal]:
    """Main indicator per employee: leaves produce LEAF_OUTPUT, supervisors the sum of their
    reports', so every direct cascade in the demo is aligned."""
    outputs: dict[str, Decimal] = {}
    for employee in reversed(plan.employees):
        outputs.setdefault(employee.key, LEAF_OUTPUT)
        if employee.supervisor_key is not None:
            below = outputs.get(employee.supervisor_key, Decimal(0))
            outputs[employee.supervisor_key] = below + outputs[employee.key]
    return outputs


async def _ensure_period(
    session: AsyncSession, region_id: uuid.UUID, report: SeedReport
) -> uuid.UUID:
    row = {"region_id": region_id, "year": DEMO_YEAR}
    await _create(session, report, Period, "period", PERIOD_FIELDS, [row])
    period_id = await session.scalar(
        select(Period.id).where(Period.region_id == region_id, Period.year == DEMO_YEAR)
    )
    assert period_id is not None
    return period_id


def _plan_rows(
    region_id: uuid.UUID,
    period_id: uuid.UUID,
    plan: RegionPlan,
    agencies: dict[str, tuple[uuid.UUID, str]],
    employees: dict[str, uuid.UUID],
) -> list[dict[str, Any]]:
    statuses = _plan_statuses(plan)
    now = clock.utc_now()
    rows = []
    for employee in plan.employees:
        status = statuses[employee.key]
        waiting = status in (PlanStatus.SUBMITTED, PlanStatus.APPROVED)
        approved = status is PlanStatus.APPROVED
        rows.append(
            {
                "region_id": region_id,
                "period_id": period_id,
                "employee_id": employees[employee.key],
                "agency_id": agencies[employee.agency_code][0],
                "approver_id": employees[employee.supervisor_key]
                if waiting and employee.supervisor_key
                else None,
                "status": status.value,
                "approved_revision": 1 if approved else None,
                "submitted_at": now if waiting else None,
                "approved_at": now if approved else None,
            }
        )
    return rows


def _targets_of(
    employee: EmployeeRow,
    plan_row: Plan,
    agency_name: str,
    output: Decimal,
    parent: tuple[uuid.UUID, uuid.UUID] | None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A main target cascading directly from the supervisor's, and an additional one."""
    main_id, extra_id = uuid.uuid4(), uuid.uuid4()
    main_indicator = uuid.uuid4()
    common = {"region_id": plan_row.region_id, "plan_id": plan_row.id}
    leads = employee.key.endswith("/head")
    main_title = (
        f"Meningkatnya kinerja layanan {agency_name}"
        if leads
        else f"Terselesaikannya pekerjaan {employee.position} tepat waktu"
    )
    targets = [
        {
            **common,
            "id": main_id,
            "kind": TargetKind.UTAMA.value,
            "title": main_title,
            "description": None,
            "public": leads,
            "parent_target_id": parent[0] if parent else None,
            "cascade_mode": CascadeMode.DIRECT.value if parent else None,
            "position": 0,
        },
        {
            **common,
            "id": extra_id,
            "kind": TargetKind.TAMBAHAN.value,
            "title": f"Terlaksananya tugas tambahan {employee.position}",
            "description": None,
            "public": False,
            "parent_target_id": None,
            "cascade_mode": None,
            "position": 1,
        },
    ]
    indicator = {**common, "weight": None}
    indicators = [
        {
            **indicator,
            "id": main_indicator,
            "target_id": main_id,
            "aspect": Aspect.KUANTITAS.value,
            "description": "Jumlah layanan dan dokumen yang diselesaikan",
            "target_value": output,
            "unit": "dokumen",
            "aggregation": Aggregation.SUM.value,
            "parent_indicator_id": parent[1] if parent else None,
            "position": 0,
        },
        {
            **indicator,
            "id": uuid.uuid4(),
            "target_id": main_id,
            "aspect": Aspect.WAKTU.value,
            "description": "Penyelesaian sesuai jadwal",
            "target_value": Decimal(12),
            "unit": "bulan",
            "aggregation": Aggregation.LATEST.value,
            "parent_indicator_id": None,
            "position": 1,
        },
        {
            **indicator,
            "id": uuid.uuid4(),
            "target_id": extra_id,
            "aspect": Aspect.KUALITAS.value,
            "description": "Persentase hasil kerja tanpa revisi",
            "target_value": Decimal(90),
            "unit": "persen",
            "aggregation": Aggregation.AVERAGE.value,
            "parent_indicator_id": None,
            "position": 0,
        },
    ]
    return targets, indicators


async def _main_targets(
    session: AsyncSession, period_id: uuid.UUID
) -> dict[uuid.UUID, tuple[uuid.UUID, uuid.UUID]]:
    """Employee id → (main target, its main indicator) of plans already written."""
    rows = await session.execute(
        select(Plan.employee_id, Target.id, Indicator.id)
        .join(Target, (Target.plan_id == Plan.id) & (Target.position == 0))
        .join(Indicator, (Indicator.target_id == Target.id) & (Indicator.position == 0))
        .where(Plan.period_id == period_id, Target.kind == TargetKind.UTAMA.value)
    )
    return {employee_id: (target_id, indicator_id) for employee_id, target_id, indicator_id in rows}


async def _ensure_performance_plans(
    session: AsyncSession,
    region_id: uuid.UUID,
    plan: RegionPlan,
    agencies: dict[str, tuple[uuid.UUID, str]],
    employees: dict[str, uuid.UUID],
    report: SeedReport,
) -> None:
    """The current period and a plan per employee; targets only for plans created now, so a
    second run writes nothing."""
    period_id = await _ensure_period(session, region_id, report)
    rows = _plan_rows(region_id, period_id, plan, agencies, employees)
    created = {row.employee_id: row for row in await _insert_missing(session, Plan, rows)}
    report.created["plan"] += len(created)
    await _audit_created(session, "plan", created.values(), PLAN_FIELDS)
    if not created:
        return
    parents = await _main_targets(session, period_id)
    outputs = _outputs(plan)
    names = {agency.code: agency.name for agency in plan.agencies}
    targets: list[dict[str, Any]] = []
    indicators: list[dict[str, Any]] = []
    for employee in plan.employees:  # supervisors first
        employee_id = employees[employee.key]
        if employee_id not in created:
            continue
        supervisor = employees[employee.supervisor_key] if employee.supervisor_key else None
        parent = parents.get(supervisor) if supervisor else None
        new_targets, new_indicators = _targets_of(
            employee,
            created[employee_id],
            names[employee.agency_code],
            outputs[employee.key],
            parent,
        )
        parents[employee_id] = (new_targets[0]["id"], new_indicators[0]["id"])
        targets += new_targets
        indicators += new_indicators
    await session.execute(insert(Target), targets)
    await session.execute(insert(Indicator), indicators)
    report.created["target"] += len(targets)
    report.created["indicator"] += len(indicators)
    revisions = [
        {
            "region_id": region_id,
            "plan_id": row.id,
            "revision": 1,
            "approved_at": row.approved_at or clock.utc_now(),
            "approved_by": row.approver_id,
            "snapshot": await plan_snapshot(session, row),
        }
        for row in created.values()
        if row.status == PlanStatus.APPROVED
    ]
    if revisions:
        await session.execute(insert(PlanRevision), revisions)


async def seed_demo(session: AsyncSession) -> SeedReport:
    """Write whatever part of the demo data is missing; flushes, never commits."""
    await enter_all_regions(session)
    report = SeedReport()
    clients = {client.region: client for client in demo_clients()}
    for number, spec in enumerate(REGIONS, start=1):
        plan = plan_region(spec, number)
        region_id = await _ensure_region(session, spec, report)
        agencies = await _ensure_agencies(session, region_id, plan, report)
        employees = await _ensure_employees(session, region_id, agencies, plan, report)
        names = {employee.key: employee.name for employee in plan.employees}
        users = [
            _user_row(login, region_id, agencies, employees, names) for login in region_logins(spec)
        ]
        await _ensure_users(session, report, users)
        await _ensure_service_account(session, report, region_id, clients[spec.code])
        await _ensure_performance_plans(session, region_id, plan, agencies, employees, report)
        await seed_feedback(
            session,
            report.created,
            region_id=region_id,
            region_code=spec.code,
            agencies=agencies,
            employees=employees,
        )
    superadmin = demo_logins()[0]
    await _ensure_users(session, report, [_user_row(superadmin, None, {}, {}, {})])
    return report


# --- the first administrator ----------------------------------------------------------------


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise SeedError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")


def check_email(email: str) -> str:
    try:
        return str(_EMAIL.validate_python(email.strip()))
    except ValidationError:
        raise SeedError(f"{email!r} is not a valid e-mail address") from None


def check_admin_scope(role: AdminRole, region_code: str | None) -> None:
    if role is AdminRole.REGION_ADMIN and not region_code:
        raise SeedError("a region_admin needs --region")
    if role is AdminRole.SUPERADMIN and region_code:
        raise SeedError("a superadmin belongs to no region; use --role region_admin with --region")


async def create_admin(
    session: AsyncSession,
    *,
    email: str,
    full_name: str,
    password: str,
    role: AdminRole = AdminRole.SUPERADMIN,
    region_code: str | None = None,
) -> User:
    """A superadmin, or a region_admin of `region_code`; flushes, never commits."""
    email = check_email(email)
    check_password(password)
    check_admin_scope(role, region_code)
    if not full_name.strip():
        raise SeedError("the full name must not be empty")
    await enter_all_regions(session)
    taken = await session.scalar(select(User.id).where(func.lower(User.email) == email.lower()))
    if taken is not None:
        raise SeedError(f"a user with e-mail {email} already exists")
    region_id = None
    if region_code:
        region_id = await session.scalar(select(Region.id).where(Region.code == region_code))
        if region_id is None:
            raise SeedError(f"there is no region with code {region_code!r}")
    user = User(
        region_id=region_id,
        email=email,
        full_name=full_name.strip(),
        password_hash=hash_secret(password),
        roles=[role.value],
    )
    session.add(user)
    try:
        await session.flush()
    except IntegrityError as exc:
        raise SeedError(f"a user with e-mail {email} already exists") from exc
    await _audit_created(session, "user", [user], USER_FIELDS)
    return user
