"""What the progress streams send. The `data` of progress and comment events is built from these
models where the events are published; each stream frame's JSON object (`stream.event_data`)
wraps it in the outbox row's envelope, modelled here per event family. The stream operations
declare the envelopes, so the contract's `x-events` names the schema of every event type."""

import uuid
from datetime import date, datetime
from typing import Literal, get_args

from pydantic import Field

from kinerja_api.core.events import EventData
from kinerja_api.core.schemas import DecimalString, OutputModel
from kinerja_api.evaluations.api import (
    AssignedEventData,
    AssignedEventType,
    AssignmentEventData,
    AssignmentEventType,
    CycleEventData,
    CycleEventType,
    DevelopmentPlanEventData,
    DevelopmentPlanEventType,
    ObjectionEventData,
    ObjectionEventType,
    RatingEventData,
    RatingEventType,
)
from kinerja_api.imports.api import (
    ImportFinishedEventData,
    ImportFinishedEventType,
    ImportProgressEventData,
    ImportProgressEventType,
)
from kinerja_api.models.progress import ReportStatus
from kinerja_api.plans.api import PlanEventData, PlanEventType
from kinerja_api.training.api import (
    AttendanceEventData,
    AttendanceEventType,
    CompletedEventData,
    CompletedEventType,
    EnrollmentEventData,
    EnrollmentEventType,
    JpRecordedEventData,
    JpRecordedEventType,
    SessionCancelledEventData,
    SessionCancelledEventType,
)

ProgressEventType = Literal["progress.reported", "progress.updated", "progress.withdrawn"]
ProgressVerifiedEventType = Literal["progress.verified"]
CommentEventType = Literal["feedback.commented"]


class PublicProgressEventData(OutputModel):
    """What a public event reveals: figures about a public target, never people."""

    target_id: uuid.UUID
    indicator_id: uuid.UUID
    agency_id: uuid.UUID
    value: DecimalString
    reported_for: date
    year: int
    quarter: int
    status: ReportStatus


class ProgressEventData(PublicProgressEventData, EventData):
    """What every progress event carries: ids and figures, never names or NIPs. The public
    stream sends only the figures (`PublicProgressEventData`)."""

    event_types = frozenset(get_args(ProgressEventType))

    report_id: uuid.UUID
    plan_id: uuid.UUID
    employee_id: uuid.UUID


class ProgressVerifiedEventData(ProgressEventData):
    """A report accepted or rejected: the progress figures and the verifier's note."""

    event_types = frozenset(get_args(ProgressVerifiedEventType))

    verification_note: str | None


class CommentEventData(EventData):
    """A comment on a plan, or on one of its targets."""

    event_types = frozenset(get_args(CommentEventType))

    comment_id: uuid.UUID
    plan_id: uuid.UUID
    target_id: uuid.UUID | None
    author_id: uuid.UUID
    body: str


# --- The JSON object of each stream frame ----------------------------------------------------


class _StaffEvent(OutputModel):
    id: int = Field(description="The outbox id, also the frame's SSE `id`.")
    region_id: uuid.UUID
    entity_id: uuid.UUID
    employee_id: uuid.UUID = Field(description="The employee the event concerns.")
    agency_id: uuid.UUID = Field(description="That employee's agency.")
    occurred_at: datetime


class ProgressEvent(_StaffEvent):
    """A progress report submitted, changed or withdrawn."""

    type: ProgressEventType
    entity_type: Literal["progress_report"]
    data: ProgressEventData


class ProgressVerifiedEvent(_StaffEvent):
    """A progress report accepted or rejected by the verifier."""

    type: ProgressVerifiedEventType
    entity_type: Literal["progress_report"]
    data: ProgressVerifiedEventData


class PlanEvent(_StaffEvent):
    """A plan created, submitted, approved, returned or reopened for revision."""

    type: PlanEventType
    entity_type: Literal["plan"]
    data: PlanEventData


class CommentEvent(_StaffEvent):
    """A comment on a plan or one of its targets."""

    type: CommentEventType
    entity_type: Literal["plan_comment"]
    data: CommentEventData


class _EvaluationEvent(OutputModel):
    id: int = Field(description="The outbox id, also the frame's SSE `id`.")
    region_id: uuid.UUID
    entity_id: uuid.UUID
    employee_id: uuid.UUID | None = Field(
        description="The rated employee; for assignment events the rater, the only one who "
        "receives them; none for a cycle's events."
    )
    agency_id: uuid.UUID | None = Field(
        description="The rated employee's agency, or the cycle's agency subtree; none for "
        "assignment events and region-wide cycles."
    )
    occurred_at: datetime


