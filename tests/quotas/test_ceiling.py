"""The monthly ceiling, enforced inside the real checkout's transaction."""
import threading
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

from bebeli.auth.models import User
from bebeli.cart.services import cart_key
from bebeli.catalog.models import Product
from bebeli.errors import QuotaExceeded
from bebeli.extensions import db
from bebeli import lifecycle
from bebeli.orders.models import Order
from bebeli.quotas.counting import counted_month
from bebeli.quotas.models import MinimumKind, QuotaHold, QuotaMonth
from bebeli.quotas.services import quota_room_for
from tests.conftest import run_in_threads
from tests.factories import AsnFactory, ProductFactory, ShopFactory
from tests.quotas.factories import checkout, policy, record_payment


def ceiling(amount):
    return policy(minimum_kind=MinimumKind.NONE, ceiling_amount=amount)


def this_month():
    return counted_month(datetime.now(timezone.utc))


def month_row(user):
    row = db.session.get(QuotaMonth, (user.id, this_month()), populate_existing=True)
    return (row.counted_amount, row.reserved_amount) if row else (0, 0)


def test_checkout_past_the_ceiling_is_refused_with_the_room_left(ctx):
    ceiling(100_000)
    buyer = AsnFactory().user
    checkout(buyer, [(ProductFactory(price_amount=60_000), 1)])
    assert quota_room_for(buyer)["room"] == 40_000

    with pytest.raises(QuotaExceeded) as refused:
        checkout(buyer, [(ProductFactory(price_amount=25_000), 2)])
    message = str(refused.value.message)
    assert "Rp\u00a040.000" in message and "Rp\u00a050.000" in message and "Rp\u00a0100.000" in message
    assert db.session.scalar(sa.select(sa.func.count(Order.id))) == 1  # the refused checkout left nothing
    assert month_row(buyer) == (0, 60_000)


def test_paid_and_unpaid_orders_share_the_ceiling(ctx):
    ceiling(100_000)
    buyer = AsnFactory().user
    record_payment(checkout(buyer, [(ProductFactory(price_amount=50_000), 1)]))
    checkout(buyer, [(ProductFactory(price_amount=30_000), 1)])
    assert month_row(buyer) == (50_000, 30_000)
    checkout(buyer, [(ProductFactory(price_amount=20_000), 1)])  # exactly at the ceiling
    with pytest.raises(QuotaExceeded):
        checkout(buyer, [(ProductFactory(price_amount=1_000), 1)])


def test_an_expired_or_cancelled_checkout_gives_its_room_back(ctx):
    ceiling(100_000)
    buyer = AsnFactory().user
    first = checkout(buyer, [(ProductFactory(price_amount=80_000), 1)])
    assert lifecycle.cancel_unpaid_order(first, buyer)
    db.session.commit()
    assert month_row(buyer) == (0, 0) and db.session.scalar(sa.select(sa.func.count()).select_from(QuotaHold)) == 0
    second = checkout(buyer, [(ProductFactory(price_amount=90_000), 1)])
    assert lifecycle.expire_order(second, force=True)
    db.session.commit()
    assert month_row(buyer) == (0, 0)


def test_goods_that_do_not_count_take_no_room(ctx):
    ceiling(50_000)
    buyer = AsnFactory().user
    outsider = ProductFactory(price_amount=500_000, shop=ShopFactory(is_local=False))
    checkout(buyer, [(outsider, 1), (ProductFactory(price_amount=50_000), 1)])
    assert month_row(buyer) == (0, 50_000)


def test_the_checkout_page_shows_the_room_left_and_the_refusal(client, ctx):
    ceiling(100_000)
    asn = AsnFactory()
    checkout(asn.user, [(ProductFactory(price_amount=70_000), 1)])
    product = ProductFactory(price_amount=40_000)
    client.login(asn.user)
    client.post_form("/keranjang/tambah", {"product_id": product.id, "quantity": 1}, page="/keranjang/")
    page = client.get("/keranjang/checkout").get_data(as_text=True)
    assert "sisa yang masih bisa dibelanjakan Rp\u00a030.000" in page

    form = {"idempotency_key": cart_key(asn.user), "shops-0-shop_id": product.shop_id, "shops-0-method": "pickup"}
    response = client.post_form("/keranjang/checkout", form, follow_redirects=True)
    assert "melebihi batas belanja bulanan Anda" in response.get_data(as_text=True)
    assert "Rp\u00a030.000" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Order.id))) == 1


@pytest.mark.concurrent
@pytest.mark.parametrize("bought_before", [False, True], ids=["first-of-month", "row-exists"])
def test_concurrent_checkouts_never_pass_the_ceiling_together(app, ctx, bought_before):
    """Eight checkouts of one ASN start at the same moment, each through the real cart and
    `place_order` in its own transaction with its own product (so no stock row serialises
    them before the quota does). 100 000 of room at 30 000 each: exactly three may pass."""
    ceiling(100_000 + (10_000 if bought_before else 0))
    asn = AsnFactory()
    if bought_before:
        record_payment(checkout(asn.user, [(ProductFactory(price_amount=10_000), 1)]))
    buyer_id = asn.user_id
    product_ids = [ProductFactory(price_amount=30_000).id for _ in range(8)]
    barrier = threading.Barrier(len(product_ids))
    outcomes, errors = [], []

    def attempt(product_id):
        with app.test_request_context():
            try:
                barrier.wait()  # before the first statement: on SQLite that begins the write lock
                buyer, product = db.session.get(User, buyer_id), db.session.get(Product, product_id)
                checkout(buyer, [(product, 1)])
                outcomes.append("placed")
            except QuotaExceeded:
                outcomes.append("refused")
            except Exception as exc:  # noqa: BLE001 - reported below with the thread's error
                errors.append(exc)
            finally:
                db.session.remove()

    run_in_threads(attempt, [(pid,) for pid in product_ids])
    db.session.rollback()  # end this test's own read snapshot to see what the threads committed
    assert errors == []
    assert sorted(outcomes) == ["placed"] * 3 + ["refused"] * 5
    assert month_row(asn.user)[1] == 90_000
    held = db.session.scalar(sa.select(sa.func.sum(QuotaHold.amount)))
    assert held == 90_000
