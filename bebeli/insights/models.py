"""Sales summaries for insights, kept in the transaction of the order move that changes them.

The rule (written once; the README repeats it):

- A sale is a seller order of a paid order, counted when the order is paid, in the Asia/Jakarta
  month of `paid_at`, in the channel of the order (personal, or agency with the buyer's agency).
- Revenue is the goods (line amounts before PPN); delivery and tax never count.
- Goods taken back later (a cancelled or rejected part, items refused at receipt, a complaint
  refund) come out of the month of the SALE, however late that is — as the quota ledger does —
  so a month's figures are "what was sold that month and kept".
- A part counts as an order while it keeps some revenue; a product line likewise. Units leave
  with refused items, or with the whole line when its revenue reaches zero.

`insight_sales` and `insight_sale_lines` say what each part and line counts now; the three
summaries (`insight_shop_months`, `insight_product_months`, `insight_shop_buyers`) are their
sums. Derived data, kept without foreign keys so a summary row never blocks a deletion;
`flask insights rebuild` recomputes them from the orders.
"""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from bebeli.extensions import db

NO_AGENCY = 0  # agency_id of personal purchases in the shop-month summary


class InsightSale(db.Model):
    """What one paid seller order counts now."""

    __tablename__ = "insight_sales"

    seller_order_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    shop_id: Mapped[int]
    buyer_id: Mapped[int]
    month: Mapped[date]
    channel: Mapped[str] = mapped_column(sa.String(12))
    agency_id: Mapped[int] = mapped_column(default=NO_AGENCY)
    paid_at: Mapped[datetime]
    revenue_amount: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    units: Mapped[int] = mapped_column(default=0)

    __table_args__ = (sa.Index("ix_insight_sales_shop_buyer", "shop_id", "buyer_id"),)


class InsightSaleLine(db.Model):
    """What one line of a counted seller order counts now."""

    __tablename__ = "insight_sale_lines"

    order_line_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    seller_order_id: Mapped[int] = mapped_column(index=True)
    product_id: Mapped[int]
    revenue_amount: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    units: Mapped[int] = mapped_column(default=0)


class InsightShopMonth(db.Model):
    """Per shop, Jakarta month, channel and agency (NO_AGENCY for personal purchases)."""

    __tablename__ = "insight_shop_months"

    shop_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    month: Mapped[date] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(sa.String(12), primary_key=True)
    agency_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    revenue_amount: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    orders: Mapped[int] = mapped_column(default=0)
    units: Mapped[int] = mapped_column(default=0)

    __table_args__ = (sa.Index("ix_insight_shop_months_month", "month"),)


class InsightProductMonth(db.Model):
    """Per product and Jakarta month (a product never changes shop; the shop leads the key for
    the shop's product lists)."""

    __tablename__ = "insight_product_months"

    shop_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    product_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    month: Mapped[date] = mapped_column(primary_key=True)
    revenue_amount: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    orders: Mapped[int] = mapped_column(default=0)
    units: Mapped[int] = mapped_column(default=0)


class InsightShopBuyer(db.Model):
    """Per shop and buyer: counted orders, first and last payment among them."""

    __tablename__ = "insight_shop_buyers"

    shop_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    buyer_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    orders: Mapped[int] = mapped_column(default=0)
    first_paid_at: Mapped[datetime | None]
    last_paid_at: Mapped[datetime | None]


class LowStockAlert(db.Model):
    """A product whose stock is below its threshold and whose seller was mailed: deleted when
    the stock rises to the threshold again, so the next crossing mails once more."""

    __tablename__ = "insight_low_stock_alerts"

    product_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    shop_id: Mapped[int] = mapped_column(index=True)
    alerted_at: Mapped[datetime]
