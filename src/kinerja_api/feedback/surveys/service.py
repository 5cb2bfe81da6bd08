import uuid
from dataclasses import asdict, dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.auth.policies import not_found
from kinerja_api.auth.principal import Principal
from kinerja_api.core import clock
from kinerja_api.core.audit import record, record_entity
from kinerja_api.core.etag import check_if_match
from kinerja_api.core.events import publish
from kinerja_api.core.i18n import Msg
from kinerja_api.core.listing import ListOf, list_page
from kinerja_api.core.pagination import Keyset, PageParams
from kinerja_api.core.problems import field_problem
from kinerja_api.feedback import abuse, ikm, public
from kinerja_api.feedback.codes import normalize
from kinerja_api.feedback.events import SURVEY_RECEIVED, SurveyEventData
from kinerja_api.feedback.ikm import IkmGrade
from kinerja_api.feedback.scope import covers_region, staff_scope
from kinerja_api.feedback.surveys.schemas import (
    CategoryOut,
    ElementOut,
    FeedbackFilters,
    FeedbackReceipt,
    FeedbackSort,
    FeedbackSubmit,
    HideComment,
    IkmQuarterOut,
    IkmQuery,
    IkmReport,
    IkmScopeKind,
    StaffIkmOut,
)
from kinerja_api.models.feedback import (
    IKM_ELEMENTS,
    FeedbackResponse,
    ServiceUnit,
    ServiceUnitStaff,
)
from kinerja_api.models.org import Agency
from kinerja_api.org.agencies.service import in_subtree

# Below this many responses a staff member's figures are withheld (PermenPANRB 14/2017 asks
# that no respondent be identifiable).
MIN_STAFF_RESPONSES = 5
# Not the staff member: the audit trail is read by administrators and auditors, and the staff
# link of single responses would undo the 5-response rule.
AUDITED = ("service_unit_id", "agency_id", *IKM_ELEMENTS)
_UNIT_UNKNOWN = Msg(
    "Kode unit layanan tidak dikenal atau tidak aktif.",
    "The service unit code is unknown or inactive.",
)
_STAFF_UNKNOWN = Msg(
    "Kode petugas tidak dikenal di unit layanan ini.",
    "The staff code is unknown at this service unit.",
)
FIRST_YEAR, LAST_YEAR = 2000, 2100
_OUT_OF_RANGE = Msg(
    f"Tanggal harus antara tahun {FIRST_YEAR} dan {LAST_YEAR}.",
    f"Dates must lie between the years {FIRST_YEAR} and {LAST_YEAR}.",
)
_EMPTY_RANGE = Msg(
    "date_to tidak boleh sebelum date_from.", "date_to must not be before date_from."
)
_ONE_SCOPE = Msg(
    "Pilih unit_id atau agency_id, tidak keduanya.", "Give unit_id or agency_id, not both."
)
_NAME_A_SCOPE = Msg(
    "Superadmin memilih unit_id atau agency_id.", "Superadmins give unit_id or agency_id."
)
_LIST = ListOf(
    "feedback",
    {
        FeedbackSort.NEWEST: Keyset(
            (FeedbackResponse.submitted_at, FeedbackResponse.id), descending=True
        ),
        FeedbackSort.UPDATED_AT: Keyset((FeedbackResponse.updated_at, FeedbackResponse.id)),
    },
)


# --- public submission --------------------------------------------------------------------


def _receipt(unit_name: str) -> FeedbackReceipt:
    return FeedbackReceipt(service_unit_name=unit_name, received_at=clock.utc_now())


