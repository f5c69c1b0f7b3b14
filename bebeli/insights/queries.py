"""Reading the sales summaries: shops × months (the Dinas's views), one shop's months, products
and buyers (the seller's page). Every function is an aggregate over the summary tables; none
reads order rows."""
from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from bebeli.dates import month_start
from bebeli.extensions import db
from bebeli.insights.models import InsightProductMonth, InsightSale, InsightShopBuyer, InsightShopMonth
from bebeli.sqlfuncs import int_sum

M = InsightShopMonth


def last_months(month: date, count: int = 12) -> list[date]:
    """The `count` months ending with `month`, oldest first."""
    months = [month_start(month)]
    while len(months) < count:
        months.insert(0, month_start(months[0] - timedelta(days=1)))
    return months


def _totals():
    return (int_sum(M.revenue_amount).label("revenue"), int_sum(M.orders).label("orders"),
            int_sum(M.units).label("units"))


def shop_months(first: date, last: date, shop_ids=None) -> sa.Select:
    """SELECT shop_id, month, revenue, orders, units — one row per shop and month with sales,
    both channels together, for months first..last (first days of months). `shop_ids`: a list
    or a SELECT of shop ids (None: every shop)."""
    stmt = (sa.select(M.shop_id, M.month, *_totals())
            .where(M.month >= month_start(first), M.month <= month_start(last))
            .group_by(M.shop_id, M.month))
    if shop_ids is not None:
        stmt = stmt.where(M.shop_id.in_(shop_ids))
    return stmt


def shop_totals(first: date, last: date, shop_ids=None) -> sa.Select:
    """SELECT shop_id, revenue, orders, units — one row per shop over months first..last."""
    stmt = (sa.select(M.shop_id, *_totals())
            .where(M.month >= month_start(first), M.month <= month_start(last))
            .group_by(M.shop_id))
    if shop_ids is not None:
        stmt = stmt.where(M.shop_id.in_(shop_ids))
    return stmt


def shop_channel_months(first: date, last: date, shop_ids=None) -> sa.Select:
    """SELECT shop_id, month, channel, agency_id, revenue, orders, units (agency_id 0 for
    personal purchases)."""
    stmt = (sa.select(M.shop_id, M.month, M.channel, M.agency_id, *_totals())
            .where(M.month >= month_start(first), M.month <= month_start(last))
            .group_by(M.shop_id, M.month, M.channel, M.agency_id))
    if shop_ids is not None:
        stmt = stmt.where(M.shop_id.in_(shop_ids))
    return stmt


def month_totals(shop_id: int, months: list[date]) -> dict[date, dict]:
    """{month: {revenue, orders, units, personal, agency, aov}} for one shop, every month given
    present (zeros when nothing sold). aov: average order value, integer rupiah."""
    out = {m: {"revenue": 0, "orders": 0, "units": 0, "personal": 0, "agency": 0, "aov": 0} for m in months}
    rows = db.session.execute(shop_channel_months(months[0], months[-1], [shop_id]))
    for row in rows:
        figures = out[row.month]
        figures["revenue"] += row.revenue
        figures["orders"] += row.orders
        figures["units"] += row.units
        figures[row.channel] += row.revenue
    for figures in out.values():
        figures["aov"] = figures["revenue"] // figures["orders"] if figures["orders"] else 0
    return out


def agency_totals(shop_id: int, first: date, last: date) -> list:
    """Rows (agency_id, revenue, orders, units) of a shop's agency purchases, largest first."""
    return db.session.execute(
        sa.select(M.agency_id, *_totals())
        .where(M.shop_id == shop_id, M.channel == "agency", M.month >= first, M.month <= last)
        .group_by(M.agency_id).order_by(sa.desc("revenue"), M.agency_id)).all()


def product_totals(shop_id: int, first: date, last: date) -> dict[int, dict]:
    """{product id: {revenue, units, orders}} of one shop over months first..last."""
    P = InsightProductMonth
    rows = db.session.execute(
        sa.select(P.product_id, int_sum(P.revenue_amount).label("revenue"), int_sum(P.units).label("units"),
                  int_sum(P.orders).label("orders"))
        .where(P.shop_id == shop_id, P.month >= first, P.month <= last).group_by(P.product_id))
    return {r.product_id: {"revenue": r.revenue, "units": r.units, "orders": r.orders} for r in rows}


def buyer_figures(shop_id: int, month: date | None = None) -> dict:
    """{buyers, repeat, share_bp}: buyers with a counted order at the shop (ever, or in `month`),
    those of them with two or more counted orders there (ever), and their share in basis points."""
    B, S = InsightShopBuyer, InsightSale
    stmt = sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(sa.case((B.orders >= 2, 1), else_=0)), 0)) \
        .where(B.shop_id == shop_id, B.orders > 0)
    if month is not None:
        stmt = stmt.where(sa.exists().where(S.shop_id == shop_id, S.buyer_id == B.buyer_id,
                                            S.month == month_start(month), S.revenue_amount > 0))
    buyers, repeat = db.session.execute(stmt).one()
    return {"buyers": buyers, "repeat": int(repeat), "share_bp": int(repeat) * 10_000 // buyers if buyers else 0}
