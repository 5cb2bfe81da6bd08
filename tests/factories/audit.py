"""Reading back the audit trail a change wrote."""

from sqlalchemy import select

from kinerja_api.auth.tenancy import enter_all_regions
from kinerja_api.models.audit import AuditEvent
from tests.factories.base import Factories


class AuditFactories(Factories):
    async def audit_actions(self, entity_id: object) -> list[str]:
        await enter_all_regions(self.connection)
        rows = await self.connection.execute(
            select(AuditEvent.action)
            .where(AuditEvent.entity_id == str(entity_id))
            .order_by(AuditEvent.id)
        )
        return list(rows.scalars())
