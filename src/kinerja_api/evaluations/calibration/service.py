"""Calibration: each agency's organisation predikat for a period, set by the region's
administrators, and the lock of the agency's ratings once their spread of predikat fits the
curve of that organisation predikat (PermenPANRB 6/2022). An organisation predikat covers the
agency's subtree; the lock turns every draft rating there into a locked one, in one
transaction, and tells each rated employee."""

import uuid
from dataclasses import asdict

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from kinerja_api.auth.policies import not_found, region_of
from kinerja_api.auth.principal import Principal
from kinerja_api.core import clock
from kinerja_api.core.audit import Change, record_all, record_entity, snapshot
from kinerja_api.core.etag import check_if_match
from kinerja_api.core.i18n import Msg
from kinerja_api.core.listing import ListOf, list_page
from kinerja_api.core.pagination import Keyset, PageParams
from kinerja_api.core.problems import (
    CONFLICT,
    DISTRIBUTION_MISFIT,
    RATING_LOCKED,
    Problem,
    field_problem,
)
from kinerja_api.evaluations import curves
from kinerja_api.evaluations.calibration import repository
from kinerja_api.evaluations.calibration.distribution import Distribution, distribution
from kinerja_api.evaluations.calibration.schemas import (
    AgencyRatingCreate,
    AgencyRatingDetailOut,
    AgencyRatingFilters,
    AgencyRatingOut,
    AgencyRatingSort,
    AgencyRatingUpdate,
    BandOut,
    DistributionOut,
    PredicateCountOut,
)
from kinerja_api.evaluations.ratings.service import publish_rating
from kinerja_api.models.evaluations import (
    AgencyRating,
    AgencyRatingStatus,
    OrganisationPredicate,
    Predicate,
    RatingStatus,
)
from kinerja_api.org.agencies import service as agencies

AUDITED = ("agency_id", "period_id", "predicate", "curve_version", "status", "locked_at")
CONSTRAINT = "uq_agency_ratings_region_id_agency_id_period_id"
_LIST = ListOf(
    "agency-ratings",
    {
        AgencyRatingSort.UPDATED_AT: Keyset((AgencyRating.updated_at, AgencyRating.id)),
        AgencyRatingSort.UPDATED_AT_DESC: Keyset(
            (AgencyRating.updated_at, AgencyRating.id), descending=True
        ),
        AgencyRatingSort.CREATED_AT: Keyset((AgencyRating.created_at, AgencyRating.id)),
    },
)
_AGENCY_UNKNOWN = Msg(
    "Unit kerja tidak ditemukan di wilayah Anda.", "The agency does not exist in your region."
)
_PERIOD_UNKNOWN = Msg(
    "Periode tidak ditemukan di wilayah Anda.", "The period does not exist in your region."
)
_DUPLICATE = Msg(
    "Unit kerja ini sudah memiliki predikat organisasi untuk periode ini.",
    "This agency already has an organisation predikat for the period.",
)
_OVERLAP = Msg(
    "Unit kerja di atas atau di bawah unit ini sudah memiliki predikat organisasi untuk periode "
    "ini; penilaian pegawainya tidak dapat dikalibrasi dua kali.",
    "An agency above or below this one already has an organisation predikat for the period; "
    "its employees' ratings cannot be calibrated twice.",
)
_LOCKED = Msg(
    "Penilaian unit kerja ini untuk periode ini sudah ditetapkan.",
    "The agency's ratings for this period are already locked.",
)
_MISFIT = Msg(
    "Sebaran predikat pegawai tidak sesuai kurva distribusi predikat organisasi '{organisation}'"
    " ({rated} pegawai dinilai): {bands}. Ubah penilaian lalu coba lagi.",
    "The spread of the employees' predikat does not fit the distribution curve of organisation "
    "predikat '{organisation}' ({rated} employees rated): {bands}. Change ratings and retry.",
)


