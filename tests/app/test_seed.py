"""`kinerja seed-demo` and `kinerja create-admin`: the demo data is complete, valid and
idempotent, its published logins work, and the first administrator can be created."""

import asyncio
import hashlib
import json
import random
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker
from typer.testing import CliRunner

from kinerja_api.auth.principal import Principal
from kinerja_api.cli import app as cli
from kinerja_api.config import get_settings
from kinerja_api.dbadmin import drop_database, ensure_database
from kinerja_api.demo import loader
from kinerja_api.demo.data import REGIONS, DemoDataError
from kinerja_api.demo.loader import seed_demo
from kinerja_api.demo.logins import (
    DEMO_DOMAIN,
    DEMO_PASSWORD,
    DEMO_SCOPES,
    demo_clients,
    demo_logins,
)
from kinerja_api.demo.people import plan_region
from kinerja_api.demo.writing import SeedReport
from kinerja_api.feedback.codes import ALPHABET
from kinerja_api.feedback.workdays import deadline
from kinerja_api.models.audit import AuditEvent
from kinerja_api.models.evaluations import EvaluationAssignment, EvaluationCycle
from kinerja_api.models.feedback import (
    IKM_ELEMENTS,
    Complaint,
    FeedbackResponse,
    Holiday,
    ServiceUnit,
    ServiceUnitStaff,
)
from kinerja_api.models.org import (
    Agency,
    Employee,
    EmploymentType,
    Region,
    Role,
    ServiceAccount,
    User,
)
from kinerja_api.models.plans import Indicator, Period, Plan, PlanRevision, Target
from kinerja_api.models.training import TrainingEnrollment, TrainingProgram, TrainingSession
from kinerja_api.org.employees.nip import nip_error
from kinerja_api.org.users.bootstrap import AdminRole, BootstrapError, create_admin
from kinerja_api.plans.cascade import cascade
from tests.conftest import fresh_database_url
from tests.factories import World

CODES = [spec.code for spec in REGIONS]
TOKEN = "/api/v1/auth/token"
TODAY = date.today()


def valid_pns_nip(nip: str) -> bool:
    """Birth date, appointment month at or after the 18th birthday and not in the future, sex
    digit, serial."""
    if len(nip) != 18 or not nip.isdigit():
        return False
    try:
        born = date(int(nip[0:4]), int(nip[4:6]), int(nip[6:8]))
    except ValueError:
        return False
    year, month = int(nip[8:12]), int(nip[12:14])
    if not 1 <= month <= 12:
        return False
    appointed = year * 12 + month
    return (
        appointed >= (born.year + 18) * 12 + born.month
        and appointed <= TODAY.year * 12 + TODAY.month
        and nip[14] in "12"
    )


@pytest.fixture
async def session(connection: AsyncConnection) -> AsyncIterator[AsyncSession]:
    sessions = async_sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    async with sessions() as session:
        yield session


@pytest.fixture
async def seeded(session: AsyncSession) -> SeedReport:
    return await seed_demo(session)


async def _regions(session: AsyncSession) -> dict[str, Region]:
    rows = await session.scalars(select(Region).where(Region.code.in_(CODES)))
    return {region.code: region for region in rows}


async def _employees(session: AsyncSession, region_ids: list[uuid.UUID]) -> list[Employee]:
    return list(await session.scalars(select(Employee).where(Employee.region_id.in_(region_ids))))


async def test_seed_creates_the_four_regions_with_their_time_zones(
    session: AsyncSession, seeded: SeedReport
) -> None:
    regions = await _regions(session)
    assert {code: (r.name, r.kind, r.timezone) for code, r in regions.items()} == {
        "bungo": ("Kabupaten Bungo", "kabupaten", "Asia/Jakarta"),
        "medan-marelan": ("Kecamatan Medan Marelan", "kecamatan", "Asia/Jakarta"),
        "surabaya": ("Kota Surabaya", "kota", "Asia/Jakarta"),
        "gorontalo": ("Kota Gorontalo", "kota", "Asia/Makassar"),
    }
    assert seeded.created["region"] == 4


