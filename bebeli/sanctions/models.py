"""Sanctions an administrator confirmed, with the evidence they were shown."""
from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bebeli.db import utcnow
from bebeli.extensions import db


class SanctionKind(enum.StrEnum):
    WARNING = "warning"
    HIDE = "hide"              # the shop's offers hidden from buyers until `ends_at`
    SUSPENSION = "suspension"  # the shop suspended (sellers' own status) until reinstated


class Sanction(db.Model):
    __tablename__ = "sanctions"

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(sa.ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    kind: Mapped[SanctionKind] = mapped_column(sa.Enum(SanctionKind, native_enum=False, length=20,
                                                       values_callable=lambda x: [m.value for m in x]))
    rule: Mapped[str | None] = mapped_column(sa.String(60))         # the policy rule that suggested it
    reason: Mapped[str] = mapped_column(sa.Text)
    evidence: Mapped[list | None] = mapped_column(sa.JSON)          # complaint ids
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ends_at: Mapped[datetime | None]                                # a hide's end
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    shop = relationship("Shop", lazy="joined")
