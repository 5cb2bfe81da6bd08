"""A region with an agency tree, a supervisor and two reports, and a login for each role the
training routes distinguish; another region's training administrator."""

from dataclasses import dataclass
from typing import Any

from kinerja_api.models.org import Role
from tests.factories import World

PROGRAMS = "/api/v1/training-programs"
SESSIONS = "/api/v1/training-sessions"
ENROLLMENTS = "/api/v1/training-enrollments"
CERTIFICATES = "/api/v1/training-certificates"


@dataclass
class Team:
    region: Any
    agency: Any
    sub_agency: Any
    other_agency: Any
    boss: Any
    staff: Any
    colleague: Any
    outsider: Any
    admin: Any
    region_admin: Any
    boss_user: Any
    staff_user: Any
    colleague_user: Any
    outsider_user: Any
    auditor: Any
    agency_admin: Any
    complaint_officer: Any
    foreign_admin: Any
    foreign_employee_user: Any


async def team(world: World, timezone: str = "Asia/Jakarta") -> Team:
    region = await world.region(timezone=timezone)
    agency = await world.agency(region)
    sub_agency = await world.agency(region, parent=agency)
    other_agency = await world.agency(region)
    boss = await world.employee(region, agency)
    staff = await world.employee(region, sub_agency, supervisor=boss)
    colleague = await world.employee(region, agency, supervisor=boss)
    outsider = await world.employee(region, other_agency)
    elsewhere = await world.region()
    elsewhere_agency = await world.agency(elsewhere)
    foreigner = await world.employee(elsewhere, elsewhere_agency)
    return Team(
        region=region,
        agency=agency,
        sub_agency=sub_agency,
        other_agency=other_agency,
        boss=boss,
        staff=staff,
        colleague=colleague,
        outsider=outsider,
        admin=await world.user(region, Role.TRAINING_ADMIN),
        region_admin=await world.user(region, Role.REGION_ADMIN),
        boss_user=await world.user(region, Role.EMPLOYEE, employee=boss),
        staff_user=await world.user(region, Role.EMPLOYEE, employee=staff),
        colleague_user=await world.user(region, Role.EMPLOYEE, employee=colleague),
        outsider_user=await world.user(region, Role.EMPLOYEE, employee=outsider),
        auditor=await world.user(region, Role.AUDITOR),
        agency_admin=await world.user(region, Role.AGENCY_ADMIN, agency=agency),
        complaint_officer=await world.user(region, Role.COMPLAINT_OFFICER),
        foreign_admin=await world.user(elsewhere, Role.TRAINING_ADMIN),
        foreign_employee_user=await world.user(elsewhere, Role.EMPLOYEE, employee=foreigner),
    )


def program_body(**overrides: Any) -> dict[str, Any]:
    return {
        "name": "Manajemen Waktu dan Produktivitas",
        "kind": "pelatihan_klasikal",
        "competency_area": "manajerial",
        "provider": "BKPSDM",
        "jp": 24,
        **overrides,
    }


def session_body(program_id: Any, **overrides: Any) -> dict[str, Any]:
    return {
        "program_id": str(program_id),
        "starts_at": "2030-07-06T08:00:00",
        "ends_at": "2030-07-08T16:00:00",
        "place": "Aula BKPSDM",
        "capacity": 30,
        "enrollment_opens_at": "2026-01-01T00:00:00",
        "enrollment_closes_at": "2030-07-01T23:59:00",
        **overrides,
    }
