"""Checkouts and payments are counted once each, when their transaction commits."""
from __future__ import annotations

from bebeli.cart.services import cart_key
from bebeli.extensions import db
from bebeli.lifecycle import place_order, same_choice_for_every_shop
from tests.factories import ProductFactory
from tests.metrics.helpers import scrape, value
from tests.orders.factories import asn_buyer, fill_cart, pay, place


def _counts(client) -> tuple[float, float]:
    text = scrape(client)
    return (value(text, "bebeli_checkouts_total", channel="personal"),
            value(text, "bebeli_payments_total", channel="personal"))


def test_a_checkout_and_its_payment_count_once_each(client, ctx, metrics_token):
    before = _counts(client)
    buyer = asn_buyer()
    fill_cart(buyer, (ProductFactory(stock=5), 2))
    order = place(buyer)
    assert _counts(client) == (before[0] + 1, before[1])
    # The same submission again lands on the same order: no second checkout.
    again, created = place_order(buyer, same_choice_for_every_shop(buyer, order.seller_orders[0].fulfilment_method,
                                                                    "Jl. Uji No. 2", None),
                                 idempotency_key=order.idempotency_key)
    db.session.commit()
    assert not created and again.id == order.id
    pay(order)
    assert _counts(client) == (before[0] + 1, before[1] + 1)


def test_a_checkout_rolled_back_counts_nothing(client, ctx, metrics_token):
    before = _counts(client)
    buyer = asn_buyer()
    fill_cart(buyer, (ProductFactory(stock=5), 1))
    order, created = place_order(buyer, same_choice_for_every_shop(buyer, "delivery", "Jl. Uji No. 2", None),
                                 idempotency_key=cart_key(buyer))
    assert created
    db.session.rollback()  # say the request failed after placing it
    assert _counts(client) == before
    place(buyer)  # the next transaction's own checkout counts, and only it
    assert _counts(client) == (before[0] + 1, before[1])


def test_a_checkout_through_the_pages_counts(client, ctx, metrics_token):
    import re

    before = _counts(client)
    buyer = asn_buyer()
    product = ProductFactory(stock=5)
    fill_cart(buyer, (product, 1))
    client.login(buyer)
    html = client.get("/keranjang/checkout").get_data(as_text=True)
    key = re.search(r'name="idempotency_key"[^>]*value="([^"]+)"', html).group(1)
    form = {"idempotency_key": key, "shops-0-shop_id": product.shop.id, "shops-0-method": "delivery",
            "shops-0-address_choice": "office", "shops-0-address": "", "shops-0-note": ""}
    for _ in range(2):  # a double click
        response = client.post_form("/keranjang/checkout", form, page="/keranjang/")
        assert response.status_code == 302
    assert _counts(client) == (before[0] + 1, before[1])
