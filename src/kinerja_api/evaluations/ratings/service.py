"""Ratings (penilaian) by the pejabat penilai, who is the approver of the employee's plan: the
hasil kerja and perilaku ratings, the suggestion behind the first, and the predikat that only
the regulation's matrix gives. A rating is a draft until its agency's ratings are locked
(calibration); afterwards only an objection's decision changes it."""

import uuid
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any, Protocol

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.auth.policies import forbidden, not_found, region_of
from kinerja_api.auth.principal import Principal
from kinerja_api.core.audit import record_entity, snapshot
from kinerja_api.core.etag import check_if_match
from kinerja_api.core.events import publish
from kinerja_api.core.i18n import Msg
from kinerja_api.core.listing import ListOf, list_page
from kinerja_api.core.pagination import Keyset, PageParams
from kinerja_api.core.problems import (
    CONFLICT,
    FORBIDDEN,
    RATING_LOCKED,
    Problem,
    field_problem,
)
from kinerja_api.evaluations.events import RatingEventData, RatingEventType
from kinerja_api.evaluations.predicate import (
    TargetResult,
    predicate,
    suggest_hasil_kerja,
    utama_below_expectation,
)
from kinerja_api.evaluations.ratings import repository
from kinerja_api.evaluations.ratings.schemas import (
    AchievementEvidenceOut,
    RatingCreate,
    RatingDetailOut,
    RatingFilters,
    RatingOut,
    RatingSort,
    RatingUpdate,
    TargetEvidenceOut,
)
from kinerja_api.evaluations.results.service import perilaku_evidence
from kinerja_api.models.evaluations import (
    AgencyRatingStatus,
    EvaluationRating,
    RatingLevel,
    RatingStatus,
)
from kinerja_api.models.plans import PlanStatus
from kinerja_api.org.agencies import service as agencies
from kinerja_api.plans.api import find_readable_plan, plan_achievement

AUDITED = (
    "plan_id",
    "employee_id",
    "rater_id",
    "hasil_kerja",
    "hasil_kerja_suggestion",
    "perilaku",
    "predicate",
    "note",
    "status",
    "locked_at",
)
RATING_CONSTRAINT = "uq_evaluation_ratings_region_id_period_id_employee_id"
_LIST = ListOf(
    "evaluation-ratings",
    {
        RatingSort.UPDATED_AT: Keyset((EvaluationRating.updated_at, EvaluationRating.id)),
        RatingSort.UPDATED_AT_DESC: Keyset(
            (EvaluationRating.updated_at, EvaluationRating.id), descending=True
        ),
        RatingSort.CREATED_AT: Keyset((EvaluationRating.created_at, EvaluationRating.id)),
    },
)
_PLAN_UNKNOWN = Msg(
    "Rencana kinerja (SKP) tidak ditemukan.", "The performance plan (SKP) does not exist."
)
_NOT_APPROVER = Msg(
    "Hanya pejabat penilai, yaitu yang menyetujui SKP ini, yang dapat menilainya.",
    "Only the pejabat penilai, who approved this plan, may rate it.",
)
_NOT_APPROVED = Msg(
    "SKP harus berstatus disetujui sebelum dinilai (status sekarang: {status}).",
    "The plan must be approved before it is rated (it is {status}).",
)
_DUPLICATE = Msg(
    "Pegawai ini sudah dinilai untuk periode ini; ubah penilaian yang ada.",
    "This employee is already rated for the period; change the existing rating.",
)
_LOCKED = Msg(
    "Penilaian unit kerja ini untuk periode ini sudah ditetapkan dan tidak dapat diubah.",
    "The agency's ratings for this period are locked and cannot change.",
)
ABOVE_REFUSED = Msg(
    "Hasil kerja tidak dapat 'di atas ekspektasi' selama ada sasaran utama yang di bawah "
    "ekspektasi ({targets}).",
    "Hasil kerja cannot be 'above expectation' while a main (utama) target is below its "
    "expectation ({targets}).",
)


# --- the evidence --------------------------------------------------------------------------