async def test_agency_trees_have_one_root_and_materialized_paths(
    session: AsyncSession, seeded: SeedReport
) -> None:
    regions = await _regions(session)
    for region in regions.values():
        agencies = list(await session.scalars(select(Agency).where(Agency.region_id == region.id)))
        by_id = {agency.id: agency for agency in agencies}
        roots = [agency for agency in agencies if agency.parent_id is None]
        assert [root.name for root in roots] == ["Sekretariat Daerah"]
        for agency in agencies:
            parent_path = by_id[agency.parent_id].path if agency.parent_id else "/"
            assert agency.path == f"{parent_path}{agency.id}/"
        under_root = {agency.name for agency in agencies if agency.parent_id == roots[0].id}
        assert {
            "Dinas Pendidikan",
            "Dinas Kesehatan",
            "Dinas Lingkungan Hidup",
            "Dinas Pekerjaan Umum dan Penataan Ruang",
        } <= under_root
        kinds = Counter(agency.kind for agency in agencies)
        assert kinds["bidang"] >= 2
        assert kinds["badan"] == 1  # BKPSDM
        assert kinds["kecamatan"] + kinds["kelurahan"] == 1


async def test_about_sixty_employees_per_region_with_valid_unique_numbers(
    session: AsyncSession, seeded: SeedReport
) -> None:
    regions = await _regions(session)
    employees = await _employees(session, [region.id for region in regions.values()])
    per_region = Counter(employee.region_id for employee in employees)
    assert all(55 <= per_region[region.id] <= 70 for region in regions.values())
    assert len({employee.nip for employee in employees}) == len(employees)
    kinds = Counter(employee.employment_type for employee in employees)
    assert kinds["pppk"] >= 4 * 4
    for employee in employees:
        # Both this file's reading of the rules and the employees API's own validator agree.
        assert nip_error(employee.nip, EmploymentType(employee.employment_type), TODAY) is None
        if employee.employment_type == "pns":
            assert valid_pns_nip(employee.nip), employee.nip
            assert (employee.grade or "").split("/")[0] in {"II", "III", "IV"}
        else:
            assert len(employee.nip) == 18
            assert employee.nip.isdigit()
    positions = {employee.position for employee in employees}
    for expected in ("Sekretaris Daerah", "Kepala Dinas Pendidikan", "Guru Ahli Pertama"):
        assert expected in positions


async def test_supervisor_chains_are_acyclic_with_one_root_per_region(
    session: AsyncSession, seeded: SeedReport
) -> None:
    regions = await _regions(session)
    employees = await _employees(session, [region.id for region in regions.values()])
    by_id = {employee.id: employee for employee in employees}
    for region in regions.values():
        mine = [employee for employee in employees if employee.region_id == region.id]
        roots = [employee for employee in mine if employee.supervisor_id is None]
        assert [root.position for root in roots] == ["Sekretaris Daerah"]
        for employee in mine:
            seen: set[uuid.UUID] = set()
            current = employee
            while current.supervisor_id is not None:
                assert current.id not in seen, "supervisor cycle"
                seen.add(current.id)
                current = by_id[current.supervisor_id]
                assert current.region_id == region.id
            assert current.id == roots[0].id


