"""The periodic jobs of bebeli/jobs/schedule.py as procrastinate periodic tasks.

Imported by the worker (procrastinate's `import_paths`), not by the web processes: only the
worker defers and runs them.
"""
from __future__ import annotations

from flask import current_app

from bebeli.jobs.queue import jobs_app, worker_flask_app
from bebeli.jobs.schedule import PERIODIC, Periodic, run_scheduled

PERIODIC_QUEUE = "periodic"


def task_name(entry: Periodic) -> str:
    return f"periodic:{entry.name}"


def _register(entry: Periodic) -> None:
    def run(context, timestamp: int) -> None:
        app = worker_flask_app.get() or current_app._get_current_object()
        with app.app_context():
            outcome = run_scheduled(entry.name, job_id=context.job.id, **entry.kwargs)
            current_app.logger.info("%s: %s", entry.name, outcome)

    run.__name__ = run.__qualname__ = f"periodic_{entry.name.replace('-', '_')}"
    task = jobs_app.task(name=task_name(entry), pass_context=True, queue=PERIODIC_QUEUE,
                         lock=entry.name, queueing_lock=entry.name)(run)
    jobs_app.periodic(cron=entry.cron)(task)


for _entry in PERIODIC:
    _register(_entry)
