"""The shop ledger and payouts.

Every movement of a shop's money is one LedgerEntry, written once (its `key` names the event
that caused it, unique, so a webhook delivered again or a job run twice adds nothing) and never
edited: a correction is another entry. Amounts are signed integer rupiah: credits positive,
debits negative. A shop's balance is the sum of its entries; `ShopBalance` keeps that sum,
changed in the same statement batch as every entry, so listing balances never adds up a
million rows. An entry counts as available once its `available_at` has passed (a sale waits
SETTLEMENT_HOLD_DAYS after completion; debits are available at once).
"""
from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bebeli.db import TimestampMixin, utcnow
from bebeli.extensions import db


def _enum(e, length=20):
    return sa.Enum(e, native_enum=False, length=length, values_callable=lambda x: [m.value for m in x])


class EntryKind(enum.StrEnum):
    SALE = "sale"                        # + a completed seller order: what the buyer paid for it
    FEE = "fee"                          # − the platform fee on the goods kept (rate frozen per line)
    REFUND = "refund"                    # − money given back to the buyer for this shop's part
    PAYOUT = "payout"                    # − sent to the shop's bank account
    PAYOUT_RETURNED = "payout_returned"  # + the bank returned a transfer
    ADJUSTMENT = "adjustment"            # ± an administrator's correction, with a reason
    OUTSIDE_SALE = "outside_sale"        # + agency income the treasurer paid directly (SP2D)…
    OUTSIDE_PAID = "outside_paid"        # − …and already received by the shop: never paid out


class LedgerEntry(db.Model):
    __tablename__ = "ledger_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(sa.ForeignKey("shops.id", ondelete="RESTRICT"))
    kind: Mapped[EntryKind] = mapped_column(_enum(EntryKind))
    amount: Mapped[int] = mapped_column(sa.BigInteger)
    key: Mapped[str] = mapped_column(sa.String(80), unique=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    available_at: Mapped[datetime] = mapped_column(default=utcnow)
    order_id: Mapped[int | None] = mapped_column(sa.ForeignKey("orders.id", ondelete="SET NULL"), index=True)
    seller_order_id: Mapped[int | None] = mapped_column(sa.ForeignKey("seller_orders.id", ondelete="SET NULL"),
                                                        index=True)
    payout_id: Mapped[int | None] = mapped_column(sa.ForeignKey("payouts.id", ondelete="SET NULL"), index=True)
    note: Mapped[str | None] = mapped_column(sa.Text)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    seller_order = relationship("SellerOrder")

    __table_args__ = (
        sa.CheckConstraint("amount <> 0", name="amount_not_zero"),
        sa.Index("ix_ledger_entries_shop_at", "shop_id", "at"),
        sa.Index("ix_ledger_entries_shop_available", "shop_id", "available_at"),
    )


class ShopBalance(db.Model):
    """The sum of a shop's entries, kept with every entry (tests check it against the sum)."""

    __tablename__ = "shop_balances"

    shop_id: Mapped[int] = mapped_column(sa.ForeignKey("shops.id", ondelete="CASCADE"), primary_key=True)
    balance_amount: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    entry_count: Mapped[int] = mapped_column(default=0)

    shop = relationship("Shop", lazy="joined")


class BatchStatus(enum.StrEnum):
    OPEN = "open"        # transfers to make and mark
    CLOSED = "closed"    # every transfer marked paid or returned


class PayoutStatus(enum.StrEnum):
    PENDING = "pending"
    PAID = "paid"
    RETURNED = "returned"


class PayoutBatch(TimestampMixin, db.Model):
    __tablename__ = "payout_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(40), unique=True)
    # The schedule's period (e.g. "2026-W49") for batches the scheduled job makes: unique, so
    # two servers running the job at once make one batch. None for "pay this shop now".
    period_key: Mapped[str | None] = mapped_column(sa.String(20), unique=True)
    status: Mapped[BatchStatus] = mapped_column(_enum(BatchStatus), default=BatchStatus.OPEN, index=True)
    total_amount: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    payout_count: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    payouts: Mapped[list[Payout]] = relationship(back_populates="batch", order_by="Payout.id", lazy="select")


class Payout(TimestampMixin, db.Model):
    """One transfer to one shop's verified account, its bank details copied when it was made."""

    __tablename__ = "payouts"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(sa.ForeignKey("payout_batches.id", ondelete="RESTRICT"), index=True)
    shop_id: Mapped[int] = mapped_column(sa.ForeignKey("shops.id", ondelete="RESTRICT"), index=True)
    amount: Mapped[int] = mapped_column(sa.BigInteger)
    bank_name: Mapped[str] = mapped_column(sa.String(60))
    bank_code: Mapped[str | None] = mapped_column(sa.String(10))
    account_number: Mapped[str] = mapped_column(sa.String(20))
    account_name: Mapped[str] = mapped_column(sa.String(120))
    reference: Mapped[str] = mapped_column(sa.String(40), unique=True)   # ours, on the transfer
    status: Mapped[PayoutStatus] = mapped_column(_enum(PayoutStatus), default=PayoutStatus.PENDING, index=True)
    bank_reference: Mapped[str | None] = mapped_column(sa.String(80))
    paid_at: Mapped[datetime | None]
    returned_at: Mapped[datetime | None]
    return_reason: Mapped[str | None] = mapped_column(sa.Text)
    marked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    batch: Mapped[PayoutBatch] = relationship(back_populates="payouts")
    shop = relationship("Shop", lazy="joined")

    __table_args__ = (sa.CheckConstraint("amount > 0", name="amount_positive"),)


class SettlementHold(db.Model):
    """A seller order whose entries may not be paid out for now, whatever their `available_at`
    (a complaint about it is open): `ledger.hold` / `ledger.release`."""

    __tablename__ = "settlement_holds"

    seller_order_id: Mapped[int] = mapped_column(sa.ForeignKey("seller_orders.id", ondelete="CASCADE"),
                                                 primary_key=True)
    shop_id: Mapped[int] = mapped_column(sa.ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(sa.String(40))
    since: Mapped[datetime] = mapped_column(default=utcnow)