async def test_one_login_per_role_per_region_and_one_superadmin(
    session: AsyncSession, seeded: SeedReport
) -> None:
    regions = await _regions(session)
    emails = [login.email for login in demo_logins()]
    users = list(await session.scalars(select(User).where(User.email.in_(emails))))
    assert len(users) == len(emails) == 1 + 7 * 4
    superadmins = [user for user in users if user.region_id is None]
    assert [(u.email, u.roles) for u in superadmins] == [
        ("superadmin@demo.kinerja.id", ["superadmin"])
    ]
    for region in regions.values():
        mine = {user.email.split("@")[0]: user for user in users if user.region_id == region.id}
        roles = Counter(role for user in mine.values() for role in user.roles)
        assert roles == Counter(
            {
                "region_admin": 1,
                "agency_admin": 1,
                "employee": 2,
                "training_admin": 1,
                "complaint_officer": 1,
                "auditor": 1,
            }
        )
        agency = await session.get(Agency, mine["agency-admin"].agency_id)
        assert agency is not None
        assert agency.name == "Dinas Pendidikan"
        staff = await session.get(Employee, mine["employee"].employee_id)
        boss = await session.get(Employee, mine["supervisor"].employee_id)
        assert staff is not None
        assert boss is not None
        assert staff.supervisor_id == boss.id
        assert boss.position.startswith("Kepala Bidang")
        assert mine["employee"].full_name == staff.name
        head = await session.get(Employee, boss.supervisor_id)
        assert head is not None
        assert head.position == "Kepala Dinas Pendidikan"
    region_ids = [region.id for region in regions.values()]
    in_regions = ServiceAccount.region_id.in_(region_ids)
    accounts = list(await session.scalars(select(ServiceAccount).where(in_regions)))
    assert sorted((a.client_id, a.scopes) for a in accounts) == sorted(
        (f"demo-{code}", list(DEMO_SCOPES)) for code in CODES
    )


async def _snapshot(session: AsyncSession) -> dict[str, list[tuple[Any, ...]]]:
    region_ids = select(Region.id).where(Region.code.in_(CODES)).scalar_subquery()
    tables: dict[str, Any] = {
        "regions": select(Region.__table__).where(Region.code.in_(CODES)),
        "agencies": select(Agency.__table__).where(Agency.region_id.in_(region_ids)),
        "employees": select(Employee.__table__).where(Employee.region_id.in_(region_ids)),
        "users": select(User.__table__).where(
            User.region_id.in_(region_ids) | (User.email == "superadmin@demo.kinerja.id")
        ),
        "service_accounts": select(ServiceAccount.__table__).where(
            ServiceAccount.region_id.in_(region_ids)
        ),
        "periods": select(Period.__table__).where(Period.region_id.in_(region_ids)),
        "plans": select(Plan.__table__).where(Plan.region_id.in_(region_ids)),
        "targets": select(Target.__table__).where(Target.region_id.in_(region_ids)),
        "indicators": select(Indicator.__table__).where(Indicator.region_id.in_(region_ids)),
        "audit_events": select(func.count()).select_from(AuditEvent),
        "service_units": select(ServiceUnit.__table__).where(ServiceUnit.region_id.in_(region_ids)),
        "service_unit_staff": select(ServiceUnitStaff.__table__).where(
            ServiceUnitStaff.region_id.in_(region_ids)
        ),
        "feedback_responses": select(func.count()).select_from(FeedbackResponse),
        "complaints": select(Complaint.__table__).where(Complaint.region_id.in_(region_ids)),
        "holidays": select(Holiday.__table__).where(Holiday.region_id.in_(region_ids)),
        "evaluation_cycles": select(EvaluationCycle.__table__).where(
            EvaluationCycle.region_id.in_(region_ids)
        ),
        "evaluation_assignments": select(EvaluationAssignment.__table__).where(
            EvaluationAssignment.region_id.in_(region_ids)
        ),
        "training_programs": select(TrainingProgram.__table__).where(
            TrainingProgram.region_id.in_(region_ids)
        ),
        "training_sessions": select(TrainingSession.__table__).where(
            TrainingSession.region_id.in_(region_ids)
        ),
        "training_enrollments": select(TrainingEnrollment.__table__).where(
            TrainingEnrollment.region_id.in_(region_ids)
        ),
    }
    return {
        name: sorted(tuple(map(str, row)) for row in (await session.execute(query)).all())
        for name, query in tables.items()
    }


