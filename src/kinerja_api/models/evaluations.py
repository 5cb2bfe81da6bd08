"""360° evaluations (BerAKHLAK instrument, cycles, assignments, anonymous responses), ratings
with their predikat, organisation predikat for calibration, objections and development plans.
The enumerations are in `models.evaluation_terms`, re-exported here."""

import uuid
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from kinerja_api.db import Base
from kinerja_api.models.common import IdMixin, TimestampsMixin, VersionedMixin
from kinerja_api.models.evaluation_terms import (
    ANONYMOUS_RELATIONS,
    AgencyRatingStatus,
    AssignmentStatus,
    CoreValue,
    CycleStatus,
    ObjectionStatus,
    OrganisationPredicate,
    Predicate,
    RaterRelation,
    RatingLevel,
    RatingStatus,
)


def _values_check(column: str) -> str:
    return f"{column} in ({', '.join(repr(value.value) for value in CoreValue)})"


class EvaluationStatement(IdMixin, TimestampsMixin, VersionedMixin, Base):
    """A behaviour statement (panduan perilaku) of a core value. The regulation's statements
    belong to no region (`region_id` null) and cannot be changed or deleted; a region adds its
    own beside them."""

    __tablename__ = "evaluation_statements"

    region_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("regions.id"))
    value: Mapped[str] = mapped_column(String(30))
    text_id: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text)
    position: Mapped[int] = mapped_column(SmallInteger)

    __table_args__ = (
        Index("ix_evaluation_statements_region_id_value", "region_id", "value", "position"),
        CheckConstraint(_values_check("value"), name="value_allowed"),
    )


class EvaluationCycle(IdMixin, TimestampsMixin, VersionedMixin, Base):
    """A 360° round for a region or an agency subtree (`agency_id`) and a period (the year, or
    one quarter). Its dates are days in the region's time zone, both inclusive."""

    __tablename__ = "evaluation_cycles"

    region_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("regions.id"))
    period_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("periods.id"))
    quarter: Mapped[int | None] = mapped_column(SmallInteger)
    agency_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("agencies.id"))
    name: Mapped[str] = mapped_column(String(200))
    include_self: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    include_supervisor: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    include_peers: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    include_subordinates: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    peers_per_employee: Mapped[int] = mapped_column(SmallInteger, server_default=text("3"))
    anonymity_threshold: Mapped[int] = mapped_column(SmallInteger, server_default=text("3"))
    opens_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), server_default=text("'draft'"))
    launched_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        Index("ix_evaluation_cycles_region_id_updated_at", "region_id", "updated_at", "id"),
        Index("ix_evaluation_cycles_region_id_period_id", "region_id", "period_id"),
        CheckConstraint("status in ('draft', 'launched', 'closed')", name="status_allowed"),
        CheckConstraint("quarter is null or quarter between 1 and 4", name="quarter_range"),
        CheckConstraint("closes_on >= opens_on", name="closes_after_opening"),
        CheckConstraint("peers_per_employee between 0 and 20", name="peers_range"),
        CheckConstraint("anonymity_threshold between 3 and 50", name="threshold_range"),
    )


class EvaluationAssignment(IdMixin, TimestampsMixin, VersionedMixin, Base):
    """Who rates whom in a cycle. It records that a rater answered, never what: the answers
    are stored apart, without the rater."""

    __tablename__ = "evaluation_assignments"

    region_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("regions.id"))
    cycle_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("evaluation_cycles.id"))
    ratee_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("employees.id"))
    rater_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("employees.id"))
    relation: Mapped[str] = mapped_column(String(12))
    agency_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("agencies.id"))
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), server_default=text("'pending'"))

    __table_args__ = (
        Index(
            "uq_evaluation_assignments_region_id_cycle_id_ratee_id_rater_id",
            "region_id",
            "cycle_id",
            "ratee_id",
            "rater_id",
            unique=True,
        ),
        Index(
            "ix_evaluation_assignments_region_id_rater_id_status",
            "region_id",
            "rater_id",
            "status",
        ),
        Index("ix_evaluation_assignments_region_id_updated_at", "region_id", "updated_at", "id"),
        CheckConstraint(
            "relation in ('self', 'supervisor', 'peer', 'subordinate')", name="relation_allowed"
        ),
        CheckConstraint("status in ('pending', 'submitted', 'overdue')", name="status_allowed"),
    )


class EvaluationResponse(IdMixin, Base):
    """One rater's answers about one ratee, stored without the rater, the assignment or a
    time, so nothing joins it back to who gave it. Insert-only."""

    __tablename__ = "evaluation_responses"

    region_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("regions.id"))
    cycle_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("evaluation_cycles.id"))
    ratee_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("employees.id"))
    relation: Mapped[str] = mapped_column(String(12))

    __table_args__ = (
        Index(
            "ix_evaluation_responses_region_id_cycle_id_ratee_id",
            "region_id",
            "cycle_id",
            "ratee_id",
        ),
        CheckConstraint(
            "relation in ('self', 'supervisor', 'peer', 'subordinate')", name="relation_allowed"
        ),
    )


class EvaluationAnswer(Base):
    """A response's answer for one core value, 1-5, with the response's cycle, ratee and
    relation repeated so that a cycle's results are one grouped scan. Insert-only."""

    __tablename__ = "evaluation_answers"

    response_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("evaluation_responses.id"), primary_key=True
    )
    value: Mapped[str] = mapped_column(String(30), primary_key=True)
    region_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("regions.id"))
    cycle_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("evaluation_cycles.id"))
    ratee_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("employees.id"))
    relation: Mapped[str] = mapped_column(String(12))
    score: Mapped[int] = mapped_column(SmallInteger)
    comment: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        Index(
            "ix_evaluation_answers_region_id_cycle_id_ratee_id",
            "region_id",
            "cycle_id",
            "ratee_id",
        ),
        CheckConstraint("score between 1 and 5", name="score_range"),
        CheckConstraint(_values_check("value"), name="value_allowed"),
    )


