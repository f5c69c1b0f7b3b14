"""Budget lines, agency purchases (one per Surat Pesanan), price negotiation and payments.

An agency purchase wraps one SellerOrder of an agency-channel Order: the seller's fulfilment
status stays on the SellerOrder; the procurement stage (approval, documents, payment) and
the tax figures printed on the documents live here, stored rather than derived so that a
later change of rate never rewrites a signed document.
"""
from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from bebeli.db import TimestampMixin, utcnow
from bebeli.extensions import db


def _enum(e, length=20):
    return sa.Enum(e, native_enum=False, length=length, values_callable=lambda x: [m.value for m in x])


class BudgetLine(TimestampMixin, db.Model):
    """A budget line (pagu) of an agency for one fiscal year; approvals draw on it."""

    __tablename__ = "budget_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id", ondelete="RESTRICT"), index=True)
    fiscal_year: Mapped[int]
    code: Mapped[str] = mapped_column(sa.String(60))   # kode rekening, e.g. 5.1.02.01.01.0024
    name: Mapped[str] = mapped_column(sa.String(200))
    pagu_amount: Mapped[int] = mapped_column(sa.BigInteger)
    # Σ values of approved purchases still charged to this line; changed only by a
    # conditional UPDATE (see services.charge_budget_line).
    used_amount: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    is_active: Mapped[bool] = mapped_column(default=True)

    agency = relationship("Agency", lazy="joined")

    __table_args__ = (
        sa.UniqueConstraint("agency_id", "fiscal_year", "code", name="uq_budget_lines_agency_year_code"),
        sa.CheckConstraint("pagu_amount > 0", name="pagu_positive"),
        sa.CheckConstraint("used_amount >= 0 AND used_amount <= pagu_amount", name="used_within_pagu"),
    )

    @property
    def remaining_amount(self) -> int:
        return self.pagu_amount - self.used_amount

    @property
    def label(self) -> str:
        return f"{self.code} — {self.name}"


class AgencyBudget(TimestampMixin, db.Model):
    """An agency's whole goods/services budget for a year: the base of the 40% small-business
    target. Optional; without it the sum of the agency's budget lines stands in."""

    __tablename__ = "agency_budgets"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id", ondelete="CASCADE"))
    fiscal_year: Mapped[int]
    goods_services_amount: Mapped[int] = mapped_column(sa.BigInteger)

    __table_args__ = (
        sa.UniqueConstraint("agency_id", "fiscal_year", name="uq_agency_budgets_agency_year"),
        sa.CheckConstraint("goods_services_amount > 0", name="amount_positive"),
    )


class OfficialDeclaration(TimestampMixin, db.Model):
    """Identifiers a PP or PPK declares, compared with sellers' to flag self-dealing."""

    __tablename__ = "official_declarations"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    nik: Mapped[str | None] = mapped_column(sa.String(16), index=True)
    phone: Mapped[str | None] = mapped_column(sa.String(15), index=True)
    bank_account_number: Mapped[str | None] = mapped_column(sa.String(20), index=True)

    user = relationship("User", lazy="joined")


class Stage(enum.StrEnum):
    AWAITING_APPROVAL = "awaiting_approval"  # placed by the PP, waiting for the PPK
    RETURNED = "returned"                    # sent back by the PPK with a note
    APPROVED = "approved"                    # Surat Pesanan issued; budget charged
    RECEIVED = "received"                    # BAST signed; invoice issued
    PAID = "paid"                            # the treasurer paid the net amount
    CANCELLED = "cancelled"                  # cancelled, or the seller rejected the SP


OPEN_STAGES = (Stage.AWAITING_APPROVAL, Stage.RETURNED)
CHARGED_STAGES = (Stage.APPROVED, Stage.RECEIVED, Stage.PAID)


