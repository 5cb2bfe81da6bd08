import uuid
from typing import Annotated

from fastapi import Query, Request, Response
from fastapi.responses import JSONResponse

from kinerja_api.auth.access import requires
from kinerja_api.auth.principal import Principal
from kinerja_api.core.idempotency import IdempotencyKey, idempotent_create
from kinerja_api.core.pagination import Page, PageQuery
from kinerja_api.core.problems import problem_responses
from kinerja_api.core.routing import Router
from kinerja_api.core.schemas import query_parameters
from kinerja_api.core.uow import DbSession
from kinerja_api.feedback.holidays import service
from kinerja_api.feedback.holidays.schemas import (
    HolidayCreate,
    HolidayFilters,
    HolidayOut,
    HolidaySort,
)
from kinerja_api.models.org import Role

router = Router(prefix="/api/v1/holidays", tags=["holidays"])
Reader = Annotated[Principal, requires(*service.READERS)]
Writer = Annotated[Principal, requires(Role.REGION_ADMIN)]


@router.get(
    "",
    name="list",
    summary="List holidays",
    response_model=Page[HolidayOut],
    responses=problem_responses(400, 401, 403, 422),
)
async def list_holidays(
    session: DbSession,
    principal: Reader,
    page: PageQuery,
    filters: Annotated[HolidayFilters, query_parameters(HolidayFilters)],
    sort: Annotated[HolidaySort, Query()] = HolidaySort.DATE,
) -> Page[HolidayOut]:
    """The region's holidays (libur nasional, cuti bersama, local days off), by date unless
    `sort` says otherwise. Complaint deadlines skip them. A deleted day leaves the list;
    syncing clients learn of it from `GET /api/v1/sync/deletions`."""
    rows, cursor = await service.list_holidays(
        session, principal, filters=filters, sort=sort, page=page
    )
    return Page(items=[HolidayOut.model_validate(row) for row in rows], next_cursor=cursor)


@router.post(
    "",
    status_code=201,
    name="create",
    summary="Add a holiday",
    response_model=HolidayOut,
    responses=problem_responses(401, 403, 409, 422),
)
async def create_holiday(
    request: Request,
    body: HolidayCreate,
    session: DbSession,
    principal: Writer,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Add a non-working day. Deadlines already set stay as they are."""

    async def run() -> tuple[HolidayOut, dict[str, str]]:
        holiday = await service.create_holiday(session, principal, body)
        return HolidayOut.model_validate(holiday), {}

    return await idempotent_create(
        session, request, principal_key=principal.key, key=idempotency_key, payload=body, create=run
    )


@router.delete(
    "/{holiday_id}",
    status_code=204,
    name="delete",
    summary="Delete a holiday",
    description=(
        "Remove a holiday of the caller's region; deadlines computed afterwards no longer skip it."
    ),
    response_class=Response,
    responses=problem_responses(401, 403, 404, 422),
)
async def delete_holiday(holiday_id: uuid.UUID, session: DbSession, principal: Writer) -> Response:
    await service.delete_holiday(session, principal, holiday_id)
    return Response(status_code=204)
