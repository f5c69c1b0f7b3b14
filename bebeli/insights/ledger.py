"""Keeping the sales summaries in step (rules in `bebeli.insights.models`).

Both receivers run inside the transaction of the move that calls them (`bebeli.wiring`). Each
works the same way: compute what a seller order counts NOW from the order rows
(`target_lines`), compare it with what `insight_sale_lines` says it counted, and add the
difference to the summaries. A signal delivered twice therefore changes nothing, and
`rebuild` (the same computation over every paid order) gives the same tables.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime

import sqlalchemy as sa

from bebeli.dates import jakarta_today, month_start
from bebeli.extensions import db
from bebeli.insights.models import (
    NO_AGENCY,
    InsightProductMonth,
    InsightSale,
    InsightSaleLine,
    InsightShopBuyer,
    InsightShopMonth,
)
from bebeli.orders.models import Channel, FulfilmentStatus, Order, SellerOrder
from bebeli.payments.models import PaymentEvent
from bebeli.sqlfuncs import insert_ignore, upsert_add

ENDED = frozenset({FulfilmentStatus.CANCELLED, FulfilmentStatus.EXPIRED, FulfilmentStatus.REJECTED})
# Refunds of goods that leave the part itself standing (`lifecycle.give_back`).
GOODS_REFUND_REASONS = ("complaint",)


def split(amount: int, weights: dict) -> dict:
    """Share `amount` out in proportion to `weights` (largest remainder, exact in integers)."""
    whole = sum(weights.values())
    if whole <= 0:
        return dict.fromkeys(weights, 0)
    shares = {k: amount * w // whole for k, w in weights.items()}
    leftover = amount - sum(shares.values())
    for key in sorted(weights, key=lambda k: (amount * weights[k] % whole, weights[k], k), reverse=True)[:leftover]:
        shares[key] += 1
    return shares


def _goods_refunded(so: SellerOrder) -> int:
    kept = so.goods_amount - so.rejected_goods_amount
    amounts = db.session.scalars(sa.select(PaymentEvent.amount).where(
        PaymentEvent.seller_order_id == so.id, PaymentEvent.kind == "refund",
        PaymentEvent.reason.in_(GOODS_REFUND_REASONS)))
    return sum(min(amount, kept) for amount in amounts)


def target_lines(so: SellerOrder) -> dict[int, tuple[int, int, int]]:
    """{order line id: (product id, revenue, units)} that the seller order counts now."""
    if so.status in ENDED:
        return {line.id: (line.product_id, 0, 0) for line in so.lines}
    revenue = {line.id: line.amount - line.rejected_quantity * line.unit_price_amount for line in so.lines}
    units = {line.id: line.quantity - line.rejected_quantity for line in so.lines}
    refunded = min(_goods_refunded(so), sum(revenue.values()))
    if refunded:
        for line_id, share in split(refunded, revenue).items():
            revenue[line_id] -= share
    return {line.id: (line.product_id, revenue[line.id], units[line.id] if revenue[line.id] > 0 else 0)
            for line in so.lines}


def _by_product(lines) -> dict[int, list[int]]:
    """{product id: [revenue, units, 1 if it still counts as ordered]} from (product, revenue, units)."""
    out: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    for product_id, revenue, units in lines:
        row = out[product_id]
        row[0] += revenue
        row[1] += units
        row[2] = 1 if row[0] > 0 else 0
    return out


def _bring_up_to_date(so: SellerOrder, sale: InsightSale) -> None:
    stored = {row.order_line_id: row for row in db.session.scalars(
        sa.select(InsightSaleLine).where(InsightSaleLine.seller_order_id == so.id))}
    target = target_lines(so)
    before = _by_product((r.product_id, r.revenue_amount, r.units) for r in stored.values())
    after = _by_product(target.values())
    if before == after and set(stored) == set(target):
        return
    for line_id, (product_id, revenue, units) in target.items():
        row = stored.get(line_id)
        if row is None:
            db.session.add(InsightSaleLine(order_line_id=line_id, seller_order_id=so.id, product_id=product_id,
                                           revenue_amount=revenue, units=units))
        else:
            row.revenue_amount, row.units = revenue, units
    was_live = sale.revenue_amount > 0
    revenue, units = sum(t[1] for t in target.values()), sum(t[2] for t in target.values())
    d_revenue, d_units, d_orders = revenue - sale.revenue_amount, units - sale.units, int(revenue > 0) - int(was_live)
    sale.revenue_amount, sale.units = revenue, units
    db.session.flush()
    if d_revenue or d_units or d_orders:
        upsert_add(db.session, InsightShopMonth.__table__,
                   {"shop_id": sale.shop_id, "month": sale.month, "channel": sale.channel, "agency_id": sale.agency_id},
                   {"revenue_amount": d_revenue, "orders": d_orders, "units": d_units})
    for product_id in sorted(set(before) | set(after)):  # one lock order for concurrent writers
        old, new = before.get(product_id, [0, 0, 0]), after.get(product_id, [0, 0, 0])
        if old != new:
            upsert_add(db.session, InsightProductMonth.__table__,
                       {"shop_id": sale.shop_id, "product_id": product_id, "month": sale.month},
                       {"revenue_amount": new[0] - old[0], "units": new[1] - old[1], "orders": new[2] - old[2]})
    if d_orders:
        _refresh_buyer(sale.shop_id, sale.buyer_id)


def _refresh_buyer(shop_id: int, buyer_id: int) -> None:
    """The buyer's row from the sales that still count (one small indexed query)."""
    s = InsightSale
    count, first, last = db.session.execute(
        sa.select(sa.func.count(), sa.func.min(s.paid_at), sa.func.max(s.paid_at))
        .where(s.shop_id == shop_id, s.buyer_id == buyer_id, s.revenue_amount > 0)).one()
    t = InsightShopBuyer.__table__
    if not count:
        db.session.execute(sa.delete(t).where(t.c.shop_id == shop_id, t.c.buyer_id == buyer_id))
        return
    insert_ignore(db.session, t, {"shop_id": shop_id, "buyer_id": buyer_id, "orders": 0})
    db.session.execute(sa.update(t).where(t.c.shop_id == shop_id, t.c.buyer_id == buyer_id)
                       .values(orders=count, first_paid_at=first, last_paid_at=last))