async def test_each_region_has_an_open_period_and_plans_cascading_from_agency_heads(
    session: AsyncSession, seeded: SeedReport
) -> None:
    regions = await _regions(session)
    periods = list(
        await session.scalars(
            select(Period).where(Period.region_id.in_([r.id for r in regions.values()]))
        )
    )
    assert {(p.region_id, p.year, p.status) for p in periods} == {
        (region.id, 2026, "open") for region in regions.values()
    }
    for region in regions.values():
        plans = list(await session.scalars(select(Plan).where(Plan.region_id == region.id)))
        statuses = Counter(plan.status for plan in plans)
        assert set(statuses) == {"approved", "submitted", "draft"}, statuses
        employees = {e.id: e for e in await _employees(session, [region.id])}
        for plan in plans:
            supervisor = employees[plan.employee_id].supervisor_id
            if plan.status in ("approved", "submitted") and supervisor is not None:
                assert plan.approver_id == supervisor
        approved = [p.id for p in plans if p.status == "approved"]
        revisions = await session.scalar(
            select(func.count()).select_from(PlanRevision).where(PlanRevision.plan_id.in_(approved))
        )
        assert revisions == len(approved)

        root = next(p for p in plans if employees[p.employee_id].supervisor_id is None)
        reader = Principal(
            kind="user", id=uuid.uuid4(), region_id=region.id, roles=frozenset({Role.REGION_ADMIN})
        )
        view = await cascade(session, reader, root.id)
        assert view.above == []
        assert len({t.employee_id for t in view.below}) == len(employees) - 1
        assert view.alignment
        assert {a.alignment for a in view.alignment if a.unit == "dokumen"} == {"aligned"}


async def test_seeding_twice_creates_and_changes_nothing(
    session: AsyncSession, seeded: SeedReport
) -> None:
    assert seeded.created == Counter(
        region=4,
        agency=4 * 16,
        employee=4 * 60,
        user=1 + 4 * 7,
        service_account=4,
        period=4,
        plan=4 * 60,
        target=4 * 60 * 2,
        indicator=4 * 60 * 3,
        service_unit=4 * 3,
        service_unit_staff=4 * 4,
        feedback=4 * 84,
        complaint=4 * 2,
        holiday=4 * 6,
        evaluation_cycle=4,
        # self, the supervisor, up to three peers and the direct subordinates of each employee
        evaluation_assignment=964,
        training_program=4 * 6,
        training_session=4 * 6,
        # all seats but one of each region's first session
        training_enrollment=4 * 11,
    )
    before = await _snapshot(session)
    again = await seed_demo(session)
    assert again.total == 0
    assert await _snapshot(session) == before


async def test_the_plan_is_deterministic_and_numbers_never_collide_across_regions() -> None:
    plans = [plan_region(spec, number) for number, spec in enumerate(REGIONS, start=1)]
    assert plans == [plan_region(spec, number) for number, spec in enumerate(REGIONS, start=1)]
    nips = [employee.nip for plan in plans for employee in plan.employees]
    assert len(nips) == len(set(nips))
    names = [{employee.name for employee in plan.employees} for plan in plans]
    assert all(len(region_names) == 60 for region_names in names)


async def test_seed_writes_audit_events_as_the_system(
    session: AsyncSession, seeded: SeedReport
) -> None:
    regions = await _regions(session)
    bungo = regions["bungo"]
    events = (
        await session.execute(
            select(AuditEvent.action, AuditEvent.actor_type, AuditEvent.actor_id).where(
                AuditEvent.region_id == bungo.id
            )
        )
    ).all()
    actions = Counter(action for action, _, _ in events)
    assert actions == Counter(
        {
            "region.created": 1,
            "agency.created": 16,
            "employee.created": 60,
            "user.created": 7,
            "service_account.created": 1,
            "period.created": 1,
            "plan.created": 60,
            "service_unit.created": 3,
            "service_unit_staff.created": 4,
            "feedback.received": 84,
            "complaint.submitted": 2,
            "holiday.created": 6,
            "evaluation_cycle.created": 1,
            "evaluation_cycle.launched": 1,
            "training_program.created": 6,
            "training_session.created": 6,
            "training_enrollment.enrolled": 11,
        }
    )
    assert {(actor_type, actor_id) for _, actor_type, actor_id in events} == {("system", None)}


