"""Every module that declares background jobs, as `routers.py` lists every router: the worker
imports them all so that it knows every job it may be handed. A package's jobs live in its
`tasks.py`; add the module here when a package gets one."""

TASK_MODULES: list[str] = [
    "kinerja_api.core.tasks",
    "kinerja_api.sync.tasks",
    "kinerja_api.evaluations.tasks",
    "kinerja_api.exports.tasks",
    "kinerja_api.webhooks.tasks",
    "kinerja_api.imports.tasks",
]
# Loops that run beside a worker's jobs (`core.jobs.run_worker`), as `module:function`.
WORKER_COMPANIONS: list[str] = [
    "kinerja_api.webhooks.tasks:follow",
]
