"""Job tests: procrastinate's tables emptied around each test (they are not in the app's
metadata, so the suite's own cleanup leaves them), and helpers to read and work the queue."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from bebeli.extensions import db
from tests.conftest import TEST_DATABASE_URL

ON_POSTGRES = (TEST_DATABASE_URL or "").startswith("postgresql")
postgres_only = pytest.mark.skipif(not ON_POSTGRES, reason="procrastinate needs PostgreSQL")


def empty_queue(app) -> None:
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM procrastinate_periodic_defers"))
        conn.execute(sa.text("DELETE FROM procrastinate_jobs"))


@pytest.fixture
def queue(app):
    """An empty procrastinate queue (PostgreSQL), emptied again afterwards."""
    if not ON_POSTGRES:
        pytest.skip("procrastinate needs PostgreSQL")
    empty_queue(app)
    yield
    empty_queue(app)


def jobs(app, **where) -> list[dict]:
    """The queue's jobs, read on a connection of their own (only what is committed)."""
    clauses = " AND ".join(f"{name} = :{name}" for name in where) or "true"
    with app.app_context(), db.engine.connect() as conn:
        rows = conn.execute(sa.text(f"SELECT id, task_name, queue_name, status::text AS status, attempts, args, "
                                    f"scheduled_at FROM procrastinate_jobs WHERE {clauses} ORDER BY id"), where)
        return [dict(row._mapping) for row in rows]


def work(app, *queues: str) -> None:
    """Run the worker until the queues are empty (what is due now), as `flask worker --burst`."""
    from concurrent.futures import ThreadPoolExecutor

    from bebeli.jobs.cli import run_worker

    # In a thread of its own, as the worker is a process of its own: the worker runs an asyncio
    # loop, and this thread may already have one (the browser tests' driver keeps one running).
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(run_worker, app, wait=False, queues=list(queues) or None, install_signal_handlers=False,
                    listen_notify=False, fetch_job_polling_interval=0.05).result()