async def test_published_demo_credentials_sign_in(
    client: httpx.AsyncClient, session: AsyncSession, seeded: SeedReport
) -> None:
    await session.commit()  # releases the savepoint; the test's transaction still rolls back
    superadmin = await client.post(
        TOKEN,
        data={
            "grant_type": "password",
            "username": "superadmin@demo.kinerja.id",
            "password": DEMO_PASSWORD,
        },
    )
    assert superadmin.status_code == 200, superadmin.text
    employee_user = await session.scalar(
        select(User).where(User.email == "employee@surabaya.demo.kinerja.id")
    )
    assert employee_user is not None
    employee = await session.get(Employee, employee_user.employee_id)
    assert employee is not None
    by_nip = await client.post(
        TOKEN, data={"grant_type": "password", "username": employee.nip, "password": DEMO_PASSWORD}
    )
    assert by_nip.status_code == 200, by_nip.text
    account = demo_clients()[3]
    service = await client.post(
        TOKEN,
        data={
            "grant_type": "client_credentials",
            "client_id": account.client_id,
            "client_secret": account.secret,
        },
    )
    assert service.status_code == 200, service.text
    assert service.json()["scope"] == " ".join(sorted(DEMO_SCOPES))


async def test_create_admin_makes_a_superadmin_or_a_region_admin(
    session: AsyncSession, world: World
) -> None:
    gorontalo = await world.region("gorontalo", timezone="Asia/Makassar")
    root = await create_admin(
        session, email="Kepala@Example.go.id", full_name="Kepala Sistem", password="x" * 12
    )
    assert (root.region_id, root.roles) == (None, ["superadmin"])
    admin = await create_admin(
        session,
        email="bkpsdm@gorontalo.go.id",
        full_name="Admin Gorontalo",
        password="rahasia-panjang",
        role=AdminRole.REGION_ADMIN,
        region_code="gorontalo",
    )
    assert (admin.region_id, admin.roles) == (gorontalo.id, ["region_admin"])
    actions = await session.scalars(
        select(AuditEvent.action).where(AuditEvent.entity_id.in_([str(root.id), str(admin.id)]))
    )
    assert list(actions) == ["user.created", "user.created"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"email": "TAKEN@example.go.id"}, "already exists"),
        ({"password": "pendek"}, "at least 12"),
        ({"email": "not-an-email"}, "not a valid e-mail"),
        ({"role": AdminRole.REGION_ADMIN}, "needs --region"),
        ({"region_code": "bungo"}, "belongs to no region"),
        ({"role": AdminRole.REGION_ADMIN, "region_code": "atlantis"}, "no region with code"),
    ],
)
async def test_create_admin_refuses_bad_input(
    session: AsyncSession, world: World, changes: dict[str, Any], message: str
) -> None:
    await world.user(None, Role.SUPERADMIN, email="taken@example.go.id")
    arguments: dict[str, Any] = {
        "email": "baru@example.go.id",
        "full_name": "Admin Baru",
        "password": "rahasia-panjang",
        **changes,
    }
    with pytest.raises(BootstrapError, match=message):
        await create_admin(session, **arguments)


def test_create_admin_command_refuses_a_short_password_before_connecting() -> None:
    result = CliRunner().invoke(
        cli, ["create-admin", "--email", "a@example.go.id", "--full-name", "A", "--password", "x"]
    )
    assert result.exit_code == 1
    assert "at least 12 characters" in result.output


