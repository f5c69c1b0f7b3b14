"""Administrators' actions on the queue."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from bebeli.audit.services import record
from bebeli.db import utcnow
from bebeli.errors import NotFound
from bebeli.jobs.health import failed_job
from bebeli.jobs.queue import jobs_app


def retry_dead_job(job_id: int | None, *, actor) -> None:
    """Put a dead (failed) job back in the queue to run now, in the caller's transaction,
    and audit it. Refused for any id that is not a failed job."""
    job = failed_job(job_id) if job_id is not None else None
    if job is None:
        raise NotFound(_l("Tugas itu tidak ada atau tidak sedang gagal."))
    # procrastinate's own retry function, through the session: committed with the audit entry.
    jobs_app.job_manager.retry_job_by_id(job_id=job.id, retry_at=utcnow())
    record("jobs.retry", actor=actor, object_type="procrastinate_jobs", object_id=job.id,
           task=job.task_name, attempts=job.attempts)
