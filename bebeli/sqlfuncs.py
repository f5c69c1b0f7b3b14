"""Four SQL functions spelled differently by PostgreSQL and SQLite, and one upsert.

Obligations are pro-rated by days; doing that arithmetic in SQL keeps the dashboard an
aggregate query instead of a loop over every ASN in Python.
"""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

EPOCH = date(1970, 1, 1)


def day_number_of(day: date) -> int:
    """The Python twin of `day_number`: days since 1970-01-01."""
    return (day - EPOCH).days


class day_number(FunctionElement):
    """Days since 1970-01-01 of a DATE column, as an integer."""

    type = sa.Integer()
    inherit_cache = True


@compiles(day_number)
def _day_number_default(element, compiler, **kw):
    return "(%s - DATE '1970-01-01')" % compiler.process(element.clauses, **kw)


@compiles(day_number, "sqlite")
def _day_number_sqlite(element, compiler, **kw):
    return "CAST(julianday(%s) - 2440587.5 AS INTEGER)" % compiler.process(element.clauses, **kw)


class jakarta_day_number(FunctionElement):
    """Days since 1970-01-01 of the Asia/Jakarta calendar day of a UTC timestamp column
    (Jakarta keeps UTC+7 all year, without daylight saving)."""

    type = sa.Integer()
    inherit_cache = True


@compiles(jakarta_day_number)
def _jakarta_day_number_default(element, compiler, **kw):
    return "(CAST((%s AT TIME ZONE 'Asia/Jakarta') AS DATE) - DATE '1970-01-01')" % compiler.process(
        element.clauses, **kw)


@compiles(jakarta_day_number, "sqlite")
def _jakarta_day_number_sqlite(element, compiler, **kw):
    # SQLite keeps naive UTC text; the day is whole days since the epoch, counted at UTC+7.
    return "CAST(julianday(%s, '+7 hours') - 2440587.5 AS INTEGER)" % compiler.process(element.clauses, **kw)


class greatest(FunctionElement):
    type = sa.BigInteger()
    inherit_cache = True


class least(FunctionElement):
    type = sa.BigInteger()
    inherit_cache = True


@compiles(greatest)
def _greatest_default(element, compiler, **kw):
    return "GREATEST(%s)" % compiler.process(element.clauses, **kw)


@compiles(greatest, "sqlite")
def _greatest_sqlite(element, compiler, **kw):
    return "max(%s)" % compiler.process(element.clauses, **kw)


@compiles(least)
def _least_default(element, compiler, **kw):
    return "LEAST(%s)" % compiler.process(element.clauses, **kw)


@compiles(least, "sqlite")
def _least_sqlite(element, compiler, **kw):
    return "min(%s)" % compiler.process(element.clauses, **kw)


def int_sum(expr):
    """SUM of rupiah that comes back as an integer: PostgreSQL sums BIGINT into NUMERIC."""
    return sa.cast(sa.func.sum(expr), sa.BigInteger)


def _insert(session):
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def upsert_add(session, table: sa.Table, keys: dict, increments: dict) -> None:
    """Insert a summary row, or add `increments` to the row already there — one statement,
    so concurrent writers never lose an update."""
    stmt = _insert(session)(table).values(**keys, **increments)
    stmt = stmt.on_conflict_do_update(
        index_elements=list(keys),
        set_={name: table.c[name] + stmt.excluded[name] for name in increments},
    )
    session.execute(stmt)


def insert_from(session, table: sa.Table, names: list[str], select):
    """An INSERT … SELECT that can take an ON CONFLICT clause (SQLite needs the SELECT to
    have a WHERE clause so the two do not read as one)."""
    return _insert(session)(table).from_select(names, select)


def insert_ignore(session, table: sa.Table, values: dict) -> bool:
    """Make sure a row exists; True when this call inserted it (RETURNING says so on both
    databases, where an INSERT's rowcount is not always reported)."""
    stmt = _insert(session)(table).values(**values).on_conflict_do_nothing()
    return session.execute(stmt.returning(*table.primary_key.columns)).first() is not None
