"""Money in and out of a personal order at its edges: a payment is applied only when it is exactly
the order's total; a refund of nothing is no refund; the order is refunded in full exactly when
the refunds reach its total, and items refused at receipt are refunded with their PPN."""
import pytest

from bebeli.errors import ValidationFailed
from bebeli.extensions import db
from bebeli import lifecycle
from bebeli.orders.models import PaymentStatus
from bebeli.lifecycle import refund
from bebeli.lifecycle import mark_paid
from tests.factories import ProductFactory, ShopFactory
from tests.orders.factories import asn_buyer, fill_cart, paid_order, place


@pytest.mark.parametrize("difference,outcome", [(-1, "amount_mismatch"), (0, "paid"), (1, "amount_mismatch")])
def test_a_payment_must_be_exactly_the_total(ctx, difference, outcome):
    buyer = asn_buyer()
    fill_cart(buyer, (ProductFactory(price_amount=25_000), 2))
    order = place(buyer)
    assert mark_paid(order, reference="pi_uji", amount=order.total_amount + difference) == outcome
    db.session.commit()
    db.session.refresh(order)
    assert order.payment_status == (PaymentStatus.PAID if outcome == "paid" else PaymentStatus.UNPAID)


def test_refunds_reach_refunded_exactly_at_the_total(ctx):
    order = paid_order(asn_buyer(), (ProductFactory(price_amount=25_000), 2))
    total = order.total_amount
    assert refund(order, 0, reason="outside", key="nol") is None            # nothing to give back
    assert order.payment_status == PaymentStatus.PAID and order.refunded_amount == 0
    refund(order, total - 1, reason="outside", key="hampir")
    db.session.commit()
    assert (order.payment_status, order.refunded_amount) == (PaymentStatus.PARTIALLY_REFUNDED, total - 1)
    refund(order, 1, reason="outside", key="sisa")
    db.session.commit()
    assert (order.payment_status, order.refunded_amount) == (PaymentStatus.REFUNDED, total)


@pytest.mark.parametrize("rejected,allowed", [(0, True), (3, True), (4, False)])
def test_items_refused_at_receipt_are_at_most_those_delivered(ctx, rejected, allowed):
    shop = ShopFactory(is_pkp=True, npwp="0012345678901000", delivery_fee_amount=15_000)
    product = ProductFactory(shop=shop, price_amount=100_000, stock=10)
    buyer = asn_buyer()
    so = paid_order(buyer, (product, 3)).seller_orders[0]
    lifecycle.accept_seller_order(so, shop.owner)
    lifecycle.ship_seller_order(so, shop.owner, courier="JNE", tracking_number=None)
    if allowed:
        refunded = lifecycle.confirm_receipt(so, buyer, rejected={so.lines[0].id: rejected}, note="rusak")
        assert refunded == rejected * 111_000       # goods and their PPN, not the delivery fee
    else:
        with pytest.raises(ValidationFailed):
            lifecycle.confirm_receipt(so, buyer, rejected={so.lines[0].id: rejected}, note="rusak")
