"""Declarative base, column types and mixins shared by every model.

Times are stored in UTC. `UTCDateTime` hands back timezone-aware UTC datetimes on SQLite and
PostgreSQL alike, so comparisons never mix naive and aware values.
"""
from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, registry

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(sa.types.TypeDecorator):
    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC datetime")
        value = value.astimezone(timezone.utc)
        # SQLite has no time zone type: store naive UTC there.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    registry = registry(
        metadata=sa.MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, nullable=False)


class RatingSummaryMixin:
    """The published reviews of a product or shop, summed: how many, their total and how many
    of each star, and the Bayesian average × 1000 that buyers' sorts walk (0 without reviews).
    Written only by `bebeli.reviews.stats`, in the transaction that changes a review, so no
    page aggregates reviews on the fly."""

    rating_count: Mapped[int] = mapped_column(default=0, server_default="0")
    rating_sum: Mapped[int] = mapped_column(default=0, server_default="0")
    rating_1: Mapped[int] = mapped_column(default=0, server_default="0")
    rating_2: Mapped[int] = mapped_column(default=0, server_default="0")
    rating_3: Mapped[int] = mapped_column(default=0, server_default="0")
    rating_4: Mapped[int] = mapped_column(default=0, server_default="0")
    rating_5: Mapped[int] = mapped_column(default=0, server_default="0")
    rating_score: Mapped[int] = mapped_column(default=0, server_default="0")
