"""One server at a time for scheduled jobs.

A periodic job (bebeli/jobs/schedule.py) may be started by the worker on one server while
someone runs its command by hand on another; `run_exclusively(name)` lets one of them do the
work while the others skip at once (they never wait: the next run picks up what is left).

- PostgreSQL: a session-level advisory lock, `pg_try_advisory_lock(hashtext(...))`, held on a
  dedicated autocommit connection for the duration of the job. No table, no open transaction,
  and the server releases it by itself if the process dies.
- SQLite: the database is one file on one machine, so `flock()` on a file next to it gives the
  same guarantee (also released by the kernel when the process dies).

The lock only keeps runs from overlapping; each job must still make its changes with
conditional updates, so that a run cut short halfway is safe to repeat.
"""
from __future__ import annotations

import fcntl
import re
import tempfile
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import Iterator

import click
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from bebeli.extensions import db


@contextmanager
def run_exclusively(name: str) -> Iterator[bool]:
    """`with run_exclusively("expire-orders") as acquired:` — `acquired` is False when another
    process holds the lock; the body should then do nothing."""
    engine = db.engine
    lock = _advisory_lock if engine.dialect.name == "postgresql" else _file_lock
    with lock(engine, name) as acquired:
        yield acquired


def exclusive(name: str):
    """Decorate a click command (below `with_appcontext`) so that it runs on one server at a
    time; the others print that they skipped and exit successfully."""

    def decorator(command):
        @wraps(command)
        def wrapper(*args, **kwargs):
            with run_exclusively(name) as acquired:
                if not acquired:
                    click.echo(f"{name}: skipped, another server is running it")
                    return None
                return command(*args, **kwargs)

        return wrapper

    return decorator


@contextmanager
def _advisory_lock(engine: sa.Engine, name: str) -> Iterator[bool]:
    key = {"key": f"bebeli:{name}"}
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT")
        acquired = bool(conn.scalar(sa.text("SELECT pg_try_advisory_lock(hashtext(:key))"), key))
        try:
            yield acquired
        finally:
            if acquired:
                _advisory_unlock(conn, key)


def _advisory_unlock(conn: sa.Connection, key: dict) -> None:
    try:
        conn.execute(sa.text("SELECT pg_advisory_unlock(hashtext(:key))"), key)
    except DBAPIError:
        # The connection broke (and the server dropped the lock with it): make sure the pool
        # never hands this connection out again.
        conn.invalidate()


@contextmanager
def _file_lock(engine: sa.Engine, name: str) -> Iterator[bool]:
    with open(_lock_path(engine.url.database, name), "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _lock_path(database: str | None, name: str) -> Path:
    slug = re.sub(r"[^A-Za-z0-9_-]+", "_", name)
    if database and database != ":memory:":
        return Path(f"{database}.{slug}.lock")
    return Path(tempfile.gettempdir()) / f"bebeli.{slug}.lock"
