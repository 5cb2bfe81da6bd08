"""The demo's published credentials: seven logins per region, one superadmin and a service
account per region, all listed in the README's "Demo logins"."""

from dataclasses import dataclass

from kinerja_api.demo.data import REGIONS, RegionSpec
from kinerja_api.models.org import Role

DEMO_PASSWORD = "demo-kinerja-2026"  # noqa: S105 - published in the README on purpose
DEMO_DOMAIN = "demo.kinerja.id"
# What a region's integration reads, imports and exports, as the README's walks use it.
DEMO_SCOPES = ("exports:read", "imports:write", "org:read", "plans:read")
SUPERADMIN_EMAIL = f"superadmin@{DEMO_DOMAIN}"
# Who the demo logins are: the supervisor login heads a bidang, the employee login reports to it.
AGENCY_ADMIN_AGENCY = "disdik"
SUPERVISOR_KEY = "disdik-sd/head"
EMPLOYEE_KEY = "disdik-sd/head/0"


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


def superadmin_login() -> DemoLogin:
    return DemoLogin(SUPERADMIN_EMAIL, "Superadmin Kinerja", Role.SUPERADMIN, None)


def demo_logins() -> tuple[DemoLogin, ...]:
    return (superadmin_login(), *(login for spec in REGIONS for login in region_logins(spec)))


def region_client(spec: RegionSpec) -> DemoClient:
    return DemoClient(
        region=spec.code,
        name=f"Integrasi Demo {spec.name}",
        client_id=f"demo-{spec.code}",
        secret=f"demo-{spec.code}-secret-change-me",
    )


def demo_clients() -> tuple[DemoClient, ...]:
    return tuple(region_client(spec) for spec in REGIONS)