async def submit(session: AsyncSession, request: Request, data: FeedbackSubmit) -> FeedbackReceipt:
    unit = await public.active_unit(session, data.unit_code)
    if unit is None:
        raise field_problem("body.unit_code", _UNIT_UNKNOWN, code="not_found")
    if data.website:
        # A bot filled the honeypot: it gets the answer a person would, and nothing is kept.
        return _receipt(unit.name)
    staff_id = await _staff_id(session, unit, data.staff_code)
    payload = data.model_dump(mode="json", exclude={"website"})
    await abuse.refuse_duplicates(session, request, abuse.fingerprint(request, payload))
    profile = data.respondent.model_dump() if data.respondent is not None else {}
    response = FeedbackResponse(
        region_id=unit.region_id,
        service_unit_id=unit.id,
        agency_id=unit.agency_id,
        staff_id=staff_id,
        comment=data.comment,
        **{element: getattr(data, element) for element in IKM_ELEMENTS},
        **profile,
    )
    session.add(response)
    await session.flush()
    await record_entity(session, None, "feedback", "received", response, AUDITED)
    # Not `feedback.*`: that family carries plan comments to staff progress streams.
    await publish(
        session,
        SURVEY_RECEIVED,
        region_id=unit.region_id,
        entity_type="feedback",
        entity_id=response.id,
        agency_id=unit.agency_id,
        payload=SurveyEventData(service_unit_id=unit.id),
    )
    return FeedbackReceipt(service_unit_name=unit.name, received_at=response.submitted_at)


async def _staff_id(
    session: AsyncSession, unit: ServiceUnit, staff_code: str | None
) -> uuid.UUID | None:
    if staff_code is None:
        return None
    staff_id: uuid.UUID | None = await session.scalar(
        select(ServiceUnitStaff.id).where(
            ServiceUnitStaff.code == normalize(staff_code),
            ServiceUnitStaff.region_id == unit.region_id,
            ServiceUnitStaff.service_unit_id == unit.id,
            ServiceUnitStaff.active,
        )
    )
    if staff_id is None:
        raise field_problem("body.staff_code", _STAFF_UNKNOWN, code="not_found")
    return staff_id


# --- staff: reading and moderation --------------------------------------------------------


def _visible(principal: Principal) -> ColumnElement[bool]:
    return staff_scope(principal, FeedbackResponse.region_id, FeedbackResponse.agency_id)


async def list_feedback(
    session: AsyncSession,
    principal: Principal,
    *,
    filters: FeedbackFilters,
    sort: FeedbackSort,
    page: PageParams,
) -> tuple[list[FeedbackResponse], str | None]:
    has_comment = FeedbackResponse.comment.is_not(None)
    return await list_page(
        session,
        select(FeedbackResponse).where(_visible(principal)),
        _LIST,
        sort,
        cursor_filters=asdict(filters),
        page=page,
        equal={
            FeedbackResponse.service_unit_id: filters.service_unit_id,
            FeedbackResponse.comment_hidden: filters.comment_hidden,
        },
        where=[
            None
            if filters.has_comment is None
            else has_comment
            if filters.has_comment
            else ~has_comment
        ],
        updated_at=FeedbackResponse.updated_at,
        updated_since=filters.updated_since,
    )


async def get_feedback(
    session: AsyncSession, principal: Principal, feedback_id: uuid.UUID
) -> FeedbackResponse:
    response: FeedbackResponse | None = await session.scalar(
        select(FeedbackResponse).where(FeedbackResponse.id == feedback_id, _visible(principal))
    )
    if response is None:
        raise not_found("Feedback")
    return response


async def hide_comment(
    session: AsyncSession,
    principal: Principal,
    feedback_id: uuid.UUID,
    data: HideComment,
    if_match: str | None,
) -> FeedbackResponse:
    """Hides abusive text from every reader; the scores still count."""
    response = await get_feedback(session, principal, feedback_id)
    check_if_match(if_match, response.version)
    if response.comment_hidden:
        return response
    response.comment_hidden = True
    await session.flush()
    # The trail names the reason, never the abusive text itself.
    await record(
        session,
        principal,
        "feedback.comment_hidden",
        entity_type="feedback",
        entity_id=response.id,
        region_id=response.region_id,
        before={"comment_hidden": False},
        after={"comment_hidden": True, "reason": data.reason},
    )
    return response


