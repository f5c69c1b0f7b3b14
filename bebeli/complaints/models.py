"""A complaint about one seller order, from opening to its resolution, and its photos."""
from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bebeli.db import TimestampMixin
from bebeli.extensions import db


def _enum(e, length=20):
    return sa.Enum(e, native_enum=False, length=length, values_callable=lambda x: [m.value for m in x])


class ComplaintKind(enum.StrEnum):
    WRONG_ITEM = "wrong_item"
    DAMAGED = "damaged"
    NOT_RECEIVED = "not_received"
    NOT_AS_DESCRIBED = "not_as_described"


class ComplaintStatus(enum.StrEnum):
    AWAITING_SELLER = "awaiting_seller"   # opened: the seller must answer
    AWAITING_BUYER = "awaiting_buyer"     # the seller offered or contested: the buyer accepts or escalates
    ESCALATED = "escalated"               # the Dinas decides
    RESOLVED = "resolved"


OPEN_STATUSES = (ComplaintStatus.AWAITING_SELLER, ComplaintStatus.AWAITING_BUYER, ComplaintStatus.ESCALATED)


class Remedy(enum.StrEnum):
    """What the seller offers, and how a complaint ends."""
    REPLACEMENT = "replacement"
    PARTIAL_REFUND = "partial_refund"
    FULL_REFUND = "full_refund"
    CONTEST = "contest"      # offered: the seller disputes it; as an outcome: the complaint is not upheld


# Outcomes in the buyer's favour: they count for the sanctions policy.
UPHELD = (Remedy.REPLACEMENT, Remedy.PARTIAL_REFUND, Remedy.FULL_REFUND)


class Complaint(TimestampMixin, db.Model):
    __tablename__ = "complaints"

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_order_id: Mapped[int] = mapped_column(sa.ForeignKey("seller_orders.id", ondelete="CASCADE"), unique=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    shop_id: Mapped[int] = mapped_column(sa.ForeignKey("shops.id", ondelete="RESTRICT"), index=True)
    buyer_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[ComplaintKind] = mapped_column(_enum(ComplaintKind))
    description: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[ComplaintStatus] = mapped_column(_enum(ComplaintStatus), default=ComplaintStatus.AWAITING_SELLER,
                                                    index=True)
    # who must act by when (the seller, then the buyer); None once escalated or resolved
    due_at: Mapped[datetime | None] = mapped_column(index=True)
    offer: Mapped[Remedy | None] = mapped_column(_enum(Remedy))
    offer_amount: Mapped[int | None] = mapped_column(sa.BigInteger)
    offer_note: Mapped[str | None] = mapped_column(sa.Text)
    answered_at: Mapped[datetime | None]
    escalated_at: Mapped[datetime | None]
    escalation_note: Mapped[str | None] = mapped_column(sa.Text)
    outcome: Mapped[Remedy | None] = mapped_column(_enum(Remedy))
    outcome_amount: Mapped[int | None] = mapped_column(sa.BigInteger)   # money given back
    decision_note: Mapped[str | None] = mapped_column(sa.Text)
    resolved_at: Mapped[datetime | None] = mapped_column(index=True)
    resolved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    seller_order = relationship("SellerOrder", lazy="joined")
    shop = relationship("Shop", lazy="joined")
    buyer = relationship("User", foreign_keys=[buyer_id])
    photos: Mapped[list[ComplaintPhoto]] = relationship(back_populates="complaint", cascade="all, delete-orphan",
                                                        order_by="ComplaintPhoto.id", lazy="selectin")

    __table_args__ = (
        sa.CheckConstraint("offer_amount IS NULL OR offer_amount > 0", name="offer_amount_positive"),
        sa.CheckConstraint("outcome_amount IS NULL OR outcome_amount >= 0", name="outcome_amount_not_negative"),
        sa.Index("ix_complaints_shop_resolved", "shop_id", "resolved_at"),
    )

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def upheld(self) -> bool:
        return self.outcome in UPHELD


class ComplaintPhoto(db.Model):
    __tablename__ = "complaint_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(sa.ForeignKey("complaints.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(sa.String(255))   # private: the parties and administrators see it

    complaint: Mapped[Complaint] = relationship(back_populates="photos")