class EvaluationCycleEvent(_EvaluationEvent):
    """A 360° cycle launched or closed (to its administrators)."""

    type: CycleEventType
    entity_type: Literal["evaluation_cycle"]
    data: CycleEventData


class EvaluationAssignedEvent(_EvaluationEvent):
    """New 360° assignments for the rater: how many, and when due. Sent to the rater only."""

    type: AssignedEventType
    entity_type: Literal["evaluation_cycle"]
    data: AssignedEventData


class EvaluationAssignmentEvent(_EvaluationEvent):
    """One of the rater's assignments answered or overdue. Sent to the rater only."""

    type: AssignmentEventType
    entity_type: Literal["evaluation_assignment"]
    data: AssignmentEventData


class EvaluationRatingEvent(_EvaluationEvent):
    """A rating recorded, changed or locked."""

    type: RatingEventType
    entity_type: Literal["evaluation_rating"]
    data: RatingEventData


class EvaluationObjectionEvent(_EvaluationEvent):
    """An objection (keberatan) filed or decided."""

    type: ObjectionEventType
    entity_type: Literal["evaluation_objection"]
    data: ObjectionEventData


class DevelopmentPlanEvent(_EvaluationEvent):
    """A development plan (rencana pengembangan) recorded for the rated employee."""

    type: DevelopmentPlanEventType
    entity_type: Literal["development_plan"]
    data: DevelopmentPlanEventData


class TrainingEnrollmentEvent(_StaffEvent):
    """A participant's place in a training session: enrolled, waitlisted, promoted from the
    waitlist, or cancelled."""

    type: EnrollmentEventType
    entity_type: Literal["training_enrollment"]
    data: EnrollmentEventData


class TrainingSessionCancelledEvent(_StaffEvent):
    """A training session was cancelled, and the participant's enrollment with it."""

    type: SessionCancelledEventType
    entity_type: Literal["training_session"]
    data: SessionCancelledEventData


class TrainingAttendanceEvent(_StaffEvent):
    """The participant's attendance of a session was recorded."""

    type: AttendanceEventType
    entity_type: Literal["training_enrollment"]
    data: AttendanceEventData


class TrainingCompletedEvent(_StaffEvent):
    """The participant completed a session: JP credited, a certificate issued."""

    type: CompletedEventType
    entity_type: Literal["training_enrollment"]
    data: CompletedEventData


class JpRecordedEvent(_StaffEvent):
    """JP from an activity outside the catalog recorded in the employee's ledger."""

    type: JpRecordedEventType
    entity_type: Literal["jp_ledger_entry"]
    data: JpRecordedEventData


class _ImportEvent(OutputModel):
    id: int = Field(description="The outbox id, also the frame's SSE `id`.")
    region_id: uuid.UUID
    entity_id: uuid.UUID = Field(description="The import.")
    employee_id: None = Field(description="Always null: an import concerns no one employee.")
    agency_id: None = Field(description="Always null.")
    occurred_at: datetime


class ImportProgressEvent(_ImportEvent):
    """A batch of an import's rows was processed. Sent to the importer and the region's
    administrators only."""

    type: ImportProgressEventType
    entity_type: Literal["import"]
    data: ImportProgressEventData


class ImportFinishedEvent(_ImportEvent):
    """An import ended (completed, failed or cancelled), with its counts. Sent to the importer
    and the region's administrators only."""

    type: ImportFinishedEventType
    entity_type: Literal["import"]
    data: ImportFinishedEventData


class PublicProgressEvent(OutputModel):
    """Verified progress on a public target, as the public stream sends it."""

    id: int = Field(description="The outbox id, also the frame's SSE `id`.")
    type: ProgressVerifiedEventType
    occurred_at: datetime
    data: PublicProgressEventData


StaffStreamEvent = (
    ProgressEvent
    | ProgressVerifiedEvent
    | PlanEvent
    | CommentEvent
    | EvaluationCycleEvent
    | EvaluationAssignedEvent
    | EvaluationAssignmentEvent
    | EvaluationRatingEvent
    | EvaluationObjectionEvent
    | DevelopmentPlanEvent
    | TrainingEnrollmentEvent
    | TrainingSessionCancelledEvent
    | TrainingAttendanceEvent
    | TrainingCompletedEvent
    | JpRecordedEvent
    | ImportProgressEvent
    | ImportFinishedEvent
)
PublicStreamEvent = PublicProgressEvent
