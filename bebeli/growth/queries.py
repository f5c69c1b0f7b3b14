"""The growth page's reads: one query for the roster of verified shops with their sales
figures, one for sales by category, and the certificate counts.

Sales come from the insights summaries (`insight_shop_months`, `insight_product_months`,
`insight_shop_buyers`), never from orders, so the page costs the same whatever the number of
orders. Every figure is about shops that are verified now.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import func, select

from bebeli.catalog.models import Category, Product
from bebeli.dates import jakarta_midnight, month_start
from bebeli.insights.models import InsightProductMonth, InsightShopBuyer, InsightShopMonth
from bebeli.quotas.obligations import last_months
from bebeli.quotas.tables import execute_report, report_rows
from bebeli.sellers.models import CertificateKind, Shop, ShopCertificate, ShopStatus
from bebeli.sqlfuncs import int_sum

MONTHS = 12


@dataclass(frozen=True)
class Window:
    """The periods every figure uses, all in Asia/Jakarta months and days."""

    today: date
    months: list[date]        # the trailing 12 months, this one last
    before: list[date]        # the 12 months before those (the class "12 months ago")
    active_since: datetime    # UTC: a shop that sold since then is active

    @classmethod
    def ending(cls, today: date, active_days: int) -> Window:
        months = last_months(month_start(today), MONTHS)
        before = last_months(months[0] - timedelta(days=1), MONTHS)
        return cls(today, months, before, jakarta_midnight(today - timedelta(days=active_days - 1)))


@dataclass
class ShopFigures:
    id: int
    name: str
    kecamatan: str
    verified_at: datetime | None
    sales_amount: int         # trailing 12 months
    orders: int
    sales_before_amount: int  # the 12 months before
    ever_sold: bool
    active: bool


def _in(months: list[date]):
    return sa.and_(InsightShopMonth.month >= months[0], InsightShopMonth.month <= months[-1])


def _sum_if(condition, column):
    return int_sum(sa.case((condition, column), else_=0))


def shop_roster(window: Window) -> list[ShopFigures]:
    """Every verified shop with its sales now and a year earlier, whether it ever sold and
    whether it sold recently. One pass over the shop-month summary gives all three sums."""
    sales = (
        select(InsightShopMonth.shop_id,
               _sum_if(_in(window.months), InsightShopMonth.revenue_amount).label("amount"),
               _sum_if(_in(window.months), InsightShopMonth.orders).label("orders"),
               _sum_if(_in(window.before), InsightShopMonth.revenue_amount).label("before_amount"),
               int_sum(InsightShopMonth.revenue_amount).label("lifetime_amount"))
        .group_by(InsightShopMonth.shop_id)
        .subquery("sales")
    )
    recent = (select(InsightShopBuyer.shop_id).distinct()
              .where(InsightShopBuyer.orders > 0, InsightShopBuyer.last_paid_at >= window.active_since)
              .subquery("recent"))
    stmt = (
        select(Shop.id, Shop.name, Shop.kecamatan, Shop.verified_at,
               func.coalesce(sales.c.amount, 0).label("sales_amount"),
               func.coalesce(sales.c.orders, 0).label("orders"),
               func.coalesce(sales.c.before_amount, 0).label("sales_before_amount"),
               (func.coalesce(sales.c.lifetime_amount, 0) > 0).label("ever_sold"),
               recent.c.shop_id.is_not(None).label("active"))
        .outerjoin(sales, sales.c.shop_id == Shop.id)
        .outerjoin(recent, recent.c.shop_id == Shop.id)
        .where(Shop.status == ShopStatus.VERIFIED)
        .order_by(Shop.id)
    )
    return [
        ShopFigures(r.id, r.name, r.kecamatan, r.verified_at, int(r.sales_amount), int(r.orders),
                    int(r.sales_before_amount), bool(r.ever_sold), bool(r.active))
        for r in execute_report(stmt)
    ]


def sales_by_category(window: Window) -> list[dict]:
    """Goods sold by verified shops over the trailing 12 months, per product category."""
    stmt = (
        select(Category.id.label("category_id"), Category.name.label("category"),
               int_sum(InsightProductMonth.revenue_amount).label("amount"),
               int_sum(InsightProductMonth.units).label("units"))
        .select_from(InsightProductMonth)
        .join(Product, Product.id == InsightProductMonth.product_id)
        .join(Shop, Shop.id == InsightProductMonth.shop_id)
        .outerjoin(Category, Category.id == Product.category_id)
        .where(Shop.status == ShopStatus.VERIFIED,
               InsightProductMonth.month >= window.months[0], InsightProductMonth.month <= window.months[-1])
        .group_by(Category.id, Category.name)
        .having(func.sum(InsightProductMonth.revenue_amount) != 0)
        .order_by(sa.desc("amount"), Category.name)
    )
    return report_rows(stmt)


def certificate_counts(today: date, horizons: tuple[int, ...]) -> dict:
    """Per certificate kind: verified shops holding a valid one today, and certificates
    expiring within each horizon (days from today, today included)."""
    valid = sa.or_(ShopCertificate.expires_on.is_(None), ShopCertificate.expires_on >= today)
    columns = [ShopCertificate.kind, func.count(sa.distinct(sa.case((valid, ShopCertificate.shop_id)))).label("shops")]
    for days in horizons:
        due = sa.and_(ShopCertificate.expires_on >= today, ShopCertificate.expires_on <= today + timedelta(days=days))
        columns.append(int_sum(sa.case((due, 1), else_=0)).label(f"due_{days}"))
    stmt = (select(*columns).join(Shop, Shop.id == ShopCertificate.shop_id)
            .where(Shop.status == ShopStatus.VERIFIED).group_by(ShopCertificate.kind))
    found = {CertificateKind(r.kind): r._mapping for r in execute_report(stmt)}
    return {kind: {"shops": int(found[kind]["shops"]) if kind in found else 0,
                   **{f"due_{d}": int(found[kind][f"due_{d}"] or 0) if kind in found else 0 for d in horizons}}
            for kind in CertificateKind}


def shops_with_nib() -> int:
    return execute_report(
        select(func.count(Shop.id)).where(Shop.status == ShopStatus.VERIFIED, Shop.nib.is_not(None), Shop.nib != "")
    ).scalar_one()


def expiring_certificates(today: date, days: int) -> list[dict]:
    """Certificates of verified shops that expire within `days`, soonest first."""
    stmt = (
        select(Shop.id.label("shop_id"), Shop.name.label("shop"), Shop.kecamatan, ShopCertificate.kind,
               ShopCertificate.number, ShopCertificate.expires_on)
        .join(Shop, Shop.id == ShopCertificate.shop_id)
        .where(Shop.status == ShopStatus.VERIFIED, ShopCertificate.expires_on >= today,
               ShopCertificate.expires_on <= today + timedelta(days=days))
        .order_by(ShopCertificate.expires_on, Shop.name, ShopCertificate.id)
    )
    return report_rows(stmt)
