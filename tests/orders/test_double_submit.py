"""A checkout submitted twice — a second click, a retried request, another tab, or two
requests at the same moment — makes one order, and every submission lands on it."""
import threading
import time

import pytest
import sqlalchemy as sa

from bebeli.catalog.models import Product
from bebeli.extensions import db
from bebeli.orders.models import Order
from tests.conftest import run_in_threads
from tests.factories import ProductFactory
from tests.orders.factories import asn_buyer, fill_cart
from tests.security.forms import forms_on

CHECKOUT = "/keranjang/checkout"


def rendered_checkout(client) -> dict:
    """The checkout form as the page renders it (what the browser would send on "Buat pesanan")."""
    html = client.get(CHECKOUT).get_data(as_text=True)
    [form] = [f for f in forms_on(CHECKOUT, html) if f.action == CHECKOUT and f.method == "POST"]
    return {name: f.value or "" for name, f in form.fields.items() if f.kind != "button"}


def _orders() -> list[Order]:
    db.session.expire_all()
    return db.session.scalars(sa.select(Order)).all()


def _stock(product) -> int:
    db.session.expire_all()
    return db.session.get(Product, product.id).stock


def test_every_sequential_repeat_lands_on_the_first_order(client, other_client, ctx):
    buyer = asn_buyer()
    product = ProductFactory(stock=10)
    fill_cart(buyer, (product, 2))
    client.login(buyer)
    other_client.login(buyer)
    form = rendered_checkout(client)
    other_tab = rendered_checkout(other_client)

    first = client.post(CHECKOUT, data=form)
    assert first.status_code == 302 and "/pesanan/" in first.location
    repeats = [client.post(CHECKOUT, data=form) for _ in range(3)] + [other_client.post(CHECKOUT, data=other_tab)]
    assert [(r.status_code, r.location) for r in repeats] == [(302, first.location)] * 4
    [order] = _orders()
    assert first.location.endswith(f"/pesanan/{order.id}") and _stock(product) == 8
    # The order page opens, without a second "order created" message.
    page = other_client.get(repeats[-1].location).get_data(as_text=True)
    assert order.number in page and "Keranjang Anda kosong" not in page


def _signed_in_clients(app, buyer, count: int) -> list:
    clients = []
    for _ in range(count):
        client = app.test_client()
        client.login(buyer)
        clients.append(client)
    return clients


@pytest.mark.concurrent
def test_concurrent_repeats_all_land_on_the_order_the_first_created(app, ctx):
    buyer = asn_buyer()
    product = ProductFactory(stock=10)
    fill_cart(buyer, (product, 2))
    clients = _signed_in_clients(app, buyer, 6)
    forms = [rendered_checkout(c) for c in clients]  # each tab renders its own page

    # The late submissions look for an earlier order, find none yet, and pause there while the
    # first one completes: the moment a repeat used to find the cart already emptied.
    late = threading.local()
    seen_first_lookup = []

    def pause_after_the_lookup(conn, cursor, statement, parameters, context, executemany):
        if getattr(late, "pause", False) and "idempotency_key" in statement and "FROM orders" in statement:
            late.pause = False
            seen_first_lookup.append(True)
            time.sleep(0.6)

    start = threading.Barrier(len(clients))
    answers: list = [None] * len(clients)

    def submit(index: int) -> None:
        late.pause = index > 0
        start.wait()
        response = clients[index].post(CHECKOUT, data=forms[index])
        answers[index] = (response.status_code, response.location,
                          "Keranjang Anda kosong" in response.get_data(as_text=True))

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "after_cursor_execute", pause_after_the_lookup)
    try:
        run_in_threads(submit, [(i,) for i in range(len(clients))])
    finally:
        sa.event.remove(engine, "after_cursor_execute", pause_after_the_lookup)

    assert seen_first_lookup, "the late submissions never looked for an earlier order"
    [order] = _orders()
    assert answers == [(302, f"/pesanan/{order.id}", False)] * len(clients)
    assert _stock(product) == 8


@pytest.mark.concurrent
def test_simultaneous_submissions_make_one_order(app, ctx):
    """No pause this time: as many requests as the machine runs at once, several rounds."""
    for _ in range(3):
        buyer = asn_buyer()
        product = ProductFactory(stock=10)
        fill_cart(buyer, (product, 1))
        clients = _signed_in_clients(app, buyer, 5)
        forms = [rendered_checkout(c) for c in clients]
        start = threading.Barrier(len(clients))
        answers: list = []

        def submit(client, form) -> None:
            start.wait()
            response = client.post(CHECKOUT, data=form)
            answers.append((response.status_code, response.location))

        run_in_threads(submit, list(zip(clients, forms)))
        orders = db.session.scalars(sa.select(Order).where(Order.buyer_id == buyer.id)).all()
        assert len(orders) == 1
        assert answers == [(302, f"/pesanan/{orders[0].id}")] * len(clients)
        assert _stock(product) == 9
