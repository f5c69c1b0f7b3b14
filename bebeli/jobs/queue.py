"""The job queue: one procrastinate App, and the two ways a deferred job runs.

- "procrastinate" (PostgreSQL): `defer()` writes the job in the current transaction (through
  `SessionConnector`), so a rolled-back order leaves no job and a committed one always has
  its job; `flask worker` runs it in a process of its own, with retries and backoff.
- "inline" (SQLite, development): procrastinate cannot run there. `defer()` keeps the call
  with the session; once the transaction commits, the task body runs — after the response
  in a request, at once elsewhere — and a rollback forgets it.

Both modes run the same task functions, each in an application context of its own (its own
database session), and record what periodic jobs and failures did in `job_runs`.
"""
from __future__ import annotations

import contextvars
import functools
import logging
import time
from contextlib import nullcontext
from typing import Any, Callable

import sqlalchemy as sa
from flask import Flask, current_app, g, has_request_context
from procrastinate import App, manager
from procrastinate import tasks as procrastinate_tasks

from bebeli.db import utcnow
from bebeli.extensions import db
from bebeli.jobs.connector import SessionConnector

log = logging.getLogger(__name__)

PROCRASTINATE, INLINE = "procrastinate", "inline"
MODES = (PROCRASTINATE, INLINE)
_INLINE_KEY = "bebeli_inline_jobs"

# Modules declaring tasks: the worker imports them before it takes any job.
TASK_MODULES = ["bebeli.jobs.tasks", "bebeli.jobs.periodic"]

# Web processes defer and read through the session; `flask worker` swaps in its own connector
# (procrastinate's `App.replace_connector`) for the time it runs.
jobs_app = App(connector=SessionConnector(), import_paths=TASK_MODULES)
_session_jobs = manager.JobManager(SessionConnector())
# The Flask app the worker runs tasks for (inline runs use the deferring request's app).
worker_flask_app: contextvars.ContextVar[Flask | None] = contextvars.ContextVar("worker_flask_app", default=None)


def init_app(app: Flask) -> None:
    """Resolve JOB_QUEUE (empty: procrastinate on PostgreSQL, inline otherwise)."""
    mode = (app.config.get("JOB_QUEUE") or "").strip().lower()
    if not mode:
        uri = str(app.config["SQLALCHEMY_DATABASE_URI"])
        mode = PROCRASTINATE if uri.startswith("postgresql") else INLINE
    if mode not in MODES:
        raise RuntimeError(f"JOB_QUEUE must be one of {', '.join(MODES)}, not {mode!r}")
    if mode == PROCRASTINATE and not str(app.config["SQLALCHEMY_DATABASE_URI"]).startswith("postgresql"):
        raise RuntimeError("JOB_QUEUE=procrastinate needs PostgreSQL; use JOB_QUEUE=inline with SQLite")
    app.config["JOB_QUEUE"] = mode
    app.before_request(_mark_request)
    app.after_request(_run_inline_after_response)


def queue_mode() -> str:
    return current_app.config["JOB_QUEUE"]


def task(name: str, *, retry: Any = False, **options: Any) -> Callable:
    """Declare a job task: `@task("deliver-mail", retry=...)`, deferred with `defer(task, ...)`.
    A failure is recorded in `job_runs` (with the procrastinate job id) before it is raised
    again for procrastinate's retry strategy."""

    def decorator(func: Callable) -> Any:
        @functools.wraps(func)
        def run(context, **kwargs):
            job_id = getattr(getattr(context, "job", None), "id", None)
            return run_recorded(name, functools.partial(func, **kwargs), job_id=job_id, record_success=False)

        return jobs_app.task(name=name, retry=retry, pass_context=True, **options)(run)

    return decorator


def run_recorded(name: str, body: Callable[[], Any], *, job_id: int | None = None,
                 record_success: bool = True) -> Any:
    """Run `body` and write its outcome to `job_runs` (failures always, successes when asked —
    the periodic jobs' health is read from them). In the worker each job gets an application
    context (a database session) of its own; a command or an inline run uses the current one."""
    worker_app = worker_flask_app.get()
    started = utcnow()
    with worker_app.app_context() if worker_app is not None else nullcontext():
        try:
            result = body()
        except Exception as exc:
            db.session.rollback()
            _record(name, job_id, started, error=f"{exc.__class__.__name__}: {exc}")
            raise
        if record_success:
            _record(name, job_id, started, error=None)
        return result


def _record(name: str, job_id: int | None, started, *, error: str | None) -> None:
    from bebeli.jobs.models import JobRun

    try:
        db.session.add(JobRun(task_name=name, job_id=job_id, started_at=started, finished_at=utcnow(),
                              succeeded=error is None, error=error[:2000] if error else None))
        db.session.commit()
    except sa.exc.SQLAlchemyError:  # the record must not hide the job's own outcome
        db.session.rollback()
        log.exception("could not record the run of %s", name)


def defer(task_obj, **kwargs: Any) -> int | None:
    """Queue `task_obj(**kwargs)` in the current transaction. Returns the procrastinate job id
    (None inline, where the call runs once the transaction commits)."""
    if queue_mode() == PROCRASTINATE:
        deferrer = procrastinate_tasks.configure_task(
            name=task_obj.name, job_manager=_session_jobs, queue=task_obj.queue,
            lock=task_obj.lock, queueing_lock=task_obj.queueing_lock, priority=task_obj.priority,
        )
        return deferrer.defer(**kwargs)
    db.session.info.setdefault(_INLINE_KEY, []).append((task_obj, kwargs))
    return None


# --- inline mode: after commit ---------------------------------------------------------------

@sa.event.listens_for(sa.orm.Session, "after_commit")
def _committed(session) -> None:
    pending = session.info.pop(_INLINE_KEY, None)
    if not pending:
        return
    if has_request_context() and g.get("jobs_after_response"):
        g.setdefault("inline_jobs", []).extend(pending)  # run once the response is sent
    else:
        # A command or a job (perhaps in a request context made for its links): its
        # transaction is over, so the jobs run now, each on a session of its own (this one
        # cannot be used inside its own commit).
        run_inline(current_app._get_current_object(), pending)


@sa.event.listens_for(sa.orm.Session, "after_rollback")
def _rolled_back(session) -> None:
    session.info.pop(_INLINE_KEY, None)


def _mark_request() -> None:
    g.jobs_after_response = True


def _run_inline_after_response(response):
    pending = g.pop("inline_jobs", None)
    if pending:
        app = current_app._get_current_object()
        response.call_on_close(lambda: run_inline(app, pending))
    return response


def run_inline(app: Flask, pending: list[tuple[Any, dict]]) -> None:
    """Run inline jobs one after the other; a failure is logged and recorded, never raised
    (the response or the command it follows has already succeeded)."""
    with app.app_context():
        for task_obj, kwargs in pending:
            started = time.perf_counter()
            try:
                task_obj.func(None, **kwargs)
            except Exception:  # noqa: BLE001 - recorded in job_runs by the task wrapper
                log.warning("inline job %s failed", task_obj.name, exc_info=True)
            log.debug("inline job %s took %.3fs", task_obj.name, time.perf_counter() - started)