def _describe(violation: curves.Violation) -> str:
    """A band out of its share, language-neutral: `baik 0.8000 > 0.70`."""
    if violation.at_most is not None and violation.share > violation.at_most:
        return f"{violation.band} {violation.share} > {violation.at_most}"
    if violation.at_least is not None:
        return f"{violation.band} {violation.share} < {violation.at_least}"
    return f"{violation.band} {violation.count} < {violation.at_least_count}"


def _misfit(organisation: str, found: Distribution) -> Problem:
    return Problem(
        DISTRIBUTION_MISFIT,
        _MISFIT,
        params={
            "organisation": organisation,
            "rated": found.rated,
            "bands": "; ".join(_describe(v) for v in found.violations),
        },
        rated=found.rated,
        bands=[
            {
                "band": v.band,
                "count": v.count,
                "share": str(v.share),
                "at_most": None if v.at_most is None else str(v.at_most),
                "at_least": None if v.at_least is None else str(v.at_least),
                "at_least_count": v.at_least_count,
            }
            for v in found.violations
        ],
    )


def _distribution_out(found: Distribution) -> DistributionOut:
    return DistributionOut(
        rated=found.rated,
        predicates=[
            PredicateCountOut(predicate=p, count=found.counts[p], share=found.shares[p])
            for p in Predicate
        ],
        bands=[
            BandOut(
                band=figure.band.name,
                predicates=[p for p in Predicate if p in figure.band.predicates],
                count=figure.count,
                share=figure.share,
                at_most=figure.band.at_most,
                at_least=figure.band.at_least,
                at_least_count=figure.band.at_least_count,
                fits=figure.fits,
            )
            for figure in found.bands
        ],
        fits=found.fits,
    )


async def _distribution(session: AsyncSession, agency_rating: AgencyRating) -> Distribution:
    path = await repository.agency_path(session, agency_rating.region_id, agency_rating.agency_id)
    counts = (
        {}
        if path is None
        else await repository.predicate_counts(
            session, agency_rating.region_id, agency_rating.period_id, path
        )
    )
    return distribution(
        OrganisationPredicate(agency_rating.predicate), counts, agency_rating.curve_version
    )


async def _detail(session: AsyncSession, agency_rating: AgencyRating) -> AgencyRatingDetailOut:
    found = await _distribution(session, agency_rating)
    return AgencyRatingDetailOut(
        **AgencyRatingOut.model_validate(agency_rating).model_dump(),
        distribution=_distribution_out(found),
    )


# --- reading -------------------------------------------------------------------------------


async def list_agency_ratings(
    session: AsyncSession,
    principal: Principal,
    *,
    filters: AgencyRatingFilters,
    sort: AgencyRatingSort,
    page: PageParams,
) -> tuple[list[AgencyRatingOut], str | None]:
    rows, cursor = await list_page(
        session,
        repository.readable_agency_ratings(principal),
        _LIST,
        sort,
        cursor_filters=asdict(filters),
        page=page,
        equal={
            AgencyRating.period_id: filters.period_id,
            AgencyRating.agency_id: filters.agency_id,
            AgencyRating.predicate: filters.predicate,
            AgencyRating.status: filters.status,
        },
        subtree=agencies.subtree(principal, filters.under, AgencyRating.agency_id),
        updated_at=AgencyRating.updated_at,
        updated_since=filters.updated_since,
    )
    return [AgencyRatingOut.model_validate(row) for row in rows], cursor


async def _find(
    session: AsyncSession, principal: Principal, agency_rating_id: uuid.UUID
) -> AgencyRating:
    found = await repository.find(session, principal, agency_rating_id)
    if found is None:
        raise not_found("Agency rating")
    return found


async def get_agency_rating(
    session: AsyncSession, principal: Principal, agency_rating_id: uuid.UUID
) -> AgencyRatingDetailOut:
    return await _detail(session, await _find(session, principal, agency_rating_id))


# --- writing -------------------------------------------------------------------------------


