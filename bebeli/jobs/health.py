"""How the jobs are doing, in both queue modes: for the status page and the metrics.

- `queue_stats()`: jobs waiting (depth), how long the oldest has waited, and dead jobs.
  With procrastinate these are its `todo` jobs (those due now; a retry waiting for its pause
  is not late) and its `failed` jobs. Inline, the only queue is the outbox: mail not sent yet
  that will still be tried, and mail given up.
- `periodic_health()`: per periodic job, its last success (from `job_runs`), its expected
  interval and whether it is stale (no success within STALE_AFTER intervals).
- `dead_jobs()`: failed procrastinate jobs, newest first, with the error recorded for them.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from bebeli.db import utcnow
from bebeli.extensions import db
from bebeli.jobs.models import JobRun
from bebeli.jobs.queue import PROCRASTINATE, queue_mode
from bebeli.jobs.schedule import PERIODIC, STALE_AFTER


@dataclass(frozen=True)
class QueueStats:
    mode: str
    depth: int
    oldest_age_seconds: float
    failed: int


@dataclass(frozen=True)
class PeriodicHealth:
    name: str
    command: str
    every: timedelta
    last_success: datetime | None
    last_failure: datetime | None
    last_error: str | None
    stale: bool


_PROCRASTINATE_QUEUE = sa.text("""
    SELECT count(*) FILTER (WHERE j.status = 'todo') AS depth,
           coalesce(extract(epoch FROM now() - min(coalesce(j.scheduled_at, d.at))
                    FILTER (WHERE j.status = 'todo' AND (j.scheduled_at IS NULL OR j.scheduled_at <= now()))), 0)
             AS oldest_age,
           count(*) FILTER (WHERE j.status = 'failed') AS failed
    FROM procrastinate_jobs j
    LEFT JOIN LATERAL (SELECT min(e.at) AS at FROM procrastinate_events e
                       WHERE e.job_id = j.id AND e.type = 'deferred') d ON j.status = 'todo'
    WHERE j.status IN ('todo', 'failed')
""")


def queue_stats() -> QueueStats:
    mode = queue_mode()
    if mode == PROCRASTINATE:
        row = db.session.execute(_PROCRASTINATE_QUEUE).one()
        return QueueStats(mode, int(row.depth), max(0.0, float(row.oldest_age)), int(row.failed))
    from bebeli.mail.models import OutboundEmail
    from bebeli.mail.services import MAX_ATTEMPTS

    unsent = OutboundEmail.sent_at.is_(None)
    waiting = sa.and_(unsent, OutboundEmail.attempts < MAX_ATTEMPTS)
    depth, oldest = db.session.execute(
        sa.select(sa.func.count(), sa.type_coerce(sa.func.min(OutboundEmail.created_at), OutboundEmail.created_at.type))
        .where(waiting)).one()
    failed = db.session.scalar(sa.select(sa.func.count()).where(unsent, OutboundEmail.attempts >= MAX_ATTEMPTS))
    age = (utcnow() - oldest).total_seconds() if oldest else 0.0
    return QueueStats(mode, int(depth), max(0.0, age), int(failed or 0))


def periodic_health(now: datetime | None = None) -> list[PeriodicHealth]:
    now = now or utcnow()
    names = [entry.name for entry in PERIODIC]
    last = sa.func.max(JobRun.finished_at)
    rows = db.session.execute(
        sa.select(JobRun.task_name, JobRun.succeeded, sa.type_coerce(last, JobRun.finished_at.type))
        .where(JobRun.task_name.in_(names)).group_by(JobRun.task_name, JobRun.succeeded)).all()
    latest = {(name, ok): at for name, ok, at in rows}
    errors = _last_errors(names)
    result = []
    for entry in PERIODIC:
        success, failure = latest.get((entry.name, True)), latest.get((entry.name, False))
        stale = success is None or now - success > entry.every * STALE_AFTER
        failed_last = failure is not None and (success is None or failure > success)
        result.append(PeriodicHealth(entry.name, entry.cli, entry.every, success, failure,
                                     errors.get(entry.name) if failed_last else None, stale))
    return result


def _last_errors(names: list[str]) -> dict[str, str]:
    newest = (sa.select(sa.func.max(JobRun.id)).where(JobRun.task_name.in_(names), JobRun.succeeded.is_(False))
              .group_by(JobRun.task_name))
    rows = db.session.execute(sa.select(JobRun.task_name, JobRun.error).where(JobRun.id.in_(newest))).all()
    return {name: error for name, error in rows}


@dataclass(frozen=True)
class DeadJob:
    id: int
    task_name: str
    queue: str
    attempts: int
    args: dict
    failed_at: datetime | None
    error: str | None


_DEAD_JOBS = sa.text("""
    SELECT j.id, j.task_name, j.queue_name, j.attempts, j.args,
           (SELECT max(e.at) FROM procrastinate_events e WHERE e.job_id = j.id) AS failed_at
    FROM procrastinate_jobs j WHERE j.status = 'failed'
    ORDER BY j.id DESC LIMIT :limit OFFSET :offset
""")


def dead_jobs(page: int = 1, per_page: int = 20) -> tuple[list[DeadJob], int]:
    """One page of failed jobs (procrastinate mode; none inline) and how many there are."""
    if queue_mode() != PROCRASTINATE:
        return [], 0
    total = db.session.scalar(sa.text("SELECT count(*) FROM procrastinate_jobs WHERE status = 'failed'"))
    rows = db.session.execute(_DEAD_JOBS, {"limit": per_page, "offset": (page - 1) * per_page}).all()
    ids = [row.id for row in rows]
    newest = sa.select(sa.func.max(JobRun.id)).where(JobRun.job_id.in_(ids), JobRun.succeeded.is_(False)) \
        .group_by(JobRun.job_id)
    errors = dict(db.session.execute(sa.select(JobRun.job_id, JobRun.error).where(JobRun.id.in_(newest))).all())
    return [DeadJob(row.id, row.task_name, row.queue_name, row.attempts, row.args or {}, row.failed_at,
                    errors.get(row.id)) for row in rows], int(total)


def failed_job(job_id: int) -> DeadJob | None:
    """The failed job `job_id`, locked for its retry; None if there is none in that state."""
    if queue_mode() != PROCRASTINATE:
        return None
    row = db.session.execute(sa.text(
        "SELECT id, task_name, queue_name, attempts, args FROM procrastinate_jobs "
        "WHERE id = :id AND status = 'failed' FOR UPDATE"), {"id": job_id}).first()
    if row is None:
        return None
    return DeadJob(row.id, row.task_name, row.queue_name, row.attempts, row.args or {}, None, None)
