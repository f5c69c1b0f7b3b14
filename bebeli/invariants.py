"""What must hold on every BEBELI database, checked in SQL: after a restore, a fault, a migration.

Each check is one or two set-based queries and returns the violations it found (a short text
naming the rows; empty: the invariant holds), at most LIMIT per query so that a badly broken
database still answers quickly. `flask check-invariants` runs them all and exits 1 on any.

    orders_have_parts       every order has a seller order, every seller order a line
    order_totals            a line's amount is price × quantity; a seller order's figures are its
                            lines added up as `orders.totals.part_totals` adds them (PPN at the
                            stored rate, rounded once); an order's are `totals.add_up` of its parts
    stock_not_negative      no product's stock or sold count below zero
    quota_ledger            the quota summaries (`quota_months`, `quota_spend`) equal the ledger
                            (`quota_entries`) and the holds; entries only for paid personal orders
                            of an ASN, never more than the part's goods; a paid order holds nothing;
                            a paid ASN purchase from a verified local shop is on the ledger
    settlement_balances     each `shop_balances` row is the sum and count of the shop's entries
    payment_history         an order's payment-status events chain from "unpaid" to its current
                            status, each move one that `PAYMENT_TRANSITIONS` allows
"""
from __future__ import annotations

from typing import Callable

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from bebeli.catalog.models import Product
from bebeli.directory.models import AsnProfile
from bebeli.extensions import db
from bebeli.lifecycle.payment_status import PAID_STATES, PAYMENT_TRANSITIONS
from bebeli.orders.models import Channel, Order, OrderLine, PaymentStatus, PaymentStatusEvent, SellerOrder
from bebeli.quotas.counting import ENDED
from bebeli.quotas.models import EntryKind as QuotaKind, QuotaEntry, QuotaHold, QuotaMonth, QuotaSpend
from bebeli.sellers.models import Shop, ShopStatus
from bebeli.settlement.models import LedgerEntry, ShopBalance
from bebeli.sqlfuncs import int_sum

LIMIT = 20


def _rows(conn, stmt) -> list:
    return list(conn.execute(stmt.limit(LIMIT)))


# --- orders ------------------------------------------------------------------------------------

def orders_have_parts(conn) -> list[str]:
    so, line = SellerOrder.__table__, OrderLine.__table__
    orders = Order.__table__
    bare_orders = sa.select(orders.c.id, orders.c.number).where(
        ~sa.exists().where(so.c.order_id == orders.c.id)).order_by(orders.c.id)
    bare_parts = sa.select(so.c.id, so.c.number).where(
        ~sa.exists().where(line.c.seller_order_id == so.c.id)).order_by(so.c.id)
    return ([f"order {r.number} (id {r.id}) has no seller order" for r in _rows(conn, bare_orders)]
            + [f"seller order {r.number} (id {r.id}) has no line" for r in _rows(conn, bare_parts)])