def _month_of(paid_at: datetime):
    return month_start(jakarta_today(paid_at))


def on_order_paid(order: Order, paid_at: datetime | None = None, **_) -> None:
    """Count the order's parts that have not ended, in the Jakarta month of the payment."""
    paid_at = paid_at or order.paid_at
    for so in sorted(order.seller_orders, key=lambda s: s.shop_id):
        if so.status in ENDED or db.session.get(InsightSale, so.id) is not None:
            continue
        agency = order.agency_id if order.channel == Channel.AGENCY and order.agency_id else NO_AGENCY
        sale = InsightSale(seller_order_id=so.id, shop_id=so.shop_id, buyer_id=order.buyer_id,
                           month=_month_of(paid_at), channel=Channel(order.channel).value, agency_id=agency,
                           paid_at=paid_at, revenue_amount=0, units=0)
        db.session.add(sale)
        _bring_up_to_date(so, sale)


def on_seller_order_reduced(seller_order: SellerOrder, **_) -> None:
    """Goods taken back: the part's sale (if it was counted) follows what it keeps now."""
    sale = db.session.get(InsightSale, seller_order.id)
    if sale is not None:
        db.session.flush()  # the refund event and rejected quantities written by the caller
        _bring_up_to_date(seller_order, sale)


SUMMARIES = (InsightShopMonth, InsightProductMonth, InsightShopBuyer, InsightSaleLine, InsightSale)


def rebuild(batch: int = 500) -> int:
    """Recompute every summary from the orders; returns the number of paid orders read. The
    caller commits (one transaction: readers see the old figures until then)."""
    for model in SUMMARIES:
        db.session.execute(sa.delete(model))
    count, after = 0, 0
    while True:
        orders = db.session.scalars(sa.select(Order).where(Order.paid_at.is_not(None), Order.id > after)
                                    .order_by(Order.id).limit(batch)).all()
        if not orders:
            return count
        for order in orders:
            on_order_paid(order, order.paid_at)
        count += len(orders)
        after = orders[-1].id
        db.session.flush()
        db.session.expunge_all()
