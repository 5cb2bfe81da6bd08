"""Objections (keberatan): the rated employee objects to a locked rating within the days the
region allows (counted in its calendar); the rater's own supervisor decides, upholding the
rating or changing it, whose predikat is then read again from the matrix. One objection per
rating; everything audited."""

import uuid
from dataclasses import asdict
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.auth.policies import not_found, region_of
from kinerja_api.auth.principal import Principal
from kinerja_api.core import clock
from kinerja_api.core.audit import record_entity, snapshot
from kinerja_api.core.etag import check_if_match
from kinerja_api.core.events import publish
from kinerja_api.core.i18n import Msg
from kinerja_api.core.listing import ListOf, list_page
from kinerja_api.core.pagination import Keyset, PageParams
from kinerja_api.core.problems import (
    FORBIDDEN,
    INVALID_TRANSITION,
    OBJECTION_REFUSED,
    Problem,
    field_problem,
)
from kinerja_api.evaluations.events import ObjectionEventData, ObjectionEventType
from kinerja_api.evaluations.objections import deadlines, repository
from kinerja_api.evaluations.objections.schemas import (
    ObjectionCreate,
    ObjectionDecision,
    ObjectionFilters,
    ObjectionOutcome,
    ObjectionSort,
)
from kinerja_api.evaluations.ratings import repository as ratings
from kinerja_api.evaluations.ratings.service import (
    AUDITED as RATING_AUDITED,
)
from kinerja_api.evaluations.ratings.service import (
    apply_levels,
    evidence,
    publish_rating,
)
from kinerja_api.models.evaluations import EvaluationObjection, ObjectionStatus, RatingStatus

AUDITED = (
    "rating_id",
    "employee_id",
    "decider_id",
    "reasons",
    "status",
    "decision_reasons",
    "previous_predicate",
    "decided_at",
)
CONSTRAINT = "uq_evaluation_objections_region_id_rating_id"
_LIST = ListOf(
    "evaluation-objections",
    {
        ObjectionSort.UPDATED_AT: Keyset((EvaluationObjection.updated_at, EvaluationObjection.id)),
        ObjectionSort.UPDATED_AT_DESC: Keyset(
            (EvaluationObjection.updated_at, EvaluationObjection.id), descending=True
        ),
        ObjectionSort.CREATED_AT: Keyset((EvaluationObjection.created_at, EvaluationObjection.id)),
    },
)
_RATING_UNKNOWN = Msg("Penilaian tidak ditemukan.", "The rating does not exist.")
_NOT_YOURS = Msg(
    "Hanya pegawai yang dinilai yang dapat mengajukan keberatan.",
    "Only the rated employee may object to a rating.",
)
_NOT_DECIDER = Msg(
    "Hanya atasan pejabat penilai yang memutus keberatan ini.",
    "Only the rater's own supervisor decides this objection.",
)
_NOT_LOCKED = Msg(
    "Penilaian belum ditetapkan; keberatan dapat diajukan setelah penilaian unit kerja ditetapkan.",
    "The rating is not locked yet; an objection can be filed once the agency's ratings are locked.",
)
_REPEATED = Msg(
    "Keberatan atas penilaian ini sudah diajukan; hanya satu keberatan per penilaian.",
    "An objection to this rating was already filed; one objection per rating.",
)
_LATE = Msg(
    "Batas waktu keberatan ({days} hari setelah penetapan) berakhir pada {last_day}.",
    "The time to object ({days} days after the lock) ended on {last_day}.",
)
_NO_DECIDER = Msg(
    "Pejabat penilai tidak memiliki atasan yang dapat memutus keberatan.",
    "The rater has no supervisor who could decide the objection.",
)
_DECIDED = Msg("Keberatan ini sudah diputus.", "This objection has already been decided.")


def _refused(message: Msg, reason: str, *, days: int | None = None, last_day: str = "") -> Problem:
    """OBJECTION_REFUSED with its `reason` (and, when late, the `last_day` it could be filed)."""
    if days is None:
        return Problem(OBJECTION_REFUSED, message, reason=reason)
    return Problem(
        OBJECTION_REFUSED,
        message,
        params={"days": days, "last_day": last_day},
        reason=reason,
        days=days,
        last_day=last_day,
    )


async def _publish(
    session: AsyncSession, event_type: ObjectionEventType, objection: EvaluationObjection
) -> None:
    """To the objecting employee; the decider reads it from their own list."""
    await publish(
        session,
        event_type,
        region_id=objection.region_id,
        entity_type="evaluation_objection",
        entity_id=objection.id,
        employee_id=objection.employee_id,
        payload=ObjectionEventData(
            objection_id=objection.id,
            rating_id=objection.rating_id,
            status=ObjectionStatus(objection.status),
        ),
    )


# --- reading -------------------------------------------------------------------------------


