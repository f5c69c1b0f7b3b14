"""Procrastinate's queries on the request's own database connection.

`SessionConnector` implements procrastinate's synchronous connector interface
(`procrastinate.connector.BaseConnector`: `execute_query`, `execute_query_one`,
`execute_query_all`, `open`, `close`, `get_sync_connector`) by running each query through
`db.session.connection()`, the connection of the current SQLAlchemy transaction. A job deferred
this way is one more row of the transaction that causes it: committed with the order, gone
with a rollback. The worker process uses procrastinate's own `PsycopgConnector` instead (it
listens for notifications and needs its own pool).

Each query runs inside a SAVEPOINT: a refused query (a job whose queueing lock is already
waiting, a retry of a job that is not failed) then undoes only itself, and PostgreSQL does
not abort the caller's transaction.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import sqlalchemy.exc
from procrastinate import connector, exceptions, manager
from psycopg.types.json import Jsonb

from bebeli.extensions import db

_LOCK_DETAIL = re.compile(r"Key \((.*?)\)=\((.*?)\)")


def _wrap_value(value: Any) -> Any:
    # As procrastinate's psycopg connectors do: dicts are sent as jsonb, also inside the
    # job tuples of `defer_jobs`.
    if isinstance(value, dict):
        return Jsonb(value)
    if isinstance(value, list):
        return [_wrap_value(item) for item in value]
    if isinstance(value, tuple):
        return tuple(_wrap_value(item) for item in value)
    return value


@contextmanager
def _translated_errors() -> Iterator[None]:
    """Database errors as procrastinate expects them from a connector."""
    try:
        yield
    except sqlalchemy.exc.DBAPIError as exc:
        orig = exc.orig
        if isinstance(orig, psycopg.errors.UniqueViolation):
            constraint = orig.diag.constraint_name
            queueing_lock = None
            if constraint == manager.QUEUEING_LOCK_CONSTRAINT and orig.diag.message_detail:
                match = _LOCK_DETAIL.search(orig.diag.message_detail)
                queueing_lock = match.group(2) if match else None
            raise exceptions.UniqueViolation(constraint_name=constraint, queueing_lock=queueing_lock) from exc
        raise exceptions.ConnectorException(str(orig or exc)) from exc


class SessionConnector(connector.BaseConnector):
    """A synchronous procrastinate connector on the current SQLAlchemy session (PostgreSQL)."""

    def get_sync_connector(self) -> connector.BaseConnector:
        return self

    def open(self, pool: Any = None) -> None:
        """Nothing to open: the session's engine owns the connections."""

    def close(self) -> None:
        """Nothing to close: the request's transaction ends with the request."""

    def _rows(self, query: str, arguments: dict[str, Any], *, fetch: bool) -> list[dict[str, Any]]:
        params = {key: _wrap_value(value) for key, value in arguments.items()}
        with _translated_errors():
            connection = db.session.connection()
            with connection.begin_nested():
                result = connection.exec_driver_sql(query, params)
                return [dict(row) for row in result.mappings()] if fetch and result.returns_rows else []

    def execute_query(self, query: str, **arguments: Any) -> None:
        self._rows(query, arguments, fetch=False)

    def execute_query_one(self, query: str, **arguments: Any) -> dict[str, Any]:
        rows = self._rows(query, arguments, fetch=True)
        if not rows:
            raise exceptions.NoResult
        return rows[0]

    def execute_query_all(self, query: str, **arguments: Any) -> list[dict[str, Any]]:
        return self._rows(query, arguments, fetch=True)