def order_totals(conn) -> list[str]:
    orders, so, line = Order.__table__, SellerOrder.__table__, OrderLine.__table__
    out = [f"line {r.id}: amount {r.amount} ≠ {r.unit_price_amount} × {r.quantity}" for r in _rows(conn,
           sa.select(line.c.id, line.c.amount, line.c.unit_price_amount, line.c.quantity)
           .where(line.c.amount != line.c.unit_price_amount * line.c.quantity).order_by(line.c.id))]

    lines = (sa.select(line.c.seller_order_id, int_sum(line.c.amount).label("goods"))
             .group_by(line.c.seller_order_id).subquery())
    # part_totals: PPN = ppn_amount(goods, rate) = (goods × rate + 5 000) // 10 000, none at rate 0.
    ppn = sa.case((so.c.ppn_rate_bp == 0, 0),
                  else_=(so.c.goods_amount * so.c.ppn_rate_bp + 5000) // 10000)
    parts = (sa.select(so.c.id, so.c.number, so.c.goods_amount, so.c.ppn_amount, so.c.delivery_fee_amount,
                       so.c.total_amount, sa.func.coalesce(lines.c.goods, 0).label("line_goods"))
             .select_from(so.outerjoin(lines, lines.c.seller_order_id == so.c.id))
             .where(sa.or_(so.c.goods_amount != sa.func.coalesce(lines.c.goods, 0),
                           so.c.ppn_amount != ppn,
                           so.c.total_amount != so.c.goods_amount + so.c.ppn_amount + so.c.delivery_fee_amount))
             .order_by(so.c.id))
    out += [f"seller order {r.number}: goods {r.goods_amount} (lines {r.line_goods}), PPN {r.ppn_amount}, "
            f"delivery {r.delivery_fee_amount}, total {r.total_amount} do not add up" for r in _rows(conn, parts)]

    # add_up: the order's figures are the sums of its parts'.
    sums = (sa.select(so.c.order_id, int_sum(so.c.goods_amount).label("goods"), int_sum(so.c.ppn_amount).label("ppn"),
                      int_sum(so.c.delivery_fee_amount).label("delivery"),
                      int_sum(so.c.goods_amount + so.c.ppn_amount + so.c.delivery_fee_amount).label("total"))
            .group_by(so.c.order_id).subquery())
    whole = (sa.select(orders.c.number, orders.c.goods_amount, orders.c.ppn_amount, orders.c.delivery_amount,
                       orders.c.total_amount, sums.c.goods, sums.c.ppn, sums.c.delivery, sums.c.total)
             .join_from(orders, sums, sums.c.order_id == orders.c.id)
             .where(sa.or_(orders.c.goods_amount != sums.c.goods, orders.c.ppn_amount != sums.c.ppn,
                           orders.c.delivery_amount != sums.c.delivery, orders.c.total_amount != sums.c.total))
             .order_by(orders.c.id))
    out += [f"order {r.number}: stored goods/PPN/delivery/total {r.goods_amount}/{r.ppn_amount}/"
            f"{r.delivery_amount}/{r.total_amount} ≠ its parts' {r.goods}/{r.ppn}/{r.delivery}/{r.total}"
            for r in _rows(conn, whole)]
    return out


def stock_not_negative(conn) -> list[str]:
    p = Product.__table__
    stmt = sa.select(p.c.id, p.c.name, p.c.stock, p.c.sold_count).where(
        sa.or_(p.c.stock < 0, p.c.sold_count < 0)).order_by(p.c.id)
    return [f"product {r.id} ({r.name}): stock {r.stock}, sold {r.sold_count}" for r in _rows(conn, stmt)]


# --- quotas ------------------------------------------------------------------------------------

def _summary_mismatches(conn, summary, summary_keys, amount, detail, source_keys, source_amount) -> list[str]:
    """`summary`.`amount` per key equals the sum of `source_amount` grouped by `source_keys`
    (both directions: a summary row without a source, a source without a summary row)."""
    names = [f"k{i}" for i in range(len(summary_keys))]
    src = (sa.select(*[k.label(n) for k, n in zip(source_keys, names)], int_sum(source_amount).label("amount"))
           .group_by(*source_keys).subquery())
    on = sa.and_(*[src.c[n] == k for n, k in zip(names, summary_keys)])
    left = (sa.select(*summary_keys, amount.label("stored"), sa.func.coalesce(src.c.amount, 0).label("summed"))
            .select_from(summary.outerjoin(src, on))
            .where(amount != sa.func.coalesce(src.c.amount, 0)))
    right = (sa.select(*[src.c[n] for n in names], sa.literal(None).label("stored"), src.c.amount.label("summed"))
             .where(src.c.amount != 0, ~sa.exists().where(on)))
    return [f"{detail} {tuple(r[:-2])}: stored {r.stored}, ledger says {r.summed}"
            for stmt in (left, right) for r in _rows(conn, stmt)]


def quota_ledger(conn) -> list[str]:
    e, m, h, s = QuotaEntry.__table__, QuotaMonth.__table__, QuotaHold.__table__, QuotaSpend.__table__
    orders, so, asn, shops = Order.__table__, SellerOrder.__table__, AsnProfile.__table__, Shop.__table__
    out = _summary_mismatches(conn, m, [m.c.user_id, m.c.month], m.c.counted_amount,
                              "quota month counted (user, month)", [e.c.user_id, e.c.month], e.c.amount)
    out += _summary_mismatches(conn, m, [m.c.user_id, m.c.month], m.c.reserved_amount,
                               "quota month reserved (user, month)", [h.c.user_id, h.c.month], h.c.amount)
    out += _summary_mismatches(conn, s, [s.c.month, s.c.agency_id, s.c.shop_id, s.c.category_id], s.c.amount,
                               "quota spend (month, agency, shop, category)",
                               [e.c.month, sa.func.coalesce(e.c.agency_id, 0), e.c.shop_id,
                                sa.func.coalesce(e.c.category_id, 0)], e.c.amount)

    paid = [status.value for status in PAID_STATES]
    is_asn = sa.exists().where(asn.c.user_id == orders.c.buyer_id)
    wrong_order = (sa.select(e.c.id, orders.c.number).join_from(e, orders, orders.c.id == e.c.order_id)
                   .where(e.c.kind == QuotaKind.PURCHASE.value,
                          sa.or_(orders.c.channel != Channel.PERSONAL.value, orders.c.payment_status.not_in(paid),
                                 orders.c.paid_at.is_(None), e.c.user_id != orders.c.buyer_id, ~is_asn))
                   .order_by(e.c.id))
    out += [f"quota entry {r.id} counts order {r.number}, which is not a paid personal ASN purchase"
            for r in _rows(conn, wrong_order)]

    per_part = (sa.select(e.c.seller_order_id,
                          int_sum(sa.case((e.c.kind == QuotaKind.PURCHASE.value, e.c.amount), else_=0)).label("bought"),
                          int_sum(e.c.amount).label("net"))
                .group_by(e.c.seller_order_id).subquery())
    beyond = (sa.select(so.c.number, so.c.goods_amount, per_part.c.bought, per_part.c.net)
              .join_from(per_part, so, so.c.id == per_part.c.seller_order_id)
              .where(sa.or_(per_part.c.net < 0, per_part.c.bought > so.c.goods_amount)).order_by(so.c.id))
    out += [f"seller order {r.number}: quota counted {r.bought}, net {r.net}, goods only {r.goods_amount}"
            for r in _rows(conn, beyond)]

    held_paid = (sa.select(h.c.seller_order_id, orders.c.number, orders.c.payment_status)
                 .join_from(h, orders, orders.c.id == h.c.order_id)
                 .where(orders.c.payment_status != PaymentStatus.UNPAID.value).order_by(h.c.seller_order_id))
    out += [f"order {r.number} is {r.payment_status} but still holds quota room (seller order {r.seller_order_id})"
            for r in _rows(conn, held_paid)]

    # The converse: a paid personal ASN purchase with goods from a verified local shop is counted.
    countable = (sa.exists().where(so.c.order_id == orders.c.id, so.c.goods_amount > 0,
                                   so.c.status.not_in([status.value for status in ENDED]),
                                   shops.c.id == so.c.shop_id, shops.c.is_local.is_(True),
                                   shops.c.status == ShopStatus.VERIFIED.value))
    uncounted = (sa.select(orders.c.number)
                 .where(orders.c.channel == Channel.PERSONAL.value, orders.c.payment_status == PaymentStatus.PAID.value,
                        is_asn, countable,
                        ~sa.exists().where(e.c.order_id == orders.c.id, e.c.kind == QuotaKind.PURCHASE.value))
                 .order_by(orders.c.id))
    out += [f"order {r.number}: a paid ASN purchase from a local shop missing from the quota ledger"
            for r in _rows(conn, uncounted)]
    return out


# --- settlement --------------------------------------------------------------------------------

def settlement_balances(conn) -> list[str]:
    b, e = ShopBalance.__table__, LedgerEntry.__table__
    sums = (sa.select(e.c.shop_id, int_sum(e.c.amount).label("amount"), sa.func.count().label("entries"))
            .group_by(e.c.shop_id).subquery())
    stored = (sa.select(b.c.shop_id, b.c.balance_amount, b.c.entry_count,
                        sa.func.coalesce(sums.c.amount, 0).label("amount"),
                        sa.func.coalesce(sums.c.entries, 0).label("entries"))
              .select_from(b.outerjoin(sums, sums.c.shop_id == b.c.shop_id))
              .where(sa.or_(b.c.balance_amount != sa.func.coalesce(sums.c.amount, 0),
                            b.c.entry_count != sa.func.coalesce(sums.c.entries, 0)))
              .order_by(b.c.shop_id))
    missing = (sa.select(sums.c.shop_id, sums.c.amount, sums.c.entries)
               .where(~sa.exists().where(b.c.shop_id == sums.c.shop_id)).order_by(sums.c.shop_id))
    return ([f"shop {r.shop_id}: balance {r.balance_amount} over {r.entry_count} entries, ledger {r.amount} "
             f"over {r.entries}" for r in _rows(conn, stored)]
            + [f"shop {r.shop_id}: {r.entries} ledger entries ({r.amount}) but no balance row"
               for r in _rows(conn, missing)])


# --- payment status ----------------------------------------------------------------------------

def payment_history(conn) -> list[str]:
    orders, ev = Order.__table__, PaymentStatusEvent.__table__
    moves = (sa.select(ev.c.id, ev.c.order_id, ev.c.from_status, ev.c.to_status,
                       sa.func.lag(ev.c.to_status).over(partition_by=ev.c.order_id, order_by=ev.c.id).label("before"),
                       sa.func.row_number().over(partition_by=ev.c.order_id, order_by=ev.c.id.desc()).label("back"))
             .subquery())
    allowed = sa.or_(*[sa.and_(moves.c.from_status == frm.value, moves.c.to_status == to.value)
                       for frm, to in PAYMENT_TRANSITIONS])
    unpaid = PaymentStatus.UNPAID.value
    broken = (sa.select(moves.c.id, orders.c.number, moves.c.from_status, moves.c.to_status, moves.c.before)
              .join_from(moves, orders, orders.c.id == moves.c.order_id)
              .where(sa.or_(~allowed, moves.c.from_status != sa.func.coalesce(moves.c.before, unpaid)))
              .order_by(moves.c.id))
    out = [f"order {r.number}: payment event {r.id} moves {r.from_status} → {r.to_status} after "
           f"{r.before or 'nothing'}" for r in _rows(conn, broken)]
    last = sa.select(moves.c.order_id, moves.c.to_status).where(moves.c.back == 1).subquery()
    current = (sa.select(orders.c.number, orders.c.payment_status, last.c.to_status)
               .select_from(orders.outerjoin(last, last.c.order_id == orders.c.id))
               .where(orders.c.payment_status != sa.func.coalesce(last.c.to_status, unpaid))
               .order_by(orders.c.id))
    out += [f"order {r.number} is {r.payment_status}, its history ends at {r.to_status or 'unpaid (no event)'}"
            for r in _rows(conn, current)]
    no_time = (sa.select(orders.c.number).where(orders.c.payment_status == PaymentStatus.PAID.value,
                                                orders.c.paid_at.is_(None)).order_by(orders.c.id))
    out += [f"order {r.number} is paid without a payment time" for r in _rows(conn, no_time)]
    return out


CHECKS: dict[str, Callable] = {
    "orders_have_parts": orders_have_parts,
    "order_totals": order_totals,
    "stock_not_negative": stock_not_negative,
    "quota_ledger": quota_ledger,
    "settlement_balances": settlement_balances,
    "payment_history": payment_history,
}


def violations(conn=None, only: list[str] | None = None) -> list[tuple[str, str]]:
    """(check, violation) for every check (or the named ones) on `conn` (default: the session)."""
    conn = conn if conn is not None else db.session
    return [(name, text) for name, check in CHECKS.items() if not only or name in only for text in check(conn)]


@click.command("check-invariants")
@click.option("--only", multiple=True, type=click.Choice(list(CHECKS)), help="Run only this check (repeatable).")
@with_appcontext
def check_invariants_command(only):
    """Check the data invariants; exit status 1 when any is violated."""
    found = violations(only=list(only))
    db.session.rollback()
    for name, text in found:
        click.echo(f"VIOLATION {name}: {text}")
    ran = len(only) or len(CHECKS)
    if found:
        click.echo(f"{len(found)} violation(s) in {ran} check(s)", err=True)
        raise SystemExit(1)
    click.echo(f"OK: {ran} invariant check(s) hold")


