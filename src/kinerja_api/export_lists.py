"""Every module that registers an exportable list (`core.exportable`), as `task_modules.py`
lists the job modules: whatever runs exports (the API, a worker) imports them all, so that an
export job finds its list by name. A list that answers `Accept: text/csv` registers itself in
its router module; add the module here when a list does."""

EXPORT_LIST_MODULES: list[str] = [
    "kinerja_api.org.employees.router",
    "kinerja_api.plans.router",
    "kinerja_api.progress.router",
    "kinerja_api.feedback.complaints.router",
    "kinerja_api.training.sessions.router",
    "kinerja_api.training.enrollments.router",
    "kinerja_api.training.ledger.router",
    "kinerja_api.evaluations.assignments.router",
]
