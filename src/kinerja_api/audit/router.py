import uuid
from typing import Annotated

from fastapi import Query

from kinerja_api.audit import service
from kinerja_api.audit.schemas import AuditEventOut
from kinerja_api.auth.access import requires
from kinerja_api.auth.principal import Principal
from kinerja_api.core.pagination import Page, PageQuery
from kinerja_api.core.problems import problem_responses
from kinerja_api.core.routing import Router
from kinerja_api.core.schemas import ClientText, Instant
from kinerja_api.core.uow import DbSession
from kinerja_api.models.org import Role

router = Router(prefix="/api/v1/audit-events", tags=["audit"])
AuditReader = Annotated[
    Principal,
    requires(Role.SUPERADMIN, Role.REGION_ADMIN, Role.AUDITOR, scopes=["audit:read"]),
]


@router.get(
    "",
    name="list",
    summary="List audit events",
    response_model=Page[AuditEventOut],
    responses=problem_responses(400, 401, 403, 422),
)
async def list_audit_events(
    session: DbSession,
    principal: AuditReader,
    page: PageQuery,
    entity_type: Annotated[ClientText | None, Query(max_length=40, examples=["user"])] = None,
    entity_id: Annotated[ClientText | None, Query(max_length=64)] = None,
    actor_id: uuid.UUID | None = None,
    action: Annotated[ClientText | None, Query(max_length=80, examples=["user.created"])] = None,
    occurred_from: Annotated[
        Instant | None, Query(description="Events at or after this instant (RFC 3339).")
    ] = None,
    occurred_to: Annotated[
        Instant | None, Query(description="Events before this instant (RFC 3339).")
    ] = None,
    region_id: Annotated[uuid.UUID | None, Query(description="Superadmins only.")] = None,
) -> Page[AuditEventOut]:
    """The append-only audit trail of the caller's region, newest first (every region for
    superadmins)."""
    filters = service.EventFilters(
        region_id=region_id,
        entity_type=entity_type,
        entity_id=entity_id,
        actor_id=actor_id,
        action=action,
        occurred_from=occurred_from,
        occurred_to=occurred_to,
    )
    events, cursor = await service.list_events(session, principal, filters, page=page)
    return Page(items=[AuditEventOut.model_validate(e) for e in events], next_cursor=cursor)
