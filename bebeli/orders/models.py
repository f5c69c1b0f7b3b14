"""Order (what the buyer pays once) → SellerOrder (one per shop) → OrderLine (a snapshot).

Payment status lives on the Order; fulfilment status on each SellerOrder. Amounts are
integer rupiah and stored, not derived, so reports aggregate them in SQL.
"""
from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bebeli.db import TimestampMixin, utcnow
from bebeli.extensions import db


def _enum(e, length=24):
    return sa.Enum(e, native_enum=False, length=length, values_callable=lambda x: [m.value for m in x])


class Channel(enum.StrEnum):
    PERSONAL = "personal"  # an ASN buying for themself, paid by card
    AGENCY = "agency"      # an agency purchase: PP → PPK approval → treasurer pays


class PaymentStatus(enum.StrEnum):
    UNPAID = "unpaid"
    PAID = "paid"
    FAILED = "failed"
    EXPIRED = "expired"
    CANCELLED = "cancelled"                  # the buyer cancelled before paying
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"


class FulfilmentStatus(enum.StrEnum):
    AWAITING_APPROVAL = "awaiting_approval"  # agency channel: waiting for the PPK
    AWAITING_PAYMENT = "awaiting_payment"
    PAID = "paid"                            # personal channel: paid, the seller must act
    ACCEPTED = "accepted"
    # Agency channel: the PPK approved (Surat Pesanan issued) and the seller must answer it;
    # the seller accepted the SP; the PPK signed the BAST and the treasurer has yet to pay.
    APPROVED = "approved"
    SP_ACCEPTED = "sp_accepted"
    RECEIVED = "received"
    REJECTED = "rejected"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


class FulfilmentMethod(enum.StrEnum):
    PICKUP = "pickup"
    DELIVERY = "delivery"


class Order(TimestampMixin, db.Model):
    __tablename__ = "orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(32), unique=True)
    buyer_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    # The buyer's agency when the order was placed (reports group by it; people move).
    agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agencies.id", ondelete="RESTRICT"), index=True)
    channel: Mapped[Channel] = mapped_column(_enum(Channel), default=Channel.PERSONAL)
    payment_status: Mapped[PaymentStatus] = mapped_column(_enum(PaymentStatus), default=PaymentStatus.UNPAID, index=True)
    goods_amount: Mapped[int] = mapped_column(sa.BigInteger, default=0)     # lines, before PPN
    ppn_amount: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    delivery_amount: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    total_amount: Mapped[int] = mapped_column(sa.BigInteger, default=0)     # what the buyer pays
    refunded_amount: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    idempotency_key: Mapped[str] = mapped_column(sa.String(64))
    expires_at: Mapped[datetime | None] = mapped_column(index=True)
    paid_at: Mapped[datetime | None] = mapped_column(index=True)
    payment_reference: Mapped[str | None] = mapped_column(sa.String(255))

    buyer = relationship("User", lazy="joined")
    seller_orders: Mapped[list[SellerOrder]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="SellerOrder.id", lazy="selectin"
    )
    events: Mapped[list[OrderEvent]] = relationship(order_by="OrderEvent.id", lazy="select", viewonly=True)

    __table_args__ = (
        sa.UniqueConstraint("buyer_id", "idempotency_key", name="uq_orders_buyer_idempotency"),
        sa.CheckConstraint("total_amount >= 0 AND refunded_amount >= 0", name="amounts_not_negative"),
        sa.CheckConstraint("refunded_amount <= total_amount", name="refund_within_total"),
    )


