"""Every router the application mounts, in the order they appear in the contract."""

from kinerja_api.audit.router import router as audit_router
from kinerja_api.auth.router import router as auth_router
from kinerja_api.core.routing import Router
from kinerja_api.evaluations.assignments.router import router as evaluation_assignments_router
from kinerja_api.evaluations.calibration.router import router as calibration_router
from kinerja_api.evaluations.cycles.router import router as evaluation_cycles_router
from kinerja_api.evaluations.development_plans.router import router as development_plans_router
from kinerja_api.evaluations.instrument.router import router as instrument_router
from kinerja_api.evaluations.objections.router import router as objections_router
from kinerja_api.evaluations.ratings.router import router as ratings_router
from kinerja_api.evaluations.results.router import follow_up_router as evaluation_follow_up_router
from kinerja_api.evaluations.results.router import router as evaluation_results_router
from kinerja_api.exchange.router import router as exchange_router
from kinerja_api.exports.router import router as exports_router
from kinerja_api.feedback.complaints.router import public_router as public_complaints_router
from kinerja_api.feedback.complaints.router import router as complaints_router
from kinerja_api.feedback.holidays.router import router as holidays_router
from kinerja_api.feedback.service_units.router import public_router as public_units_router
from kinerja_api.feedback.service_units.router import router as service_units_router
from kinerja_api.feedback.surveys.router import public_router as public_feedback_router
from kinerja_api.feedback.surveys.router import reports_router as ikm_reports_router
from kinerja_api.feedback.surveys.router import router as feedback_router
from kinerja_api.health.router import router as health_router
from kinerja_api.imports.router import router as imports_router
from kinerja_api.org.agencies.router import router as agencies_router
from kinerja_api.org.employees.router import router as employees_router
from kinerja_api.org.regions.router import router as regions_router
from kinerja_api.org.service_accounts.router import router as service_accounts_router
from kinerja_api.org.users.router import router as users_router
from kinerja_api.plans.periods.router import router as periods_router
from kinerja_api.plans.router import router as plans_router
from kinerja_api.plans.targets.router import indicators_router
from kinerja_api.plans.targets.router import router as targets_router
from kinerja_api.progress.router import plans_router as plan_progress_router
from kinerja_api.progress.router import router as progress_reports_router
from kinerja_api.progress.stream_router import public_router as public_progress_router
from kinerja_api.progress.stream_router import router as progress_stream_router
from kinerja_api.sync.router import router as sync_router
from kinerja_api.training.attendance.router import router as training_attendance_router
from kinerja_api.training.certificates.router import router as training_certificates_router
from kinerja_api.training.enrollments.router import router as training_enrollments_router
from kinerja_api.training.enrollments.router import session_router as session_enrollments_router
from kinerja_api.training.ledger.router import reports_router as jp_reports_router
from kinerja_api.training.ledger.router import router as jp_ledger_router
from kinerja_api.training.needs.router import router as training_needs_router
from kinerja_api.training.participant_feedback.router import (
    program_router as program_feedback_router,
)
from kinerja_api.training.participant_feedback.router import router as enrollment_feedback_router
from kinerja_api.training.participant_feedback.router import (
    session_router as session_feedback_router,
)
from kinerja_api.training.programs.router import router as training_programs_router
from kinerja_api.training.sessions.router import router as training_sessions_router
from kinerja_api.webhooks.router import router as webhooks_router

ROUTERS: list[Router] = [
    health_router,
    auth_router,
    regions_router,
    agencies_router,
    employees_router,
    users_router,
    service_accounts_router,
    audit_router,
    periods_router,
    plans_router,
    targets_router,
    indicators_router,
    service_units_router,
    feedback_router,
    ikm_reports_router,
    public_units_router,
    public_feedback_router,
    complaints_router,
    public_complaints_router,
    holidays_router,
    progress_reports_router,
    plan_progress_router,
    progress_stream_router,
    public_progress_router,
    instrument_router,
    evaluation_cycles_router,
    evaluation_assignments_router,
    ratings_router,
    calibration_router,
    objections_router,
    evaluation_results_router,
    evaluation_follow_up_router,
    development_plans_router,
    training_programs_router,
    training_sessions_router,
    session_enrollments_router,
    training_enrollments_router,
    jp_ledger_router,
    jp_reports_router,
    training_needs_router,
    training_attendance_router,
    training_certificates_router,
    enrollment_feedback_router,
    session_feedback_router,
    program_feedback_router,
    sync_router,
    exchange_router,
    exports_router,
    webhooks_router,
    imports_router,
]