@pytest.fixture
def cli_database(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A database of its own: the commands commit, and the session's database must stay clean."""
    url = fresh_database_url("kinerja_cli")
    asyncio.run(ensure_database(url))
    monkeypatch.setenv("KINERJA_DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        yield url
    finally:
        get_settings.cache_clear()
        asyncio.run(drop_database(url))


def test_commands_seed_idempotently_and_create_admins(cli_database: str) -> None:
    runner = CliRunner()
    first = runner.invoke(cli, ["seed-demo"])
    assert first.exit_code == 0, first.output
    assert "demo data seeded" in first.output
    assert "admin@bungo.demo.kinerja.id" in first.output
    assert DEMO_PASSWORD in first.output
    second = runner.invoke(cli, ["seed-demo", "--no-migrate"])
    assert second.exit_code == 0, second.output
    assert "nothing to add" in second.output

    arguments = ["create-admin", "--email", "root@example.go.id", "--full-name", "Root"]
    created = runner.invoke(cli, arguments, input="rahasia-panjang\nrahasia-panjang\n")
    assert created.exit_code == 0, created.output
    assert "created superadmin root@example.go.id" in created.output
    again = runner.invoke(cli, [*arguments, "--password", "rahasia-panjang"])
    assert again.exit_code == 1
    assert "already exists" in again.output
    regional = runner.invoke(
        cli,
        [
            "create-admin",
            "--email",
            "admin@surabaya.go.id",
            "--full-name",
            "Admin Surabaya",
            "--password",
            "rahasia-panjang",
            "--role",
            Role.REGION_ADMIN.value,
            "--region",
            "surabaya",
        ],
    )
    assert regional.exit_code == 0, regional.output


def test_readme_documents_every_demo_login_and_service_account() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert f"`{DEMO_PASSWORD}`" in readme
    for login in demo_logins():
        assert f"`{login.email}` | {login.label} |" in readme
    for account in demo_clients():
        assert f"`{account.client_id}` | `{account.secret}` |" in readme


async def test_demo_feedback_fills_the_ikm_report(
    client: httpx.AsyncClient, session: AsyncSession, seeded: SeedReport, world: World
) -> None:
    await session.commit()  # releases the savepoint; the test's transaction still rolls back
    auditors = await session.scalars(
        select(User).where(User.email.like("auditor@%"), User.email.like(f"%.{DEMO_DOMAIN}"))
    )
    reports = {}
    for auditor in auditors:
        response = await client.get(
            "/api/v1/reports/ikm",
            params={"date_from": "2026-01-01", "date_to": "2026-12-31"},
            headers=world.auth(auditor),
        )
        assert response.status_code == 200, response.text
        reports[auditor.email] = response.json()
    assert len(reports) == 4
    for report in reports.values():
        assert report["respondents"] == 84
        assert report["category"] is not None
        assert 25 <= float(report["ikm"]) <= 100
        assert len(report["quarters"]) >= 3
        assert report["staff"]
        assert all(staff["respondents"] >= 5 for staff in report["staff"])
    units = list(await session.scalars(select(ServiceUnit)))
    public = await client.get(f"/api/v1/public/service-units/{units[0].code}")
    assert public.status_code == 200


async def test_demo_evaluations_give_the_employee_colleagues_to_rate_and_the_supervisor_ratings(
    client: httpx.AsyncClient, session: AsyncSession, seeded: SeedReport, world: World
) -> None:
    await session.commit()  # releases the savepoint; the test's transaction still rolls back
    # Read before any request: a request leaves its own region's tenancy on the shared
    # connection.
    logins = {user.email: user for user in await session.scalars(select(User))}
    to_rate = Counter(
        (await session.execute(select(Plan.approver_id).where(Plan.status == "approved"))).scalars()
    )
    for code in CODES:
        employee = logins[f"employee@{code}.{DEMO_DOMAIN}"]
        supervisor = logins[f"supervisor@{code}.{DEMO_DOMAIN}"]
        # `relation` is how the rater stands to the ratee: the employee rates themselves and,
        # as a subordinate, their supervisor; the supervisor rates their staff as such.
        for login, expected in ((employee, "subordinate"), (supervisor, "supervisor")):
            mine = await client.get(
                "/api/v1/evaluation-assignments",
                params={"mine": "true"},
                headers=world.auth(login),
            )
            assert mine.status_code == 200, mine.text
            relations = {item["relation"] for item in mine.json()["items"]}
            assert {"self", expected} <= relations, (login.email, relations)
            assert all(item["status"] == "pending" for item in mine.json()["items"])
        assert to_rate[supervisor.employee_id], f"supervisor@{code} approved no plan to rate"


async def test_demo_complaints_have_unguessable_codes_and_working_day_deadlines(
    session: AsyncSession, seeded: SeedReport
) -> None:
    for code, region in (await _regions(session)).items():
        # The old derivation: every code drawn from one stream seeded by the public region code.
        rng = random.Random(f"kinerja-demo-feedback:{code}")
        stream = "".join(rng.choice(ALPHABET) for _ in range(2000))
        holidays = set(
            await session.scalars(select(Holiday.date).where(Holiday.region_id == region.id))
        )
        complaints = list(
            await session.scalars(select(Complaint).where(Complaint.region_id == region.id))
        )
        assert len(complaints) == 2
        for complaint in complaints:
            assert complaint.tracking_code not in stream
            expected = deadline(complaint.submitted_at, ZoneInfo(region.timezone), holidays, 5)
            assert complaint.due_at == expected.due_at


# The feedback codes printed on the demo posters and a digest of the survey responses, pinned.
UNIT_CODES = {
    "bungo": ["1HYVCPMV", "6G9QY4D7", "Q3N7YD37"],
    "gorontalo": ["2Z4M84P7", "NEEFG189", "VJBVJKM1"],
    "medan-marelan": ["7X5R1GVP", "Q39ENF4Q", "S68PV1XJ"],
    "surabaya": ["MKP6CM0Q", "NYWEQARA", "ZBP4ZZCD"],
}
RESPONSES_DIGEST = "328b7d18eb36377105cc75f59748d8922af6f51688a5009aa043e0cbd727ee3e"


async def test_the_demo_feedback_never_changes(session: AsyncSession, seeded: SeedReport) -> None:
    units = await session.execute(
        select(Region.code, ServiceUnit.code)
        .join(Region, Region.id == ServiceUnit.region_id)
        .where(Region.code.in_(CODES))
        .order_by(Region.code, ServiceUnit.code)
    )
    by_region: dict[str, list[str]] = {}
    for region_code, unit_code in units:
        by_region.setdefault(region_code, []).append(unit_code)
    assert by_region == UNIT_CODES
    profile = ("age_band", "sex", "education", "occupation")
    responses = await session.execute(
        select(
            ServiceUnit.code,
            ServiceUnitStaff.code,
            FeedbackResponse.submitted_at,
            *(getattr(FeedbackResponse, column) for column in (*IKM_ELEMENTS, *profile)),
        )
        .join(ServiceUnit, ServiceUnit.id == FeedbackResponse.service_unit_id)
        .outerjoin(ServiceUnitStaff, ServiceUnitStaff.id == FeedbackResponse.staff_id)
    )
    rows = sorted(json.dumps([str(value) for value in row]) for row in responses)
    assert len(rows) == 4 * 84
    assert hashlib.sha256("\n".join(rows).encode()).hexdigest() == RESPONSES_DIGEST


async def test_seeding_refuses_production(
    session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    production = get_settings().model_copy(update={"env": "production"})
    monkeypatch.setattr(loader, "get_settings", lambda: production)
    with pytest.raises(DemoDataError, match="production"):
        await loader.seed_demo(session)
    assert await _regions(session) == {}


def test_seed_commands_refuse_production(monkeypatch: pytest.MonkeyPatch) -> None:
    production = get_settings().model_copy(update={"env": "production"})
    monkeypatch.setattr("kinerja_api.cli.get_settings", lambda: production)
    for command in (["seed-demo"], ["serve", "--seed"]):
        result = CliRunner().invoke(cli, command)
        assert result.exit_code == 1
        assert "refusing to write demo data" in result.output
