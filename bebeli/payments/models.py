"""Payment sessions at the gateway, money movements (payment events) and webhook receipts."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bebeli.db import TimestampMixin, utcnow
from bebeli.extensions import db


class Payment(TimestampMixin, db.Model):
    """One checkout session at the gateway for an Order (Stripe Checkout or the simulation)."""

    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    gateway: Mapped[str] = mapped_column(sa.String(20))              # stripe | simulated
    session_id: Mapped[str] = mapped_column(sa.String(255), unique=True)
    url: Mapped[str] = mapped_column(sa.Text)
    amount: Mapped[int] = mapped_column(sa.BigInteger)                # integer rupiah
    status: Mapped[str] = mapped_column(sa.String(20), default="open")  # open | complete | expired
    payment_status: Mapped[str] = mapped_column(sa.String(20), default="unpaid")  # unpaid | paid
    payment_intent_id: Mapped[str | None] = mapped_column(sa.String(255), index=True)

    order = relationship("Order")


class PaymentEvent(db.Model):
    """A movement of money: a captured payment or a refund, as the gateway reported it."""

    __tablename__ = "payment_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    seller_order_id: Mapped[int | None] = mapped_column(sa.ForeignKey("seller_orders.id", ondelete="SET NULL"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))        # captured | refund
    amount: Mapped[int] = mapped_column(sa.BigInteger)      # integer rupiah
    reference: Mapped[str | None] = mapped_column(sa.String(255))  # the gateway's id
    status: Mapped[str] = mapped_column(sa.String(20))      # succeeded | pending | manual
    reason: Mapped[str | None] = mapped_column(sa.String(40))
    # Our key at the gateway: the same refund asked twice is made once.
    idempotency_key: Mapped[str | None] = mapped_column(sa.String(120), unique=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (sa.CheckConstraint("amount > 0", name="amount_positive"),)


class WebhookEvent(db.Model):
    """Every gateway event acted on, once: the unique event id makes redelivery a no-op."""

    __tablename__ = "webhook_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(sa.String(255), unique=True)
    type: Mapped[str] = mapped_column(sa.String(80))
    order_id: Mapped[int | None] = mapped_column(sa.ForeignKey("orders.id", ondelete="SET NULL"), index=True)
    outcome: Mapped[str] = mapped_column(sa.String(40), default="")
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