class EvaluationRating(IdMixin, TimestampsMixin, VersionedMixin, Base):
    """The pejabat penilai's rating of an employee for a period: hasil kerja and perilaku, and
    the predikat the matrix gives them. `agency_id` is the plan's agency, which calibrates it."""

    __tablename__ = "evaluation_ratings"

    region_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("regions.id"))
    period_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("periods.id"))
    plan_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("plans.id"))
    employee_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("employees.id"))
    agency_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("agencies.id"))
    rater_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("employees.id"))
    hasil_kerja: Mapped[str] = mapped_column(String(10))
    hasil_kerja_suggestion: Mapped[str] = mapped_column(String(10))
    perilaku: Mapped[str] = mapped_column(String(10))
    predicate: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), server_default=text("'draft'"))
    locked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        Index(
            "uq_evaluation_ratings_region_id_period_id_employee_id",
            "region_id",
            "period_id",
            "employee_id",
            unique=True,
        ),
        Index("ix_evaluation_ratings_region_id_agency_id", "region_id", "agency_id", "period_id"),
        Index("ix_evaluation_ratings_region_id_rater_id", "region_id", "rater_id"),
        Index("ix_evaluation_ratings_region_id_updated_at", "region_id", "updated_at", "id"),
        CheckConstraint(
            "hasil_kerja in ('above', 'meets', 'below') "
            "and hasil_kerja_suggestion in ('above', 'meets', 'below') "
            "and perilaku in ('above', 'meets', 'below')",
            name="levels_allowed",
        ),
        CheckConstraint(
            "predicate in ('sangat_baik', 'baik', 'butuh_perbaikan', 'kurang', 'sangat_kurang')",
            name="predicate_allowed",
        ),
        CheckConstraint("status in ('draft', 'locked')", name="status_allowed"),
    )


class AgencyRating(IdMixin, TimestampsMixin, VersionedMixin, Base):
    """An agency's organisation predikat for a period, set by the region's administrators, and
    the lock of its employees' ratings once their spread fits that predikat's curve."""

    __tablename__ = "agency_ratings"

    region_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("regions.id"))
    agency_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("agencies.id"))
    period_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("periods.id"))
    predicate: Mapped[str] = mapped_column(String(20))
    curve_version: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(10), server_default=text("'open'"))
    locked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        Index(
            "uq_agency_ratings_region_id_agency_id_period_id",
            "region_id",
            "agency_id",
            "period_id",
            unique=True,
        ),
        Index("ix_agency_ratings_region_id_updated_at", "region_id", "updated_at", "id"),
        CheckConstraint(
            "predicate in ('istimewa', 'baik', 'butuh_perbaikan', 'kurang', 'sangat_kurang')",
            name="predicate_allowed",
        ),
        CheckConstraint("status in ('open', 'locked')", name="status_allowed"),
    )


class EvaluationObjection(IdMixin, TimestampsMixin, VersionedMixin, Base):
    """An employee's keberatan against a locked rating, decided by the rater's own supervisor
    (`decider_id`, fixed when it is filed). One per rating."""

    __tablename__ = "evaluation_objections"

    region_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("regions.id"))
    rating_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("evaluation_ratings.id"))
    employee_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("employees.id"))
    decider_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("employees.id"))
    reasons: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), server_default=text("'pending'"))
    decision_reasons: Mapped[str | None] = mapped_column(Text)
    previous_predicate: Mapped[str] = mapped_column(String(20))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        Index(
            "uq_evaluation_objections_region_id_rating_id", "region_id", "rating_id", unique=True
        ),
        Index("ix_evaluation_objections_region_id_decider_id", "region_id", "decider_id"),
        Index("ix_evaluation_objections_region_id_updated_at", "region_id", "updated_at", "id"),
        CheckConstraint("status in ('pending', 'upheld', 'changed')", name="status_allowed"),
    )


class DevelopmentPlan(IdMixin, TimestampsMixin, VersionedMixin, Base):
    """A rencana pengembangan for a rating below Baik: the weak core values it addresses and
    what will be done, recorded by the supervisor. One per rating."""

    __tablename__ = "development_plans"

    region_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("regions.id"))
    rating_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("evaluation_ratings.id"))
    employee_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("employees.id"))
    author_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("employees.id"))
    values: Mapped[list[str]] = mapped_column(ARRAY(String(30)))
    actions: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date | None] = mapped_column(Date)

    __table_args__ = (
        Index("uq_development_plans_region_id_rating_id", "region_id", "rating_id", unique=True),
        Index("ix_development_plans_region_id_updated_at", "region_id", "updated_at", "id"),
        CheckConstraint("cardinality(values) > 0", name="values_named"),
    )


__all__ = [
    "ANONYMOUS_RELATIONS",
    "AgencyRating",
    "AgencyRatingStatus",
    "AssignmentStatus",
    "CoreValue",
    "CycleStatus",
    "DevelopmentPlan",
    "EvaluationAnswer",
    "EvaluationAssignment",
    "EvaluationCycle",
    "EvaluationObjection",
    "EvaluationRating",
    "EvaluationResponse",
    "EvaluationStatement",
    "ObjectionStatus",
    "OrganisationPredicate",
    "Predicate",
    "RaterRelation",
    "RatingLevel",
    "RatingStatus",
]