class AgencyPurchase(TimestampMixin, db.Model):
    __tablename__ = "agency_purchases"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    seller_order_id: Mapped[int] = mapped_column(sa.ForeignKey("seller_orders.id", ondelete="CASCADE"), unique=True)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id", ondelete="RESTRICT"), index=True)
    shop_id: Mapped[int] = mapped_column(sa.ForeignKey("shops.id", ondelete="RESTRICT"), index=True)
    budget_line_id: Mapped[int] = mapped_column(sa.ForeignKey("budget_lines.id", ondelete="RESTRICT"), index=True)
    pp_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    ppk_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    stage: Mapped[Stage] = mapped_column(_enum(Stage), default=Stage.AWAITING_APPROVAL, index=True)
    return_note: Mapped[str | None] = mapped_column(sa.Text)
    # What this purchase holds on its budget line right now (0 until approval).
    charged_amount: Mapped[int] = mapped_column(sa.BigInteger, default=0)

    # Surat Pesanan
    sp_number: Mapped[str | None] = mapped_column(sa.String(40), unique=True)
    sp_date: Mapped[date | None]
    approved_at: Mapped[datetime | None] = mapped_column(index=True)
    # BAST and the invoice generated from it
    bast_number: Mapped[str | None] = mapped_column(sa.String(40), unique=True)
    bast_date: Mapped[date | None]
    bast_note: Mapped[str | None] = mapped_column(sa.Text)
    invoice_number: Mapped[str | None] = mapped_column(sa.String(40), unique=True)
    received_at: Mapped[datetime | None]

    # Tax figures as printed on the latest document (rates of the SP date).
    dpp_amount: Mapped[int] = mapped_column(sa.BigInteger, default=0)       # price excluding PPN
    ppn_amount: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    ppn_rate_bp: Mapped[int] = mapped_column(default=0)
    delivery_amount: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    pph22_amount: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    pph22_rate_bp: Mapped[int] = mapped_column(default=0)
    ppn_withheld_amount: Mapped[int] = mapped_column(sa.BigInteger, default=0)  # kept as PPN collector
    net_amount: Mapped[int] = mapped_column(sa.BigInteger, default=0)       # what the seller receives

    paid_amount: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    paid_at: Mapped[datetime | None] = mapped_column(index=True)

    order = relationship("Order", lazy="joined")
    # The backref lets order pages link an agency order's part to its purchase page without
    # the orders module importing this one.
    seller_order = relationship("SellerOrder", lazy="joined",
                                backref=backref("agency_purchase", uselist=False, lazy="select", viewonly=True))
    agency = relationship("Agency", lazy="joined")
    shop = relationship("Shop", lazy="joined")
    budget_line: Mapped[BudgetLine] = relationship(lazy="joined")
    pp = relationship("User", foreign_keys=[pp_id], lazy="joined")
    ppk = relationship("User", foreign_keys=[ppk_id], lazy="joined")
    offers: Mapped[list[PriceOffer]] = relationship(
        back_populates="purchase", cascade="all, delete-orphan", order_by="PriceOffer.id", lazy="selectin"
    )
    payments: Mapped[list[AgencyPayment]] = relationship(
        back_populates="purchase", cascade="all, delete-orphan", order_by="AgencyPayment.id", lazy="selectin"
    )

    __table_args__ = (
        sa.CheckConstraint("charged_amount >= 0", name="charged_not_negative"),
        sa.CheckConstraint("paid_amount >= 0", name="paid_not_negative"),
    )

    @property
    def goods_value_amount(self) -> int:
        """The goods with their PPN, without delivery (the value of what was handed over)."""
        return self.dpp_amount + self.ppn_amount

    @property
    def gross_amount(self) -> int:
        """The invoice value: goods, PPN and delivery (what the budget pays, withholding included)."""
        return self.goods_value_amount + self.delivery_amount

    @property
    def outstanding_amount(self) -> int:
        return self.net_amount - self.paid_amount

    @property
    def pending_offers(self) -> list[PriceOffer]:
        return [o for o in self.offers if o.status == OfferStatus.PENDING]


class OfferSide(enum.StrEnum):
    BUYER = "buyer"    # proposed by the PP
    SELLER = "seller"  # a counter-offer from the seller


class OfferStatus(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    COUNTERED = "countered"
    DECLINED = "declined"


class PriceOffer(db.Model):
    """A proposed unit price for one order line; the other side accepts or counters."""

    __tablename__ = "price_offers"

    id: Mapped[int] = mapped_column(primary_key=True)
    purchase_id: Mapped[int] = mapped_column(sa.ForeignKey("agency_purchases.id", ondelete="CASCADE"), index=True)
    order_line_id: Mapped[int] = mapped_column(sa.ForeignKey("order_lines.id", ondelete="CASCADE"), index=True)
    side: Mapped[OfferSide] = mapped_column(_enum(OfferSide))
    unit_price_amount: Mapped[int] = mapped_column(sa.BigInteger)
    status: Mapped[OfferStatus] = mapped_column(_enum(OfferStatus), default=OfferStatus.PENDING)
    note: Mapped[str | None] = mapped_column(sa.String(500))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    responded_at: Mapped[datetime | None]

    purchase: Mapped[AgencyPurchase] = relationship(back_populates="offers")
    order_line = relationship("OrderLine", lazy="joined")

    __table_args__ = (sa.CheckConstraint("unit_price_amount > 0", name="price_positive"),)


class AgencyPayment(db.Model):
    """A payment the treasurer made outside the card gateway (SP2D or bank transfer)."""

    __tablename__ = "agency_payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    purchase_id: Mapped[int] = mapped_column(sa.ForeignKey("agency_purchases.id", ondelete="CASCADE"), index=True)
    paid_on: Mapped[date]
    reference: Mapped[str] = mapped_column(sa.String(80))   # SP2D number or transfer reference
    amount: Mapped[int] = mapped_column(sa.BigInteger)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    purchase: Mapped[AgencyPurchase] = relationship(back_populates="payments")
    recorded_by = relationship("User", lazy="joined")

    __table_args__ = (sa.CheckConstraint("amount > 0", name="amount_positive"),)
