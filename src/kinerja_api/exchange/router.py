import uuid
from datetime import date
from typing import Annotated

from fastapi import Query

from kinerja_api.auth.access import requires
from kinerja_api.auth.principal import Principal
from kinerja_api.core.problems import problem_responses
from kinerja_api.core.routing import Router
from kinerja_api.core.uow import DbSession
from kinerja_api.exchange.ekinerja import service as ekinerja
from kinerja_api.exchange.ekinerja.schemas import EKinerjaDocument
from kinerja_api.exchange.lapor import service as lapor
from kinerja_api.exchange.lapor.schemas import LaporDocument
from kinerja_api.models.org import Role
from kinerja_api.plans.api import READ_SCOPE as PLANS_READ

EXCHANGE_SCOPE = "exchange:read"
router = Router(prefix="/api/v1/exchange", tags=["exchange"])
# Each reader sees what the caller may read of the plans: the region's, or an agency
# administrator's subtree; service accounts need the data's own read scope beside this one.
PlansExporter = Annotated[
    Principal,
    requires(
        Role.REGION_ADMIN,
        Role.AGENCY_ADMIN,
        Role.AUDITOR,
        scopes=[PLANS_READ, EXCHANGE_SCOPE],
    ),
]
# The complaints' staff readers, each within what they oversee; no service account, as no scope
# reads complaints (they hold citizens' reports).
ComplaintsExporter = Annotated[
    Principal,
    requires(Role.REGION_ADMIN, Role.AGENCY_ADMIN, Role.COMPLAINT_OFFICER, Role.AUDITOR),
]


@router.get(
    "/e-kinerja/skp",
    name="e-kinerja-skp",
    summary="Export an agency's SKP of a period in e-Kinerja BKN's shape",
    response_model=EKinerjaDocument,
    responses=problem_responses(401, 403, 404, 422),
)
async def e_kinerja_skp(
    session: DbSession,
    principal: PlansExporter,
    agency_id: Annotated[
        uuid.UUID, Query(description="The agency whose subtree's employees are exported.")
    ],
    period_id: Annotated[uuid.UUID, Query(description="The performance period (its year).")],
) -> EKinerjaDocument:
    """Every plan (SKP) of the period whose employee's agency lies in the subtree of
    `agency_id` and that the caller may read, by NIP: the employee, the approving superior
    (pejabat penilai), status and revision, each RHK with the superior's RHK it intervenes in,
    each indicator by aspect with target, realisasi and capaian per quarter (from verified
    progress reports), and the annual predikat once the rating is locked. Region
    administrators and auditors, agency administrators (their subtree), and service accounts
    holding `plans:read` and `exchange:read`. An agency or period the caller cannot see: 404.
    The README's "Exchange formats" shows an example file."""
    return await ekinerja.skp_document(session, principal, agency_id, period_id)


@router.get(
    "/lapor/complaints",
    name="lapor-complaints",
    summary="Export complaints received in a period in SP4N-LAPOR!'s disposition shape",
    response_model=LaporDocument,
    responses=problem_responses(401, 403, 422),
)
async def lapor_complaints(
    session: DbSession,
    principal: ComplaintsExporter,
    received_from: Annotated[
        date, Query(description="The first day, in the region's zone, of the period.")
    ],
    received_to: Annotated[
        date, Query(description="The last day (included); at most 366 days after the first.")
    ],
) -> LaporDocument:
    """Each complaint received in the period that the caller oversees, oldest first, as
    SP4N-LAPOR! follows a report: tracking number, a title (the description's first
    sentence), content, category, location, the dates received and due, the LAPOR! status,
    each disposition to an agency or service unit, the history of its statuses (from the audit
    trail) and the public follow-ups. The citizen's name and contacts are not exported. Region
    administrators and auditors, complaint officers and agency administrators (their
    subtree). The README's "Exchange formats" shows an example file."""
    return await lapor.complaints_document(session, principal, received_from, received_to)