class SellerOrder(TimestampMixin, db.Model):
    __tablename__ = "seller_orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    shop_id: Mapped[int] = mapped_column(sa.ForeignKey("shops.id", ondelete="RESTRICT"), index=True)
    number: Mapped[str] = mapped_column(sa.String(40), unique=True)
    status: Mapped[FulfilmentStatus] = mapped_column(_enum(FulfilmentStatus), index=True)
    fulfilment_method: Mapped[FulfilmentMethod] = mapped_column(_enum(FulfilmentMethod), default=FulfilmentMethod.DELIVERY)
    delivery_address: Mapped[str | None] = mapped_column(sa.Text)
    note: Mapped[str | None] = mapped_column(sa.Text)
    goods_amount: Mapped[int] = mapped_column(sa.BigInteger, default=0)      # Σ line amounts (DPP)
    ppn_amount: Mapped[int] = mapped_column(sa.BigInteger, default=0)        # PKP sellers only
    ppn_rate_bp: Mapped[int] = mapped_column(default=0)                      # rate used, basis points
    delivery_fee_amount: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    total_amount: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    refunded_amount: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    courier: Mapped[str | None] = mapped_column(sa.String(60))
    tracking_number: Mapped[str | None] = mapped_column(sa.String(80))
    status_reason: Mapped[str | None] = mapped_column(sa.Text)
    accepted_at: Mapped[datetime | None]
    shipped_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None] = mapped_column(index=True)
    received_at: Mapped[datetime | None]     # the buyer confirmed receipt (the digital BAST)
    receipt_note: Mapped[str | None] = mapped_column(sa.Text)
    completed_at: Mapped[datetime | None]

    order: Mapped[Order] = relationship(back_populates="seller_orders")
    shop = relationship("Shop", lazy="joined")
    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="seller_order", cascade="all, delete-orphan", order_by="OrderLine.id", lazy="selectin"
    )
    events: Mapped[list[OrderEvent]] = relationship(
        back_populates="seller_order", order_by="OrderEvent.id", lazy="select"
    )

    __table_args__ = (
        sa.Index("ix_seller_orders_shop_status", "shop_id", "status"),
        sa.CheckConstraint("refunded_amount <= total_amount", name="refund_within_total"),
    )

    @property
    def rejected_goods_amount(self) -> int:
        return sum(line.rejected_quantity * line.unit_price_amount for line in self.lines)


class OrderLine(db.Model):
    __tablename__ = "order_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    seller_order_id: Mapped[int] = mapped_column(sa.ForeignKey("seller_orders.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id", ondelete="RESTRICT"), index=True)
    category_id: Mapped[int | None] = mapped_column(sa.ForeignKey("categories.id", ondelete="SET NULL"), index=True)
    product_name: Mapped[str] = mapped_column(sa.String(160))
    unit: Mapped[str] = mapped_column(sa.String(20))
    list_price_amount: Mapped[int] = mapped_column(sa.BigInteger)   # catalog price at checkout
    unit_price_amount: Mapped[int] = mapped_column(sa.BigInteger)   # agreed price (negotiation may lower it)
    quantity: Mapped[int]
    rejected_quantity: Mapped[int] = mapped_column(default=0)       # refused by the buyer at receipt
    platform_fee_bp: Mapped[int] = mapped_column(default=0)         # the fee rate in force at checkout
    amount: Mapped[int] = mapped_column(sa.BigInteger)              # unit_price × quantity

    seller_order: Mapped[SellerOrder] = relationship(back_populates="lines")
    product = relationship("Product")  # rarely needed: the line carries its own snapshot

    __table_args__ = (
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
        sa.CheckConstraint("rejected_quantity >= 0 AND rejected_quantity <= quantity", name="rejected_within_quantity"),
        sa.CheckConstraint("unit_price_amount > 0", name="unit_price_positive"),
    )


class OrderEvent(db.Model):
    """One row per move on an order's timeline: who, when, from, to, why."""

    __tablename__ = "order_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    seller_order_id: Mapped[int | None] = mapped_column(sa.ForeignKey("seller_orders.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    actor_kind: Mapped[str] = mapped_column(sa.String(10), default="system")  # buyer | seller | admin | system
    kind: Mapped[str] = mapped_column(sa.String(20), default="status")  # status | payment | note
    from_status: Mapped[str | None] = mapped_column(sa.String(24))
    to_status: Mapped[str | None] = mapped_column(sa.String(24))
    note: Mapped[str | None] = mapped_column(sa.Text)

    seller_order: Mapped[SellerOrder | None] = relationship(back_populates="events")
    actor = relationship("User", lazy="joined")


class PaymentStatusEvent(db.Model):
    """One row per move of an order's payment status (`lifecycle.payment_status.move_payment`
    writes both): from, to, why, and who caused it."""

    __tablename__ = "payment_status_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    from_status: Mapped[str] = mapped_column(sa.String(24))
    to_status: Mapped[str] = mapped_column(sa.String(24))
    reason: Mapped[str] = mapped_column(sa.String(40))  # paid | expired | failed | cancelled | refunded reasons
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    actor_kind: Mapped[str] = mapped_column(sa.String(10), default="system")
