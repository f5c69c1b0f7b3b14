"""The shape every monitoring report shares: a `Table` of typed columns and rows as dicts, so
the page, the chart and the CSV/XLSX export show the same numbers, and the helpers that run a
report's query.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import func, select

from bebeli.extensions import db

TREND_MONTHS = 12


@dataclass
class Column:
    key: str
    label: object
    kind: str = "text"  # text | money | int | percent (basis points) | month | datetime
    link: Callable[[dict], str] | None = None


@dataclass
class Table:
    name: str
    title: object
    columns: list[Column]
    rows: list[dict]
    total: int | None = None  # all rows when `rows` is a page or a top-N
    footer: dict | None = None

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def link(self, key: str, build: Callable[[dict], str]) -> Table:
        self.column(key).link = build
        return self


def execute_report(stmt):
    """Run a report query. PostgreSQL's JIT would spend seconds compiling these one-off
    aggregate plans to save milliseconds running them, so it is off for the transaction."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.text("SET LOCAL jit = off"))
    return db.session.execute(stmt)


def report_rows(stmt) -> list[dict]:
    return [dict(r._mapping) for r in execute_report(stmt)]


def report_count(stmt) -> int:
    return execute_report(select(func.count()).select_from(stmt.order_by(None).subquery())).scalar_one()


class RowPagination(Pagination):
    """Flask-SQLAlchemy's pagination over a select of several columns (rows, not scalars)."""

    def _query_items(self) -> list:
        return report_rows(self._query_args["select"].limit(self.per_page).offset(self._query_offset))

    def _query_count(self) -> int:
        return report_count(self._query_args["select"])


def ratio_bp(part: int, whole: int) -> int | None:
    """part / whole in basis points, rounded half up; None when there is no whole."""
    return (part * 10_000 * 2 + whole) // (whole * 2) if whole else None
