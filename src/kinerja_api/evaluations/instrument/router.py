import uuid
from typing import Annotated

from fastapi import Request, Response
from fastapi.responses import JSONResponse

from kinerja_api.auth.access import requires
from kinerja_api.auth.principal import Principal
from kinerja_api.core.etag import IfMatch, created_headers, set_etag
from kinerja_api.core.idempotency import IdempotencyKey, idempotent_create
from kinerja_api.core.problems import problem_responses
from kinerja_api.core.routing import Router
from kinerja_api.core.uow import DbSession
from kinerja_api.evaluations.instrument import service
from kinerja_api.evaluations.instrument.schemas import (
    InstrumentOut,
    StatementCreate,
    StatementOut,
    StatementUpdate,
)
from kinerja_api.models.org import Role

READ_SCOPE = "evaluations:read"
STATEMENTS_PATH = "/api/v1/evaluation-statements"
router = Router(prefix="/api/v1", tags=["evaluation-instrument"])
Reader = Annotated[Principal, requires(any_role=True, scopes=[READ_SCOPE])]
Writer = Annotated[Principal, requires(Role.REGION_ADMIN)]


@router.get(
    "/evaluation-instrument",
    name="read",
    summary="Read the BerAKHLAK instrument",
    response_model=InstrumentOut,
    responses=problem_responses(401, 403),
)
async def read_instrument(session: DbSession, principal: Reader) -> InstrumentOut:
    """The seven core values (nilai dasar BerAKHLAK) a 360° response answers, each with its
    behaviour statements (panduan perilaku): the regulation's first, then the region's own."""
    return await service.instrument(session, principal)


@router.post(
    "/evaluation-statements",
    status_code=201,
    name="create-statement",
    summary="Add a behaviour statement",
    response_model=StatementOut,
    responses=problem_responses(401, 403, 409, 422),
)
async def create_statement(
    request: Request,
    body: StatementCreate,
    session: DbSession,
    principal: Writer,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Extend a core value with a statement of the region's own, after the regulation's. The
    regulation's statements cannot be changed or removed, and no statement is ever deleted."""

    async def run() -> tuple[StatementOut, dict[str, str]]:
        statement = await service.add_statement(session, principal, body)
        headers = created_headers(STATEMENTS_PATH, statement.id, statement.version)
        return StatementOut.model_validate(statement), headers

    return await idempotent_create(
        session, request, principal_key=principal.key, key=idempotency_key, payload=body, create=run
    )


@router.patch(
    "/evaluation-statements/{statement_id}",
    name="update-statement",
    summary="Reword a region's behaviour statement",
    response_model=StatementOut,
    responses=problem_responses(401, 403, 404, 412, 422, 428),
)
async def update_statement(
    statement_id: uuid.UUID,
    body: StatementUpdate,
    session: DbSession,
    principal: Writer,
    response: Response,
    if_match: IfMatch = None,
) -> StatementOut:
    """Reword one of the region's own statements; the regulation's answer 404."""
    statement = await service.update_statement(session, principal, statement_id, body, if_match)
    set_etag(response, statement.version)
    return StatementOut.model_validate(statement)