async def list_objections(
    session: AsyncSession,
    principal: Principal,
    *,
    filters: ObjectionFilters,
    sort: ObjectionSort,
    page: PageParams,
) -> tuple[list[EvaluationObjection], str | None]:
    return await list_page(
        session,
        repository.readable_objections(principal),
        _LIST,
        sort,
        cursor_filters=asdict(filters),
        page=page,
        equal={
            EvaluationObjection.status: filters.status,
            EvaluationObjection.rating_id: filters.rating_id,
            EvaluationObjection.employee_id: filters.employee_id,
            EvaluationObjection.decider_id: filters.decider_id,
        },
        updated_at=EvaluationObjection.updated_at,
        updated_since=filters.updated_since,
    )


async def get_objection(
    session: AsyncSession, principal: Principal, objection_id: uuid.UUID
) -> EvaluationObjection:
    objection = await repository.find(session, principal, objection_id)
    if objection is None:
        raise not_found("Objection")
    return objection


# --- filing --------------------------------------------------------------------------------


async def file_objection(
    session: AsyncSession, principal: Principal, data: ObjectionCreate, *, days: int
) -> EvaluationObjection:
    """Refused (OBJECTION_REFUSED, with a `reason`) while the rating is not locked, once an
    objection was filed, after the last day, or when the rater has no supervisor to decide."""
    region_id = region_of(principal)
    rating = await ratings.find(session, principal, data.rating_id)
    if rating is None:
        raise field_problem("body.rating_id", _RATING_UNKNOWN, code="not_found")
    if principal.employee_id is None or rating.employee_id != principal.employee_id:
        raise Problem(FORBIDDEN, _NOT_YOURS)
    await ratings.lock(session, rating)
    if rating.status != RatingStatus.LOCKED or rating.locked_at is None:
        raise _refused(_NOT_LOCKED, "not_locked")
    if await repository.of_rating(session, region_id, rating.id) is not None:
        raise _refused(_REPEATED, "repeated")
    zone = ZoneInfo(await clock.region_zone(session, region_id))
    if not deadlines.is_open(clock.utc_now(), rating.locked_at, zone, days):
        last_day = deadlines.last_day(rating.locked_at, zone, days)
        raise _refused(_LATE, "late", days=days, last_day=last_day.isoformat())
    decider_id = await ratings.supervisor_of(session, rating.rater_id)
    if decider_id is None:
        raise _refused(_NO_DECIDER, "no_decider")
    objection = EvaluationObjection(
        region_id=region_id,
        rating_id=rating.id,
        employee_id=rating.employee_id,
        decider_id=decider_id,
        reasons=data.reasons,
        previous_predicate=rating.predicate,
    )
    session.add(objection)
    try:
        await session.flush()
    except IntegrityError as exc:
        if CONSTRAINT in str(exc.orig):
            raise _refused(_REPEATED, "repeated") from exc
        raise
    await record_entity(session, principal, "evaluation_objection", "filed", objection, AUDITED)
    await _publish(session, "evaluation.objection_filed", objection)
    return objection


# --- deciding ------------------------------------------------------------------------------


async def decide(
    session: AsyncSession,
    principal: Principal,
    objection_id: uuid.UUID,
    data: ObjectionDecision,
    if_match: str | None,
) -> EvaluationObjection:
    objection = await get_objection(session, principal, objection_id)
    if principal.employee_id is None or objection.decider_id != principal.employee_id:
        raise Problem(FORBIDDEN, _NOT_DECIDER)
    check_if_match(if_match, objection.version)
    await repository.lock(session, objection)
    check_if_match(if_match, objection.version)
    if objection.status != ObjectionStatus.PENDING:
        raise Problem(
            INVALID_TRANSITION,
            _DECIDED,
            current_status=objection.status,
            attempted_status=data.outcome.value,
        )
    before = snapshot(objection, AUDITED)
    if data.outcome == ObjectionOutcome.CHANGED:
        await _change_rating(session, principal, objection, data)
    objection.status = (
        ObjectionStatus.CHANGED
        if data.outcome == ObjectionOutcome.CHANGED
        else ObjectionStatus.UPHELD
    ).value
    objection.decision_reasons = data.reasons
    objection.decided_at = clock.utc_now()
    await session.flush()
    await record_entity(
        session, principal, "evaluation_objection", "decided", objection, AUDITED, before=before
    )
    await _publish(session, "evaluation.objection_decided", objection)
    return objection


async def _change_rating(
    session: AsyncSession,
    principal: Principal,
    objection: EvaluationObjection,
    data: ObjectionDecision,
) -> None:
    """The rating takes the levels decided and its predikat from the matrix; it stays locked."""
    rating = await repository.rating_for_update(session, objection.region_id, objection.rating_id)
    before = snapshot(rating, RATING_AUDITED)
    found = await evidence(session, rating.region_id, rating.plan_id)
    apply_levels(rating, found, data.hasil_kerja, data.perilaku)
    await session.flush()
    await record_entity(
        session,
        principal,
        "evaluation_rating",
        "changed_on_objection",
        rating,
        RATING_AUDITED,
        before=before,
    )
    await publish_rating(session, "evaluation.rating_updated", rating)