async def create_agency_rating(
    session: AsyncSession, principal: Principal, data: AgencyRatingCreate
) -> AgencyRatingDetailOut:
    region_id = region_of(principal)
    path = await repository.agency_path(session, region_id, data.agency_id)
    if path is None:
        raise field_problem("body.agency_id", _AGENCY_UNKNOWN, code="not_found")
    if not await repository.period_in_region(session, region_id, data.period_id):
        raise field_problem("body.period_id", _PERIOD_UNKNOWN, code="not_found")
    other = await repository.overlapping(session, region_id, data.period_id, path)
    if other is not None:
        raise Problem(CONFLICT, _OVERLAP, agency_rating_id=str(other))
    agency_rating = AgencyRating(
        region_id=region_id,
        agency_id=data.agency_id,
        period_id=data.period_id,
        predicate=data.predicate.value,
        curve_version=curves.CURRENT_VERSION,
    )
    session.add(agency_rating)
    try:
        await session.flush()
    except IntegrityError as exc:
        if CONSTRAINT in str(exc.orig):
            raise Problem(CONFLICT, _DUPLICATE) from exc
        raise
    await record_entity(session, principal, "agency_rating", "created", agency_rating, AUDITED)
    return await _detail(session, agency_rating)


async def _open_for_change(
    session: AsyncSession, principal: Principal, agency_rating_id: uuid.UUID, if_match: str | None
) -> AgencyRating:
    agency_rating = await _find(session, principal, agency_rating_id)
    check_if_match(if_match, agency_rating.version)
    await repository.lock(session, agency_rating)
    check_if_match(if_match, agency_rating.version)
    if agency_rating.status != AgencyRatingStatus.OPEN:
        raise Problem(RATING_LOCKED, _LOCKED)
    return agency_rating


async def update_agency_rating(
    session: AsyncSession,
    principal: Principal,
    agency_rating_id: uuid.UUID,
    data: AgencyRatingUpdate,
    if_match: str | None,
) -> AgencyRatingDetailOut:
    agency_rating = await _open_for_change(session, principal, agency_rating_id, if_match)
    before = snapshot(agency_rating, AUDITED)
    if data.predicate is not None:
        agency_rating.predicate = data.predicate.value
        agency_rating.curve_version = curves.CURRENT_VERSION
    await session.flush()
    await record_entity(
        session, principal, "agency_rating", "updated", agency_rating, AUDITED, before=before
    )
    return await _detail(session, agency_rating)


async def lock_agency_ratings(
    session: AsyncSession, principal: Principal, agency_rating_id: uuid.UUID, if_match: str | None
) -> AgencyRatingDetailOut:
    """Checks the spread of the subtree's ratings against the curve (DISTRIBUTION_MISFIT,
    naming every band out of its share) and, once it fits, locks the organisation predikat and
    every draft rating of the subtree for the period."""
    agency_rating = await _open_for_change(session, principal, agency_rating_id, if_match)
    found = await _distribution(session, agency_rating)
    if not found.fits:
        raise _misfit(agency_rating.predicate, found)
    before = snapshot(agency_rating, AUDITED)
    now = clock.utc_now()
    path = await repository.agency_path(session, agency_rating.region_id, agency_rating.agency_id)
    locked = (
        []
        if path is None
        else await repository.lock_ratings(
            session, agency_rating.region_id, agency_rating.period_id, path, now
        )
    )
    agency_rating.status = AgencyRatingStatus.LOCKED.value
    agency_rating.locked_at = now
    await session.flush()
    await record_entity(
        session, principal, "agency_rating", "locked", agency_rating, AUDITED, before=before
    )
    await record_all(
        session,
        principal,
        (
            Change(
                "evaluation_rating.locked",
                "evaluation_rating",
                rating.id,
                rating.region_id,
                before={"status": RatingStatus.DRAFT.value, "locked_at": None},
                after={"status": RatingStatus.LOCKED.value, "locked_at": now.isoformat()},
            )
            for rating in locked
        ),
    )
    for rating in locked:
        await publish_rating(session, "evaluation.rating_locked", rating)
    return await _detail(session, agency_rating)