async def evidence(
    session: AsyncSession, region_id: uuid.UUID, plan_id: uuid.UUID
) -> AchievementEvidenceOut:
    """The plan's achievement as it stands, target by target, and the hasil kerja it suggests."""
    targets = await repository.targets_of_plan(session, region_id, plan_id)
    figures = await plan_achievement(session, region_id, plan_id, [t.id for t in targets])
    percents = {t.target_id: t.percent for t in figures.targets}
    results = [TargetResult(t.kind, percents[t.id]) for t in targets]
    utama_below = utama_below_expectation(results)
    return AchievementEvidenceOut(
        percent=figures.percent,
        suggestion=suggest_hasil_kerja(figures.percent, results),
        utama_below_expectation=utama_below,
        above_allowed=not utama_below,
        targets=[
            TargetEvidenceOut(
                target_id=t.id,
                kind=t.kind,
                title=t.title,
                percent=result.percent,
                below_expectation=result.percent < 100,
            )
            for t, result in zip(targets, results, strict=True)
        ],
    )


def refuse_above(
    hasil_kerja: RatingLevel, found: AchievementEvidenceOut, field: str = "body.hasil_kerja"
) -> None:
    """`above` is never recorded while a `utama` target is below its expectation (422)."""
    if hasil_kerja == RatingLevel.ABOVE and not found.above_allowed:
        below = ", ".join(
            t.title for t in found.targets if t.kind == "utama" and t.below_expectation
        )
        raise field_problem(field, ABOVE_REFUSED, code="above_not_allowed", targets=below)


async def detail(
    session: AsyncSession, rating: EvaluationRating, found: AchievementEvidenceOut
) -> RatingDetailOut:
    perilaku = await perilaku_evidence(
        session, rating.region_id, rating.period_id, rating.employee_id
    )
    return RatingDetailOut(
        **RatingOut.model_validate(rating).model_dump(),
        achievement=found,
        perilaku_evidence=perilaku,
    )


class RatingRef(Protocol):
    """What a rating event names of a rating (an entity, or a row of a bulk change)."""

    @property
    def id(self) -> uuid.UUID: ...

    @property
    def region_id(self) -> uuid.UUID: ...

    @property
    def period_id(self) -> uuid.UUID: ...

    @property
    def employee_id(self) -> uuid.UUID: ...

    @property
    def agency_id(self) -> uuid.UUID: ...

    @property
    def status(self) -> str: ...


async def publish_rating(
    session: AsyncSession, event_type: RatingEventType, rating: RatingRef
) -> None:
    """A rating event, to the rated employee (and their agency's readers)."""
    await publish(
        session,
        event_type,
        region_id=rating.region_id,
        entity_type="evaluation_rating",
        entity_id=rating.id,
        employee_id=rating.employee_id,
        agency_id=rating.agency_id,
        payload=RatingEventData(
            rating_id=rating.id, period_id=rating.period_id, status=RatingStatus(rating.status)
        ),
    )


# --- reading -------------------------------------------------------------------------------


async def list_ratings(
    session: AsyncSession,
    principal: Principal,
    *,
    filters: RatingFilters,
    sort: RatingSort,
    page: PageParams,
) -> tuple[list[EvaluationRating], str | None]:
    return await list_page(
        session,
        repository.readable_ratings(principal),
        _LIST,
        sort,
        cursor_filters=asdict(filters),
        page=page,
        equal={
            EvaluationRating.period_id: filters.period_id,
            EvaluationRating.predicate: filters.predicate,
            EvaluationRating.status: filters.status,
            EvaluationRating.employee_id: filters.employee_id,
            EvaluationRating.rater_id: filters.rater_id,
        },
        subtree=agencies.subtree(principal, filters.under, EvaluationRating.agency_id),
        updated_at=EvaluationRating.updated_at,
        updated_since=filters.updated_since,
    )


async def find_rating(
    session: AsyncSession, principal: Principal, rating_id: uuid.UUID
) -> EvaluationRating:
    rating = await repository.find(session, principal, rating_id)
    if rating is None:
        raise not_found("Rating")
    return rating


async def get_rating(
    session: AsyncSession, principal: Principal, rating_id: uuid.UUID
) -> RatingDetailOut:
    rating = await find_rating(session, principal, rating_id)
    return await detail(session, rating, await evidence(session, rating.region_id, rating.plan_id))


# --- writing -------------------------------------------------------------------------------


async def _refuse_when_locked(
    session: AsyncSession, region_id: uuid.UUID, period_id: uuid.UUID, agency_id: uuid.UUID
) -> None:
    status = await repository.covering_lock_status(session, region_id, period_id, agency_id)
    if status == AgencyRatingStatus.LOCKED:
        raise Problem(RATING_LOCKED, _LOCKED)


