"""The shared kernel's rows: regions, agencies, employees, users and service accounts."""

import uuid
from datetime import date
from typing import Any

from sqlalchemy import update

from kinerja_api.auth.passwords import hash_secret
from kinerja_api.models.org import Agency, Employee, Region, Role, ServiceAccount, User
from tests.factories.base import Factories, serial

PASSWORD = "rahasia-yang-cukup-panjang"


def nip_for(birth: date = date(1985, 3, 14), appointed: str = "201001", sex: int = 1) -> str:
    """A valid PNS NIP: birth date, appointment month, sex digit, unique 3-digit serial."""
    return f"{birth:%Y%m%d}{appointed}{sex}{next(serial) % 1000:03d}"


class OrgFactories(Factories):
    async def region(self, code: str | None = None, timezone: str = "Asia/Jakarta") -> Any:
        code = code or f"r{next(serial)}"
        return await self._insert(
            Region, code=code, name=f"Kabupaten {code}", kind="kabupaten", timezone=timezone
        )

    async def agency(self, region: Any, parent: Any = None, code: str | None = None) -> Any:
        agency_id = uuid.uuid4()
        path = (parent.path if parent is not None else "/") + f"{agency_id}/"
        return await self._insert(
            Agency,
            id=agency_id,
            region_id=region.id,
            parent_id=parent.id if parent is not None else None,
            code=code or f"a{next(serial)}",
            name=f"Dinas {next(serial)}",
            kind="dinas",
            path=path,
        )

    async def employee(
        self, region: Any, agency: Any, supervisor: Any = None, name: str | None = None
    ) -> Any:
        return await self._insert(
            Employee,
            region_id=region.id,
            agency_id=agency.id,
            supervisor_id=supervisor.id if supervisor is not None else None,
            nip=nip_for(),
            employment_type="pns",
            name=name or f"Pegawai {next(serial)}",
            position="Analis",
            grade="III/a",
        )

    async def user(
        self,
        region: Any,
        *roles: Role,
        employee: Any = None,
        agency: Any = None,
        email: str | None = None,
        password: str = PASSWORD,
    ) -> Any:
        return await self._insert(
            User,
            region_id=region.id if region is not None else None,
            email=email or f"user{next(serial)}@example.go.id",
            full_name="Pengguna Uji",
            password_hash=hash_secret(password),
            roles=[str(role) for role in roles],
            employee_id=employee.id if employee is not None else None,
            agency_id=agency.id if agency is not None else None,
        )

    async def service_account(self, region: Any, *scopes: str, secret: str = PASSWORD) -> Any:
        return await self._insert(
            ServiceAccount,
            region_id=region.id,
            name="Integrasi",
            client_id=f"svc-{uuid.uuid4().hex[:12]}",
            secret_hash=hash_secret(secret),
            scopes=list(scopes),
        )

    async def set_supervisor(self, employee: Any, supervisor: Any) -> None:
        await self.connection.execute(
            update(Employee).where(Employee.id == employee.id).values(supervisor_id=supervisor.id)
        )
