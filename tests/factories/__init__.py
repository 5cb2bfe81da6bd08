"""Test data built straight in the database (inside the test's rolled-back transaction), and
access tokens for any principal."""

import itertools
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from fastapi import FastAPI
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from kinerja_api.auth.passwords import hash_secret
from kinerja_api.auth.principal import Principal
from kinerja_api.auth.tenancy import enter_all_regions
from kinerja_api.auth.tokens import TokenService
from kinerja_api.models.feedback import (
    IKM_ELEMENTS,
    Complaint,
    FeedbackResponse,
    Holiday,
    ServiceUnit,
    ServiceUnitStaff,
)
from kinerja_api.models.org import Agency, Employee, Region, Role, ServiceAccount, User
from kinerja_api.models.plans import Indicator, Period, Plan, Target

PASSWORD = "rahasia-yang-cukup-panjang"
_serial = itertools.count(1)


def nip_for(birth: date = date(1985, 3, 14), appointed: str = "201001", sex: int = 1) -> str:
    """A valid PNS NIP: birth date, appointment month, sex digit, unique 3-digit serial."""
    return f"{birth:%Y%m%d}{appointed}{sex}{next(_serial) % 1000:03d}"


@dataclass
class World:
    """Builds regions, agencies, employees, users and service accounts for a test."""

    connection: AsyncConnection
    app: FastAPI

    async def _insert(self, model: Any, **values: Any) -> Any:
        await enter_all_regions(self.connection)
        result = await self.connection.execute(insert(model).values(**values).returning(model))
        return result.one()

    async def region(self, code: str | None = None, timezone: str = "Asia/Jakarta") -> Any:
        code = code or f"r{next(_serial)}"
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
            code=code or f"a{next(_serial)}",
            name=f"Dinas {next(_serial)}",
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
            name=name or f"Pegawai {next(_serial)}",
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
            email=email or f"user{next(_serial)}@example.go.id",
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

    def token(self, user: Any) -> str:
        roles = frozenset(Role(role) for role in user.roles)
        principal = Principal(
            kind="user",
            id=user.id,
            region_id=user.region_id,
            roles=roles,
            employee_id=user.employee_id,
            agency_id=user.agency_id,
        )
        service: TokenService = self.app.state.token_service
        return service.issue(principal).token

    def service_token(self, account: Any) -> str:
        principal = Principal(
            kind="service_account",
            id=account.id,
            region_id=account.region_id,
            scopes=frozenset(account.scopes),
        )
        service: TokenService = self.app.state.token_service
        return service.issue(principal).token

    def auth(self, user_or_account: Any) -> dict[str, str]:
        token = (
            self.service_token(user_or_account)
            if hasattr(user_or_account, "client_id")
            else self.token(user_or_account)
        )
        return {"Authorization": f"Bearer {token}"}

    async def set_supervisor(self, employee: Any, supervisor: Any) -> None:
        await self.connection.execute(
            update(Employee).where(Employee.id == employee.id).values(supervisor_id=supervisor.id)
        )

    async def period(self, region: Any, year: int = 2026, status: str = "open") -> Any:
        return await self._insert(Period, region_id=region.id, year=year, status=status)

    async def plan(self, period: Any, employee: Any, status: str = "draft", **values: Any) -> Any:
        """A plan; an `approved` one also has its first revision marked approved."""
        if status == "approved":
            values.setdefault("approved_revision", 1)
            values.setdefault("approver_id", employee.supervisor_id)
        return await self._insert(
            Plan,
            region_id=period.region_id,
            period_id=period.id,
            employee_id=employee.id,
            agency_id=employee.agency_id,
            status=status,
            **values,
        )

    async def target(
        self, plan: Any, kind: str = "utama", title: str | None = None, **values: Any
    ) -> Any:
        return await self._insert(
            Target,
            region_id=plan.region_id,
            plan_id=plan.id,
            kind=kind,
            title=title or f"Sasaran {next(_serial)}",
            **values,
        )

    async def indicator(
        self,
        target: Any,
        target_value: Decimal | int = 100,
        aggregation: str = "sum",
        aspect: str = "kuantitas",
        **values: Any,
    ) -> Any:
        return await self._insert(
            Indicator,
            region_id=target.region_id,
            plan_id=target.plan_id,
            target_id=target.id,
            aspect=aspect,
            description=f"Indikator {next(_serial)}",
            target_value=Decimal(target_value),
            unit="dokumen",
            aggregation=aggregation,
            **values,
        )

    async def audit_actions(self, entity_id: object) -> list[str]:
        from kinerja_api.models.audit import AuditEvent

        await enter_all_regions(self.connection)
        rows = await self.connection.execute(
            select(AuditEvent.action)
            .where(AuditEvent.entity_id == str(entity_id))
            .order_by(AuditEvent.id)
        )
        return list(rows.scalars())

    async def service_unit(self, agency: Any, code: str | None = None, **values: Any) -> Any:
        return await self._insert(
            ServiceUnit,
            region_id=agency.region_id,
            agency_id=agency.id,
            code=code or f"U{next(_serial):07d}",
            name=values.pop("name", f"Loket {next(_serial)}"),
            **values,
        )

    async def staff(self, unit: Any, employee: Any, label: str = "Petugas Loket") -> Any:
        return await self._insert(
            ServiceUnitStaff,
            region_id=unit.region_id,
            service_unit_id=unit.id,
            employee_id=employee.id,
            code=f"S{next(_serial):07d}",
            label=label,
        )

    async def feedback(
        self, unit: Any, scores: list[int] | int = 3, staff: Any = None, **values: Any
    ) -> Any:
        """A survey response; `scores` is one score for every element or a list of nine."""
        per_element = scores if isinstance(scores, list) else [scores] * len(IKM_ELEMENTS)
        return await self._insert(
            FeedbackResponse,
            region_id=unit.region_id,
            service_unit_id=unit.id,
            agency_id=unit.agency_id,
            staff_id=staff.id if staff is not None else None,
            **dict(zip(IKM_ELEMENTS, per_element, strict=True)),
            **values,
        )

    async def holiday(self, region: Any, day: date, name: str = "Libur Nasional") -> Any:
        return await self._insert(Holiday, region_id=region.id, date=day, name=name)

    async def complaint(self, region: Any, **values: Any) -> Any:
        values.setdefault("tracking_code", f"T{next(_serial):015d}")
        values.setdefault("category", "service")
        values.setdefault("description", "Antrean terlalu lama.")
        values.setdefault("location", "Kantor Kecamatan")
        values.setdefault("due_at", datetime(2030, 1, 1, tzinfo=UTC))
        return await self._insert(Complaint, region_id=region.id, **values)
