"""Twenty buyers, five units: real threads, real transactions, real commits."""
import threading

import pytest

from bebeli.auth.models import User
from bebeli.cart.services import cart_key, review_cart
from bebeli.catalog.models import Product
from bebeli.errors import OutOfStock
from bebeli.extensions import db
from bebeli.orders.models import FulfilmentMethod, Order, OrderLine
from bebeli.lifecycle import ShopChoice, place_order
from tests.conftest import run_in_threads
from tests.factories import ProductFactory
from tests.orders.factories import asn_buyer, fill_cart

pytestmark = pytest.mark.concurrent

BUYERS = 20


def _checkout(app, user_id: int, start: threading.Barrier, outcomes: list) -> None:
    with app.app_context():
        buyer = db.session.get(User, user_id)
        choices = [ShopChoice(shop_id=g.shop.id, method=FulfilmentMethod.PICKUP) for g in review_cart(buyer).groups]
        key = cart_key(buyer)
        db.session.rollback()  # start from nothing, like a fresh request
        start.wait()
        try:
            place_order(buyer, choices, idempotency_key=key)
            db.session.commit()
            outcomes.append("ok")
        except OutOfStock:
            db.session.rollback()
            outcomes.append("out_of_stock")
        except Exception as error:  # noqa: BLE001 - any other outcome fails the test below
            db.session.rollback()
            outcomes.append(repr(error))
        finally:
            db.session.remove()


def test_twenty_buyers_race_for_the_last_five_units(app, ctx):
    last_five = ProductFactory(stock=5, name="Batik Tulis Edisi Terbatas")
    plenty = ProductFactory(stock=100)
    buyer_ids = []
    for _ in range(BUYERS):
        buyer = asn_buyer()
        fill_cart(buyer, (plenty, 1), (last_five, 1))  # two lines: a loser must not keep the first
        buyer_ids.append(buyer.id)
    db.session.commit()

    outcomes: list[str] = []
    start = threading.Barrier(BUYERS)
    run_in_threads(_checkout, [(app, uid, start, outcomes) for uid in buyer_ids])

    assert sorted(outcomes) == ["ok"] * 5 + ["out_of_stock"] * 15
    db.session.expire_all()
    assert db.session.get(Product, last_five.id).stock == 0
    assert db.session.get(Product, plenty.id).stock == 95
    assert db.session.scalar(db.select(db.func.count(Order.id))) == 5
    sold = db.session.scalar(db.select(db.func.sum(OrderLine.quantity)).where(OrderLine.product_id == last_five.id))
    assert sold == 5
    # No partial order: every order has both lines.
    for order in db.session.scalars(db.select(Order)):
        assert sorted(line.product_id for so in order.seller_orders for line in so.lines) == sorted([plenty.id, last_five.id])