# --- the IKM report -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _ReportScope:
    kind: IkmScopeKind
    scope_id: uuid.UUID
    region_id: uuid.UUID
    covered: ColumnElement[bool]


async def _report_scope(
    session: AsyncSession, principal: Principal, query: IkmQuery
) -> _ReportScope:
    """What the report covers, as a filter on feedback rows (inside the caller's scope)."""
    if query.unit_id is not None and query.agency_id is not None:
        raise field_problem("query.agency_id", _ONE_SCOPE)
    if query.unit_id is not None:
        unit = (
            await session.execute(
                select(ServiceUnit.id, ServiceUnit.region_id).where(
                    ServiceUnit.id == query.unit_id,
                    staff_scope(principal, ServiceUnit.region_id, ServiceUnit.agency_id),
                )
            )
        ).one_or_none()
        if unit is None:
            raise not_found("Service unit")
        return _ReportScope(
            IkmScopeKind.UNIT, unit.id, unit.region_id, FeedbackResponse.service_unit_id == unit.id
        )
    if query.agency_id is not None:
        return await _subtree(session, principal, query.agency_id)
    if covers_region(principal) and principal.region_id is not None:
        return _ReportScope(
            IkmScopeKind.REGION,
            principal.region_id,
            principal.region_id,
            FeedbackResponse.region_id == principal.region_id,
        )
    if principal.is_superadmin:
        # Every region at once would mix calendars; a superadmin names what to report on.
        raise field_problem("query.unit_id", _NAME_A_SCOPE)
    if principal.agency_id is None:
        raise not_found("Agency")
    return await _subtree(session, principal, principal.agency_id)


async def _subtree(
    session: AsyncSession, principal: Principal, agency_id: uuid.UUID
) -> _ReportScope:
    agency = (
        await session.execute(
            select(Agency.path, Agency.region_id).where(
                Agency.id == agency_id, staff_scope(principal, Agency.region_id, Agency.id)
            )
        )
    ).one_or_none()
    if agency is None:
        raise not_found("Agency")
    return _ReportScope(
        IkmScopeKind.AGENCY,
        agency_id,
        agency.region_id,
        in_subtree(FeedbackResponse.agency_id, agency.path),
    )


def _sums() -> list[Any]:
    return [func.count(), *(func.sum(getattr(FeedbackResponse, e)) for e in IKM_ELEMENTS)]


def _figures(respondents: int, sums: list[int]) -> tuple[ikm.IkmResult | None, dict[str, Any]]:
    result = ikm.compute(respondents, sums)
    if result is None:
        return None, {"respondents": 0, "ikm": None, "category": None}
    category = result.category
    return result, {
        "respondents": respondents,
        "ikm": result.ikm_rounded,
        "category": CategoryOut(grade=category.grade, label=category.label),
    }


def _row_sums(row: Any, offset: int) -> tuple[int, list[int]]:
    return int(row[offset]), [int(value or 0) for value in row[offset + 1 : offset + 10]]


async def ikm_report(session: AsyncSession, principal: Principal, query: IkmQuery) -> IkmReport:
    for name, day in (("date_from", query.date_from), ("date_to", query.date_to)):
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise field_problem(f"query.{name}", _OUT_OF_RANGE, code="range")
    if query.date_to < query.date_from:
        raise field_problem("query.date_to", _EMPTY_RANGE)
    scope = await _report_scope(session, principal, query)
    zone_name = await clock.region_zone(session, scope.region_id)
    zone = ZoneInfo(zone_name)
    start = datetime.combine(query.date_from, time(), tzinfo=zone)
    end = datetime.combine(query.date_to + timedelta(days=1), time(), tzinfo=zone)
    base: Select[Any] = (
        select(*_sums())
        .select_from(FeedbackResponse)
        .where(
            _visible(principal),
            scope.covered,
            FeedbackResponse.submitted_at >= start,
            FeedbackResponse.submitted_at < end,
        )
    )
    total = (await session.execute(base)).one()
    respondents, sums = _row_sums(total, 0)
    result, figures = _figures(respondents, sums)
    elements = [
        ElementOut(element=element, nrr=ikm.round_half_up(nrr, 3))
        for element, nrr in zip(IKM_ELEMENTS, result.nrr if result else (), strict=False)
    ]
    return IkmReport(
        scope=scope.kind,
        scope_id=scope.scope_id,
        date_from=query.date_from,
        date_to=query.date_to,
        timezone=zone_name,
        elements=elements,
        quarters=await _quarters(session, base, zone_name),
        staff=await _staff(session, base),
        **figures,
    )


