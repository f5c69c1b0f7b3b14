"""`bebeli.invariants`: every check holds on the demo data and reports the corruption it guards.

Each test loads the demo data (orders placed, paid, shipped and completed through the real
services), breaks one thing in the test's own uncommitted transaction, and expects the check
to name it; the rollback puts the data back before the next corruption."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from bebeli.catalog.models import Product
from bebeli.extensions import db
from bebeli.invariants import CHECKS, violations
from bebeli.orders.models import Order, OrderLine, PaymentStatus, PaymentStatusEvent, SellerOrder
from bebeli.orders.totals import add_up
from bebeli.quotas.models import QuotaEntry, QuotaHold, QuotaMonth, QuotaSpend
from bebeli.settlement.models import LedgerEntry, ShopBalance


@pytest.fixture
def demo(app, ctx):
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert violations() == []  # every check holds on data written by the real services


def _found(name: str) -> list[str]:
    """The violations of one check, then the data as committed again."""
    db.session.flush()
    found = [text for check, text in violations(only=[name])]
    db.session.rollback()
    assert violations(only=[name]) == []
    return found


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _paid_order() -> Order:
    return db.session.scalars(sa.select(Order).where(Order.payment_status == PaymentStatus.PAID)
                              .order_by(Order.id)).first()


def test_the_command_exits_1_and_prints_what_is_broken(app, demo):
    runner = app.test_cli_runner()
    ok = runner.invoke(args=["check-invariants"])
    assert ok.exit_code == 0 and f"OK: {len(CHECKS)} invariant check(s) hold" in ok.output
    order = _paid_order()
    db.session.execute(sa.update(Order).where(Order.id == order.id).values(total_amount=Order.total_amount + 1))
    db.session.commit()
    broken = runner.invoke(args=["check-invariants"])
    assert broken.exit_code == 1
    assert f"VIOLATION order_totals: order {order.number}" in broken.output
    only = runner.invoke(args=["check-invariants", "--only", "stock_not_negative"])
    assert only.exit_code == 0, only.output


def test_orders_have_parts(demo):
    unpaid = db.session.scalars(sa.select(Order).where(Order.payment_status == PaymentStatus.UNPAID)).first()
    db.session.execute(sa.delete(QuotaHold).where(QuotaHold.order_id == unpaid.id))
    db.session.execute(sa.delete(SellerOrder).where(SellerOrder.order_id == unpaid.id))
    assert _found("orders_have_parts") == [f"order {unpaid.number} (id {unpaid.id}) has no seller order"]

    so = _paid_order().seller_orders[0]
    db.session.execute(sa.delete(OrderLine).where(OrderLine.seller_order_id == so.id))
    assert _found("orders_have_parts") == [f"seller order {so.number} (id {so.id}) has no line"]


def test_order_totals_are_the_lines_added_up_by_the_totals_functions(demo):
    orders = db.session.scalars(sa.select(Order)).all()
    assert len(orders) >= 3
    for order in orders:  # what the SQL check computes is what orders.totals computes
        totals = add_up(order.seller_orders)
        assert (order.goods_amount, order.ppn_amount, order.delivery_amount, order.total_amount) == (
            totals.goods_amount, totals.ppn_amount, totals.delivery_amount, totals.total_amount)
    order = _paid_order()
    so = order.seller_orders[0]
    line = so.lines[0]

    db.session.execute(sa.update(Order).where(Order.id == order.id).values(total_amount=Order.total_amount + 1))
    assert [t for t in _found("order_totals") if order.number in t and "its parts'" in t]

    db.session.execute(sa.update(OrderLine).where(OrderLine.id == line.id).values(amount=OrderLine.amount + 100))
    found = _found("order_totals")
    assert f"line {line.id}: amount {line.amount + 100} ≠ {line.unit_price_amount} × {line.quantity}" in found
    assert any(so.number in t and "do not add up" in t for t in found)

    # A seller order whose PPN is not the stored rate applied to its goods (its total still adds up).
    db.session.execute(sa.update(SellerOrder).where(SellerOrder.id == so.id).values(
        ppn_rate_bp=1100, ppn_amount=SellerOrder.ppn_amount + 7, total_amount=SellerOrder.total_amount + 7))
    assert any(so.number in t for t in _found("order_totals"))


def test_stock_never_negative(demo):
    product = db.session.scalars(sa.select(Product).order_by(Product.id)).first()
    # The table refuses a negative stock; switch its CHECK off inside this transaction only.
    conn = db.session.connection()
    sqlite = conn.dialect.name == "sqlite"
    if sqlite:
        conn.execute(sa.text("PRAGMA ignore_check_constraints = 1"))
    else:
        conn.execute(sa.text("ALTER TABLE products DROP CONSTRAINT ck_products_stock_not_negative"))
    try:
        conn.execute(sa.update(Product).where(Product.id == product.id).values(stock=-2))
        found = [text for _, text in violations(conn, only=["stock_not_negative"])]
    finally:
        if sqlite:
            conn.execute(sa.text("PRAGMA ignore_check_constraints = 0"))
        db.session.rollback()
    assert found == [f"product {product.id} ({product.name}): stock -2, sold {product.sold_count}"]
    assert violations(only=["stock_not_negative"]) == []


def test_quota_ledger_agrees_with_paid_asn_orders(demo):
    assert _count(QuotaEntry) and _count(QuotaHold) and _count(QuotaSpend)
    entry = db.session.scalars(sa.select(QuotaEntry).order_by(QuotaEntry.id)).first()
    key = dict(user_id=entry.user_id, month=entry.month)

    db.session.execute(sa.update(QuotaMonth).filter_by(**key).values(counted_amount=QuotaMonth.counted_amount + 1))
    assert any(t.startswith("quota month counted") for t in _found("quota_ledger"))

    db.session.execute(sa.update(QuotaSpend).values(amount=QuotaSpend.amount + 1))
    assert any(t.startswith("quota spend") for t in _found("quota_ledger"))

    hold = db.session.scalars(sa.select(QuotaHold)).first()
    db.session.execute(sa.delete(QuotaHold).where(QuotaHold.seller_order_id == hold.seller_order_id))
    assert any(t.startswith("quota month reserved") for t in _found("quota_ledger"))

    # Paid ASN purchases whose counting was lost (the summaries lose it too: only the orders say so).
    order = db.session.get(Order, entry.order_id)
    for model in (QuotaEntry, QuotaMonth, QuotaSpend, QuotaHold):
        db.session.execute(sa.delete(model))
    found = _found("quota_ledger")
    assert f"order {order.number}: a paid ASN purchase from a local shop missing from the quota ledger" in found
    assert all(t.endswith("missing from the quota ledger") for t in found)

    # Counted although the order is not paid, and more than the part's goods.
    db.session.execute(sa.update(Order).where(Order.id == order.id).values(payment_status=PaymentStatus.UNPAID))
    db.session.execute(sa.update(QuotaEntry).where(QuotaEntry.id == entry.id).values(amount=10**9))
    found = _found("quota_ledger")
    assert f"quota entry {entry.id} counts order {order.number}, which is not a paid personal ASN purchase" in found
    assert any(t.startswith("seller order ") and "goods only" in t for t in found)

    # An order paid while still holding ceiling room.
    unpaid = db.session.get(Order, hold.order_id)
    db.session.execute(sa.update(Order).where(Order.id == unpaid.id).values(payment_status=PaymentStatus.EXPIRED))
    assert any("still holds quota room" in t for t in _found("quota_ledger"))


def test_settlement_balances_are_the_ledger_summed(demo):
    assert _count(LedgerEntry) and _count(ShopBalance)
    entry = db.session.scalars(sa.select(LedgerEntry).order_by(LedgerEntry.id)).first()

    db.session.execute(sa.update(LedgerEntry).where(LedgerEntry.id == entry.id).values(amount=LedgerEntry.amount + 1))
    [found] = _found("settlement_balances")
    assert found.startswith(f"shop {entry.shop_id}: balance ")

    db.session.execute(sa.delete(ShopBalance).where(ShopBalance.shop_id == entry.shop_id))
    assert [t for t in _found("settlement_balances") if t.endswith("but no balance row")]

    db.session.add(LedgerEntry(shop_id=entry.shop_id, kind=entry.kind, amount=5, key="test:unbalanced"))
    assert len(_found("settlement_balances")) == 1


def test_payment_history_matches_the_current_payment_status(demo):
    order = _paid_order()
    assert [(e.from_status, e.to_status) for e in db.session.scalars(
        sa.select(PaymentStatusEvent).where(PaymentStatusEvent.order_id == order.id))] == [("unpaid", "paid")]

    db.session.execute(sa.update(Order).where(Order.id == order.id).values(payment_status=PaymentStatus.REFUNDED))
    assert _found("payment_history") == [f"order {order.number} is refunded, its history ends at paid"]

    db.session.execute(sa.delete(PaymentStatusEvent).where(PaymentStatusEvent.order_id == order.id))
    assert _found("payment_history") == [f"order {order.number} is paid, its history ends at unpaid (no event)"]

    # A move the transition table does not allow (paid → unpaid, then paid again) …
    db.session.add_all([PaymentStatusEvent(order_id=order.id, from_status="paid", to_status="unpaid", reason="x"),
                        PaymentStatusEvent(order_id=order.id, from_status="unpaid", to_status="paid", reason="x")])
    [found] = _found("payment_history")
    assert found.startswith(f"order {order.number}: payment event ") and found.endswith("moves paid → unpaid after paid")
    # … and an allowed move from a status the order was not in (paid twice over).
    db.session.add(PaymentStatusEvent(order_id=order.id, from_status="unpaid", to_status="paid", reason="x"))
    [found] = _found("payment_history")
    assert found.endswith("moves unpaid → paid after paid")

    db.session.execute(sa.update(Order).where(Order.id == order.id).values(paid_at=None))
    assert _found("payment_history") == [f"order {order.number} is paid without a payment time"]
