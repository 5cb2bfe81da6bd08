import uuid
from typing import Annotated

from fastapi import Request
from fastapi.responses import JSONResponse, StreamingResponse

from kinerja_api.auth.access import requires, rule_of
from kinerja_api.auth.principal import Principal
from kinerja_api.auth.reading import csv_list
from kinerja_api.core.csv_export import CsvWanted, csv_content
from kinerja_api.core.exportable import ExportableList, exportable
from kinerja_api.core.idempotency import IdempotencyKey, idempotent_create
from kinerja_api.core.pagination import PageQuery
from kinerja_api.core.problems import problem_responses
from kinerja_api.core.routing import Router
from kinerja_api.core.schemas import query_parameters
from kinerja_api.core.uow import DbSession
from kinerja_api.models.org import Role
from kinerja_api.training.ledger import service
from kinerja_api.training.ledger.schemas import (
    COMPLIANCE_COLUMNS,
    CompetencyOut,
    CompliancePage,
    ComplianceQuery,
    ComplianceSort,
    JpEntryCreate,
    JpEntryOut,
    Year,
)
from kinerja_api.training.programs.repository import READ_SCOPE

router = Router(prefix="/api/v1/employees", tags=["training-ledger"])
reports_router = Router(prefix="/api/v1/reports", tags=["training-ledger"])
Recorder = Annotated[Principal, requires(Role.TRAINING_ADMIN, Role.REGION_ADMIN)]
# Each reader sees the ledgers of the employees they may read (`repository.readable`).
Reader = Annotated[
    Principal,
    requires(
        Role.SUPERADMIN,
        Role.REGION_ADMIN,
        Role.TRAINING_ADMIN,
        Role.AGENCY_ADMIN,
        Role.AUDITOR,
        Role.EMPLOYEE,
        scopes=[READ_SCOPE],
    ),
]
REPORT = requires(
    Role.SUPERADMIN,
    Role.REGION_ADMIN,
    Role.TRAINING_ADMIN,
    Role.AGENCY_ADMIN,
    Role.AUDITOR,
)
Reporter = Annotated[Principal, REPORT]
COMPLIANCE = exportable(
    ExportableList(
        name="jp-compliance",
        columns=COMPLIANCE_COLUMNS,
        filters=ComplianceQuery,
        sorts=ComplianceSort,
        default_sort=ComplianceSort.NAME,
        readers=rule_of(REPORT),
        query=service.compliance_query,
        views=service.compliance_views,
    )
)


@router.post(
    "/{employee_id}/jp-entries",
    status_code=201,
    name="record-jp",
    summary="Record JP from an activity outside the catalog",
    response_model=JpEntryOut,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def record_jp(
    employee_id: uuid.UUID,
    request: Request,
    body: JpEntryCreate,
    session: DbSession,
    principal: Recorder,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """JP of an activity outside the training catalog (another institution's course, a
    seminar, a diklat), with the evidence they are recorded from, credited to the employee's
    ledger in the calendar year of the region's zone in which the activity ended. Training and
    region administrators only; the employee is told (`training.jp_recorded`)."""

    async def run() -> tuple[JpEntryOut, dict[str, str]]:
        entry = await service.record_external(session, principal, employee_id, body)
        return service.entry_out(entry), {}

    return await idempotent_create(
        session, request, principal_key=principal.key, key=idempotency_key, payload=body, create=run
    )


@router.get(
    "/{employee_id}/competency",
    name="competency",
    summary="Get an employee's yearly competency development (JP)",
    response_model=CompetencyOut,
    responses=problem_responses(401, 403, 404, 422),
)
async def get_competency(
    employee_id: uuid.UUID, session: DbSession, principal: Reader, year: Year = None
) -> CompetencyOut:
    """The year's activities (completed trainings of the catalog and JP recorded from outside
    it) and their JP against the yearly minimum: 20 JP for a PNS (PP 17/2020), none for a PPPK.
    The year is the calendar year of the region's zone: an activity ending at 1 January 00:30
    WITA counts in the new year. For the employee, their supervisors, agency administrators of
    their agency's subtree, and the region's training and region administrators and
    auditors."""
    return await service.competency(session, principal, employee_id, year)


@reports_router.get(
    "/jp-compliance",
    name="jp-compliance",
    summary="Get the JP compliance report of an agency subtree",
    response_model=CompliancePage,
    responses={
        **problem_responses(400, 401, 403, 404, 422),
        **csv_content("Every employee of the report (its `items`), for the year asked."),
    },
)
async def jp_compliance(
    request: Request,
    session: DbSession,
    principal: Reporter,
    page: PageQuery,
    query: Annotated[ComplianceQuery, query_parameters(ComplianceQuery)],
    csv: CsvWanted,
) -> CompliancePage | StreamingResponse:
    """Each active employee of the agency's subtree (`agency_id`; the caller's whole scope if
    not given) by name, with the year's JP, the minimum that applies and the shortfall;
    `only_short=true` keeps those below it. For the region's training and region
    administrators and auditors, and agency administrators (their subtree)."""
    if csv is not None:
        return await csv_list(
            request, session, principal, COMPLIANCE, query, ComplianceSort.NAME, csv
        )
    return await service.compliance(session, principal, query, page)