async def create_rating(
    session: AsyncSession, principal: Principal, data: RatingCreate
) -> RatingDetailOut:
    region_id = region_of(principal)
    me = principal.employee_id
    plan = await find_readable_plan(session, principal, data.plan_id)
    if plan is None:
        raise field_problem("body.plan_id", _PLAN_UNKNOWN, code="not_found")
    if me is None or plan.approver_id != me:
        raise Problem(FORBIDDEN, _NOT_APPROVER)
    if plan.status != PlanStatus.APPROVED:
        raise Problem(
            CONFLICT, _NOT_APPROVED, params={"status": plan.status}, plan_status=plan.status
        )
    await _refuse_when_locked(session, region_id, plan.period_id, plan.agency_id)
    existing = await repository.of_employee(session, region_id, plan.period_id, plan.employee_id)
    if existing is not None:
        raise Problem(CONFLICT, _DUPLICATE, rating_id=str(existing))
    found = await evidence(session, region_id, plan.id)
    refuse_above(data.hasil_kerja, found)
    rating = EvaluationRating(
        region_id=region_id,
        period_id=plan.period_id,
        plan_id=plan.id,
        employee_id=plan.employee_id,
        agency_id=plan.agency_id,
        rater_id=me,
        hasil_kerja=data.hasil_kerja.value,
        hasil_kerja_suggestion=found.suggestion.value,
        perilaku=data.perilaku.value,
        predicate=predicate(data.perilaku, data.hasil_kerja).value,
        note=data.note,
    )
    session.add(rating)
    try:
        await session.flush()
    except IntegrityError as exc:
        if RATING_CONSTRAINT in str(exc.orig):
            raise Problem(CONFLICT, _DUPLICATE) from exc
        raise
    await record_entity(session, principal, "evaluation_rating", "created", rating, AUDITED)
    await publish_rating(session, "evaluation.rated", rating)
    return await detail(session, rating, found)


async def update_rating(
    session: AsyncSession,
    principal: Principal,
    rating_id: uuid.UUID,
    data: RatingUpdate,
    if_match: str | None,
) -> RatingDetailOut:
    """Only the rater changes a rating, and only while it is a draft."""
    rating = await find_rating(session, principal, rating_id)
    if principal.employee_id is None or rating.rater_id != principal.employee_id:
        raise forbidden("Rating")
    check_if_match(if_match, rating.version)
    if rating.status == RatingStatus.LOCKED:
        raise Problem(RATING_LOCKED, _LOCKED)
    await _refuse_when_locked(session, rating.region_id, rating.period_id, rating.agency_id)
    await repository.lock(session, rating)
    check_if_match(if_match, rating.version)
    if rating.status == RatingStatus.LOCKED:
        raise Problem(RATING_LOCKED, _LOCKED)
    before = snapshot(rating, AUDITED)
    found = await evidence(session, rating.region_id, rating.plan_id)
    changes = data.changes()
    apply_levels(rating, found, changes.get("hasil_kerja"), changes.get("perilaku"))
    if "note" in changes:
        rating.note = changes["note"]
    await session.flush()
    await record_entity(
        session, principal, "evaluation_rating", "updated", rating, AUDITED, before=before
    )
    await publish_rating(session, "evaluation.rating_updated", rating)
    return await detail(session, rating, found)


def apply_levels(
    rating: EvaluationRating,
    found: AchievementEvidenceOut,
    hasil_kerja: Any,
    perilaku: Any,
    *,
    field_prefix: str = "body",
) -> None:
    """New levels (None: unchanged) on the rating, the predikat read again from the matrix and
    the suggestion refreshed. `above` is refused while a `utama` target is below expectation,
    even when kept from before: achievement may have fallen since it was recorded."""
    level = RatingLevel(hasil_kerja if hasil_kerja is not None else rating.hasil_kerja)
    behaviour = RatingLevel(perilaku if perilaku is not None else rating.perilaku)
    refuse_above(level, found, f"{field_prefix}.hasil_kerja")
    rating.hasil_kerja = level.value
    rating.perilaku = behaviour.value
    rating.hasil_kerja_suggestion = found.suggestion.value
    rating.predicate = predicate(behaviour, level).value


def views(ratings: Sequence[EvaluationRating]) -> list[RatingOut]:
    return [RatingOut.model_validate(rating) for rating in ratings]
