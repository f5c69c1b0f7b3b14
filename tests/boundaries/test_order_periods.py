"""The periods that end an order by themselves, at their edges: an unpaid order holds its stock
for ORDER_HOLD_MINUTES and expires at exactly that moment, not a second before; a delivered order
the buyer never confirms completes ORDER_AUTOCOMPLETE_DAYS after delivery, not a second before."""
from datetime import timedelta

import pytest

from bebeli.cart.services import cart_key
from bebeli.db import utcnow
from bebeli.extensions import db
from bebeli import lifecycle
from bebeli.orders.models import FulfilmentMethod, PaymentStatus, SellerOrder
from bebeli.orders.models import FulfilmentStatus as F
from bebeli.lifecycle import place_order, same_choice_for_every_shop
from tests.factories import ProductFactory
from tests.orders.factories import asn_buyer, fill_cart, paid_order

SECOND = timedelta(seconds=1)


def unpaid_order(placed_at):
    buyer = asn_buyer()
    fill_cart(buyer, (ProductFactory(stock=5), 2))
    order, created = place_order(buyer, same_choice_for_every_shop(buyer, FulfilmentMethod.PICKUP),
                                 idempotency_key=cart_key(buyer), now=placed_at)
    assert created
    db.session.commit()
    db.session.refresh(order)
    return order


@pytest.mark.parametrize("minutes", [30, 45])
def test_the_hold_lasts_order_hold_minutes(ctx, config, minutes):
    config("ORDER_HOLD_MINUTES", minutes)
    placed_at = utcnow()
    assert unpaid_order(placed_at).expires_at == placed_at + timedelta(minutes=minutes)


@pytest.mark.parametrize("after,overdue", [(-SECOND, False), (timedelta(0), True), (SECOND, True)])
def test_an_order_is_overdue_from_the_moment_its_hold_ends(ctx, after, overdue):
    order = unpaid_order(utcnow() - timedelta(hours=1))
    now = order.expires_at + after
    assert lifecycle.is_overdue(order, now=now) is overdue
    claimed = lifecycle.claim_overdue_order(now=now)
    assert (claimed.id if claimed else None) == (order.id if overdue else None)
    assert lifecycle.expire_order(order, now=now) is overdue
    db.session.commit()
    db.session.refresh(order)
    assert order.payment_status == (PaymentStatus.EXPIRED if overdue else PaymentStatus.UNPAID)
    assert order.seller_orders[0].status == (F.EXPIRED if overdue else F.AWAITING_PAYMENT)
    assert order.seller_orders[0].lines[0].product.stock == (5 if overdue else 3)


def test_a_paid_order_is_never_overdue(ctx):
    order = paid_order(asn_buyer(), (ProductFactory(), 1))
    assert not lifecycle.is_overdue(order, now=order.expires_at + timedelta(days=1))
    assert lifecycle.claim_overdue_order(now=order.expires_at + timedelta(days=1)) is None


def delivered(delivered_at) -> SellerOrder:
    product = ProductFactory()
    so = paid_order(asn_buyer(), (product, 1)).seller_orders[0]
    lifecycle.accept_seller_order(so, product.shop.owner)
    lifecycle.ship_seller_order(so, product.shop.owner, courier="JNE", tracking_number="X")
    lifecycle.mark_delivered(so, product.shop.owner)
    so.delivered_at = delivered_at
    db.session.commit()
    return so


@pytest.mark.parametrize("days", [7, 3])
@pytest.mark.parametrize("after,completes", [(-SECOND, False), (timedelta(0), True), (SECOND, True)])
def test_autocomplete_after_exactly_the_configured_days(ctx, config, days, after, completes):
    config("ORDER_AUTOCOMPLETE_DAYS", days)
    at = utcnow() - timedelta(days=30)
    so = delivered(at)
    assert lifecycle.autocomplete_delivered(now=at + timedelta(days=days) + after) == int(completes)
    db.session.commit()
    db.session.refresh(so)
    assert so.status == (F.COMPLETED if completes else F.DELIVERED)
