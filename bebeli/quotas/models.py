"""Quota rules (policies, rank tables, exemptions) and the purchase ledger with its summaries.

Rules are data: a policy says, from a month on, what each covered ASN must buy (a fixed
amount by echelon or a share of TPP), what they may buy at most, and what each agency aims
for. Purchases are written to an append-only ledger; two summaries kept in the same
transaction (`quota_months` per ASN and month, `quota_spend` per month, agency, shop and
category) let the dashboard aggregate without touching order rows.
"""
from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bebeli.db import TimestampMixin, utcnow
from bebeli.directory.models import Echelon
from bebeli.extensions import db


def _enum(e, length=20):
    return sa.Enum(e, native_enum=False, length=length, values_callable=lambda x: [m.value for m in x])


class MinimumKind(enum.StrEnum):
    BY_RANK = "by_rank"          # a fixed amount per echelon, from the policy's table
    TPP_PERCENT = "tpp_percent"  # basis points of each ASN's monthly TPP
    NONE = "none"                # no minimum (a policy with only a ceiling or a target)


class ExemptionReason(enum.StrEnum):
    LEAVE = "leave"        # cuti
    TRANSFER = "transfer"  # mutasi
    SICK = "sick"          # sakit
    OTHER = "other"


quota_policy_agencies = sa.Table(
    "quota_policy_agencies",
    db.metadata,
    sa.Column("policy_id", sa.ForeignKey("quota_policies.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("agency_id", sa.ForeignKey("agencies.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class QuotaPolicy(TimestampMixin, db.Model):
    """Applies to every Jakarta month from `effective_from` (a first day) until a newer
    policy covering the same agency takes over (see `obligations.resolved_policies`)."""

    __tablename__ = "quota_policies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    effective_from: Mapped[date] = mapped_column(index=True)
    applies_to_all: Mapped[bool] = mapped_column(default=True)
    minimum_kind: Mapped[MinimumKind] = mapped_column(_enum(MinimumKind), default=MinimumKind.BY_RANK)
    tpp_basis_points: Mapped[int | None]
    ceiling_amount: Mapped[int | None] = mapped_column(sa.BigInteger)
    agency_target_amount: Mapped[int | None] = mapped_column(sa.BigInteger)
    note: Mapped[str | None] = mapped_column(sa.Text)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    rank_amounts: Mapped[list[QuotaRankAmount]] = relationship(
        back_populates="policy", cascade="all, delete-orphan", lazy="selectin", order_by="QuotaRankAmount.echelon"
    )
    agencies = relationship("Agency", secondary=quota_policy_agencies, lazy="selectin", order_by="Agency.name")

    __table_args__ = (
        sa.CheckConstraint("tpp_basis_points IS NULL OR (tpp_basis_points > 0 AND tpp_basis_points <= 10000)",
                           name="tpp_basis_points_range"),
        sa.CheckConstraint("ceiling_amount IS NULL OR ceiling_amount > 0", name="ceiling_positive"),
        sa.CheckConstraint("agency_target_amount IS NULL OR agency_target_amount > 0", name="target_positive"),
    )

    def amount_for(self, echelon: Echelon) -> int | None:
        return next((r.amount for r in self.rank_amounts if r.echelon == echelon), None)


class QuotaRankAmount(db.Model):
    """One line of a fixed-by-rank table: the monthly minimum for an echelon."""

    __tablename__ = "quota_rank_amounts"

    policy_id: Mapped[int] = mapped_column(sa.ForeignKey("quota_policies.id", ondelete="CASCADE"), primary_key=True)
    echelon: Mapped[Echelon] = mapped_column(_enum(Echelon), primary_key=True)
    amount: Mapped[int] = mapped_column(sa.BigInteger)

    policy: Mapped[QuotaPolicy] = relationship(back_populates="rank_amounts")

    __table_args__ = (sa.CheckConstraint("amount >= 0", name="amount_not_negative"),)


class QuotaExemption(TimestampMixin, db.Model):
    """Days on which an ASN owes nothing (leave, transfer, sickness); inclusive dates."""

    __tablename__ = "quota_exemptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    asn_id: Mapped[int] = mapped_column(sa.ForeignKey("asn_profiles.id", ondelete="CASCADE"), index=True)
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    reason: Mapped[ExemptionReason] = mapped_column(_enum(ExemptionReason))
    note: Mapped[str | None] = mapped_column(sa.String(255))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    asn = relationship("AsnProfile", lazy="joined")

    __table_args__ = (sa.CheckConstraint("ends_on >= starts_on", name="dates_ordered"),)


class EntryKind(enum.StrEnum):
    PURCHASE = "purchase"    # goods paid for, counted in the payment's month
    REDUCTION = "reduction"  # cancelled, rejected or refunded goods taken back out


class QuotaEntry(db.Model):
    """The ledger: append-only, one row per seller order and top category per event.

    `month` is the Jakarta month the payment counted in; reductions carry the month of the
    payment they correct, whenever they happen.
    """

    __tablename__ = "quota_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"))
    month: Mapped[date]
    agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agencies.id", ondelete="RESTRICT"))
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id", ondelete="RESTRICT"), index=True)
    seller_order_id: Mapped[int] = mapped_column(sa.ForeignKey("seller_orders.id", ondelete="RESTRICT"), index=True)
    shop_id: Mapped[int] = mapped_column(sa.ForeignKey("shops.id", ondelete="RESTRICT"))
    category_id: Mapped[int | None] = mapped_column(sa.ForeignKey("categories.id", ondelete="SET NULL"))
    kind: Mapped[EntryKind] = mapped_column(_enum(EntryKind))
    reason: Mapped[str | None] = mapped_column(sa.String(24))
    amount: Mapped[int] = mapped_column(sa.BigInteger)
    at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (sa.Index("ix_quota_entries_user_month", "user_id", "month"),)


class QuotaMonth(db.Model):
    """Per ASN and Jakarta month: what counts so far and what unpaid checkouts hold.

    The ceiling is enforced on this row with one conditional UPDATE, so concurrent
    checkouts queue on its lock and cannot pass the ceiling together. Once a month has
    closed, its obligation is frozen here too (`minimum_amount`, the agency and policy of
    that month; see `QuotaFrozenMonth`), so later directory edits do not rewrite history
    and the 12-month trend reads one narrow table.
    """

    __tablename__ = "quota_months"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    month: Mapped[date] = mapped_column(primary_key=True)
    counted_amount: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    reserved_amount: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    # Frozen obligation of a closed month (NULL: not in service, or not frozen yet).
    minimum_amount: Mapped[int | None] = mapped_column(sa.BigInteger)
    agency_id: Mapped[int | None]
    policy_id: Mapped[int | None]

    __table_args__ = (
        sa.Index("ix_quota_months_month", "month"),
        sa.Index("ix_quota_months_agency_month", "agency_id", "month"),
        sa.CheckConstraint("counted_amount >= 0 AND reserved_amount >= 0", name="amounts_not_negative"),
    )


class QuotaFrozenMonth(db.Model):
    """A closed month whose obligations are frozen in `quota_months`. Deleting the row
    (a policy or exemption edit reaching back to that month) makes it be computed again."""

    __tablename__ = "quota_frozen_months"

    month: Mapped[date] = mapped_column(primary_key=True)
    frozen_at: Mapped[datetime] = mapped_column(default=utcnow)


class QuotaAgencyMonth(db.Model):
    """Attainment figures of a frozen month per agency (from the frozen `quota_months` rows),
    so the 12-month trend reads hundreds of rows instead of every ASN. Rebuilt when the month
    is frozen; a late reduction in a frozen month refreshes its agency's row in the same
    transaction."""

    __tablename__ = "quota_agency_months"

    month: Mapped[date] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(primary_key=True)
    obligated: Mapped[int]
    attained: Mapped[int]
    counted_amount: Mapped[int] = mapped_column(sa.BigInteger)
    shortfall_amount: Mapped[int] = mapped_column(sa.BigInteger)
    target_amount: Mapped[int | None] = mapped_column(sa.BigInteger)


class QuotaHold(db.Model):
    """Ceiling room held by an unpaid seller order, released when it is paid or ends."""

    __tablename__ = "quota_holds"

    seller_order_id: Mapped[int] = mapped_column(sa.ForeignKey("seller_orders.id", ondelete="CASCADE"), primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    month: Mapped[date]
    amount: Mapped[int] = mapped_column(sa.BigInteger)

    __table_args__ = (sa.CheckConstraint("amount >= 0", name="amount_not_negative"),)


class QuotaSpend(db.Model):
    """Counted spending per month, buyer's agency, shop and top category (0 when unknown).

    Derived data, kept without foreign keys so a summary row never blocks a deletion.
    """

    __tablename__ = "quota_spend"

    month: Mapped[date] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(primary_key=True)
    amount: Mapped[int] = mapped_column(sa.BigInteger, default=0)

    __table_args__ = (sa.Index("ix_quota_spend_agency_month", "agency_id", "month"),)


class QuotaReminder(db.Model):
    """One row per person and month reminded, so reminders go out at most once a month."""

    __tablename__ = "quota_reminders"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    month: Mapped[date] = mapped_column(primary_key=True)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    shortfall_amount: Mapped[int] = mapped_column(sa.BigInteger)