async def _quarters(session: AsyncSession, base: Select[Any], zone: str) -> list[IkmQuarterOut]:
    local = func.timezone(zone, FeedbackResponse.submitted_at)
    year = func.extract("year", local)
    quarter = func.extract("quarter", local)
    rows = await session.execute(
        base.add_columns(year, quarter).group_by(year, quarter).order_by(year, quarter)
    )
    quarters = []
    for row in rows:
        respondents, sums = _row_sums(row, 0)
        _, figures = _figures(respondents, sums)
        quarters.append(IkmQuarterOut(year=int(row[10]), quarter=int(row[11]), **figures))
    return quarters


async def _staff(session: AsyncSession, base: Select[Any]) -> list[StaffIkmOut]:
    statement = (
        base.add_columns(
            ServiceUnitStaff.id,
            ServiceUnitStaff.employee_id,
            ServiceUnitStaff.code,
            ServiceUnitStaff.label,
        )
        .join(ServiceUnitStaff, ServiceUnitStaff.id == FeedbackResponse.staff_id)
        .group_by(ServiceUnitStaff.id)
        .having(func.count() >= MIN_STAFF_RESPONSES)
        .order_by(ServiceUnitStaff.label, ServiceUnitStaff.id)
    )
    staff = []
    for row in await session.execute(statement):
        respondents, sums = _row_sums(row, 0)
        _, figures = _figures(respondents, sums)
        staff.append(
            StaffIkmOut(
                staff_id=row[10], employee_id=row[11], code=row[12], label=row[13], **figures
            )
        )
    return staff


# --- one employee's figures, for other domains ---------------------------------------------


@dataclass(frozen=True, slots=True)
class StaffSatisfaction:
    """The citizens' satisfaction with one employee over a time range, across every service
    unit they serve at: the IKM and its category, and each element's average."""

    respondents: int
    ikm: Decimal
    grade: IkmGrade
    label: str
    elements: tuple[tuple[str, Decimal], ...]


async def staff_satisfaction(
    session: AsyncSession,
    region_id: uuid.UUID,
    employee_id: uuid.UUID,
    starts_at: datetime,
    ends_at: datetime,
) -> StaffSatisfaction | None:
    """The IKM of the questionnaires naming `employee_id` as the staff who served, submitted in
    [starts_at, ends_at); None below `MIN_STAFF_RESPONSES` of them, so that no respondent can
    be singled out."""
    row = (
        await session.execute(
            select(*_sums())
            .select_from(FeedbackResponse)
            .join(ServiceUnitStaff, ServiceUnitStaff.id == FeedbackResponse.staff_id)
            .where(
                FeedbackResponse.region_id == region_id,
                ServiceUnitStaff.region_id == region_id,
                ServiceUnitStaff.employee_id == employee_id,
                FeedbackResponse.submitted_at >= starts_at,
                FeedbackResponse.submitted_at < ends_at,
            )
        )
    ).one()
    respondents, sums = _row_sums(row, 0)
    result = ikm.compute(respondents, sums) if respondents >= MIN_STAFF_RESPONSES else None
    if result is None:
        return None
    category = result.category
    return StaffSatisfaction(
        respondents=respondents,
        ikm=result.ikm_rounded,
        grade=category.grade,
        label=category.label,
        elements=tuple(
            (element, ikm.round_half_up(nrr, 3))
            for element, nrr in zip(IKM_ELEMENTS, result.nrr, strict=True)
        ),
    )
