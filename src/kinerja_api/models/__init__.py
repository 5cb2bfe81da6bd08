"""All ORM models; importing this package registers every table on `Base.metadata`."""

from kinerja_api.models.audit import AuditEvent
from kinerja_api.models.auth import LoginThrottle, RefreshToken
from kinerja_api.models.evaluations import (
    AgencyRating,
    DevelopmentPlan,
    EvaluationAnswer,
    EvaluationAssignment,
    EvaluationCycle,
    EvaluationObjection,
    EvaluationRating,
    EvaluationResponse,
    EvaluationStatement,
)
from kinerja_api.models.events import OutboxEvent
from kinerja_api.models.exports import Export, ExportChunk
from kinerja_api.models.feedback import (
    Complaint,
    ComplaintResponse,
    FeedbackResponse,
    Holiday,
    PublicRateLimit,
    ServiceUnit,
    ServiceUnitStaff,
)
from kinerja_api.models.imports import Import, ImportRow, ImportRowError
from kinerja_api.models.org import Agency, Employee, Region, ServiceAccount, User
from kinerja_api.models.plans import Indicator, Period, Plan, PlanRevision, Target
from kinerja_api.models.platform import IdempotencyRecord
from kinerja_api.models.progress import PlanComment, ProgressReport
from kinerja_api.models.sync import Tombstone
from kinerja_api.models.training import (
    JpLedgerEntry,
    TrainingCertificate,
    TrainingEnrollment,
    TrainingFeedback,
    TrainingProgram,
    TrainingSession,
)
from kinerja_api.models.webhooks import WebhookAttempt, WebhookDelivery, WebhookSubscription

__all__ = [
    "Agency",
    "AgencyRating",
    "AuditEvent",
    "Complaint",
    "ComplaintResponse",
    "DevelopmentPlan",
    "Employee",
    "EvaluationAnswer",
    "EvaluationAssignment",
    "EvaluationCycle",
    "EvaluationObjection",
    "EvaluationRating",
    "EvaluationResponse",
    "EvaluationStatement",
    "Export",
    "ExportChunk",
    "FeedbackResponse",
    "Holiday",
    "IdempotencyRecord",
    "Import",
    "ImportRow",
    "ImportRowError",
    "Indicator",
    "JpLedgerEntry",
    "LoginThrottle",
    "OutboxEvent",
    "Period",
    "Plan",
    "PlanComment",
    "PlanRevision",
    "ProgressReport",
    "PublicRateLimit",
    "RefreshToken",
    "Region",
    "ServiceAccount",
    "ServiceUnit",
    "ServiceUnitStaff",
    "Target",
    "Tombstone",
    "TrainingCertificate",
    "TrainingEnrollment",
    "TrainingFeedback",
    "TrainingProgram",
    "TrainingSession",
    "User",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookSubscription",
]
