"""Engine-level settings: SQLite made safe for concurrent writers.

WAL lets readers work beside one writer, foreign keys are enforced, and every transaction
begins IMMEDIATE so that two checkouts queue for the write lock instead of failing with
"database is locked" when both try to upgrade a read lock.
"""
from __future__ import annotations

import sqlite3

from sqlalchemy import event
from sqlalchemy.engine import Engine

_configured = False


def configure_engine_events() -> None:
    global _configured
    if _configured:
        return
    _configured = True

    @event.listens_for(Engine, "connect")
    def _sqlite_on_connect(dbapi_connection, connection_record):
        if not isinstance(dbapi_connection, sqlite3.Connection):
            return
        dbapi_connection.isolation_level = None  # let SQLAlchemy's begin event emit BEGIN
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(Engine, "begin")
    def _sqlite_begin_immediate(connection):
        if connection.dialect.name == "sqlite":
            # An engine may ask for deferred transactions (the test suite's own reader does).
            mode = connection.get_execution_options().get("sqlite_begin", "IMMEDIATE")
            connection.exec_driver_sql(f"BEGIN {'DEFERRED' if mode == 'DEFERRED' else 'IMMEDIATE'}")


# Schema objects the models do not describe, which Alembic's comparison (autogenerate, the
# models-match-migrations test) must leave alone: the search index objects, built by hand per
# database in migration 0004, and the job queue's own tables, functions and types, installed
# from procrastinate's schema by migration 0019.
QUEUE_SCHEMA_PREFIX = "procrastinate_"


def include_in_autogenerate(name, type_, parent_names) -> bool:
    from bebeli.catalog.search import HAND_MANAGED_SCHEMA

    return not (name or "").startswith((*HAND_MANAGED_SCHEMA, QUEUE_SCHEMA_PREFIX))
