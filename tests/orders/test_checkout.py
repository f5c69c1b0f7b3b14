"""Checkout: one transaction that writes one Order split per shop, or nothing at all."""
import re
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from bebeli.cart.models import CartLine
from bebeli.cart.services import cart_key
from bebeli.catalog.models import Product
from bebeli.errors import OutOfStock, QuotaExceeded
from bebeli.extensions import db
from bebeli.notifications.models import Notification
from bebeli.orders.models import FulfilmentMethod, FulfilmentStatus, Order, OrderEvent, PaymentStatus
from bebeli.lifecycle import ShopChoice, place_order
from bebeli.lifecycle import placing
from tests.factories import ProductFactory
from tests.orders.factories import asn_buyer, database_snapshot, fill_cart, place, two_shop_products

KEY_RE = re.compile(r'name="idempotency_key"[^>]*value="([^"]+)"')


def _stock(product) -> int:
    db.session.expire_all()
    return db.session.get(Product, product.id).stock


def test_one_order_split_per_shop_with_snapshots_and_totals(ctx):
    buyer = asn_buyer()
    pkp, small = two_shop_products(stock=10)
    fill_cart(buyer, (pkp, 2), (small, 3))
    order = place(buyer, note="Tolong dibungkus rapi")

    assert order.payment_status == PaymentStatus.UNPAID and order.expires_at is not None
    assert order.agency_id == buyer.asn.agency_id
    parts = {so.shop_id: so for so in order.seller_orders}
    taxed, plain = parts[pkp.shop_id], parts[small.shop_id]
    assert (taxed.goods_amount, taxed.ppn_rate_bp, taxed.ppn_amount, taxed.delivery_fee_amount, taxed.total_amount) == \
        (200_000, 1100, 22_000, 15_000, 237_000)
    assert (plain.goods_amount, plain.ppn_amount, plain.delivery_fee_amount, plain.total_amount) == (75_000, 0, 10_000, 85_000)
    assert order.total_amount == 322_000 and order.ppn_amount == 22_000 and order.delivery_amount == 25_000
    line = taxed.lines[0]
    assert (line.product_name, line.unit, line.unit_price_amount, line.quantity, line.amount, line.category_id) == \
        (pkp.name, pkp.unit, 100_000, 2, 200_000, pkp.category_id)
    assert {so.status for so in order.seller_orders} == {FulfilmentStatus.AWAITING_PAYMENT}
    assert taxed.note == "Tolong dibungkus rapi" and taxed.delivery_address == "Jl. Uji No. 2"
    assert (_stock(pkp), _stock(small)) == (8, 7)
    assert db.session.scalar(db.select(db.func.count(CartLine.id))) == 0
    assert db.session.scalar(db.select(db.func.count(OrderEvent.id))) == 2
    assert db.session.scalar(db.select(Notification.message).where(Notification.user_id == buyer.id)).startswith(
        f"Pesanan {order.number} dibuat")

    # The snapshot does not follow the catalog.
    pkp.name, pkp.price_amount = "Nama baru", 999_000
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Order, order.id).seller_orders[0].lines[0].product_name != "Nama baru"


def test_pickup_has_no_delivery_fee_and_no_address(ctx):
    buyer = asn_buyer()
    product = ProductFactory()
    fill_cart(buyer, (product, 1))
    order = place(buyer, method=FulfilmentMethod.PICKUP)
    so = order.seller_orders[0]
    assert so.delivery_fee_amount == 0 and so.delivery_address is None and so.total_amount == product.price_amount


def _checkout_page(client):
    html = client.get("/keranjang/checkout").get_data(as_text=True)
    return html, KEY_RE.search(html).group(1)


def _form(key, shops, method="delivery", address_choice="office"):
    data = {"idempotency_key": key}
    for index, shop in enumerate(shops):
        data.update({f"shops-{index}-shop_id": shop.id, f"shops-{index}-method": method,
                     f"shops-{index}-address_choice": address_choice, f"shops-{index}-address": "",
                     f"shops-{index}-note": ""})
    return data


def test_checkout_page_uses_the_office_address_by_default(client, ctx):
    buyer = asn_buyer()
    pkp, small = two_shop_products()
    fill_cart(buyer, (pkp, 1), (small, 1))
    client.login(buyer)
    html, key = _checkout_page(client)
    assert html.count('data-testid="checkout-shop"') == 2 and "Jl. Teuku Umar No. 1" in html
    response = client.post_form("/keranjang/checkout", _form(key, [pkp.shop, small.shop]), page="/keranjang/checkout")
    order = db.session.scalar(db.select(Order))
    assert response.headers["Location"].endswith(f"/pesanan/{order.id}")
    assert {so.delivery_address for so in order.seller_orders} == {f"{buyer.asn.agency.name}, Jl. Teuku Umar No. 1, Cikarang Pusat"}


def test_other_address_is_required_when_chosen(client, ctx):
    buyer = asn_buyer()
    product = ProductFactory()
    fill_cart(buyer, (product, 1))
    client.login(buyer)
    _, key = _checkout_page(client)
    response = client.post_form("/keranjang/checkout", _form(key, [product.shop], address_choice="other"),
                                page="/keranjang/checkout")
    assert response.status_code == 200 and "Isi alamat pengiriman" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Order.id))) == 0


def test_double_submission_two_tabs_and_retries_make_one_order(client, other_client, ctx):
    buyer = asn_buyer()
    product = ProductFactory(stock=10)
    fill_cart(buyer, (product, 2))
    client.login(buyer)
    other_client.login(buyer)
    _, key = _checkout_page(client)
    _, key_other_tab = _checkout_page(other_client)
    assert key == key_other_tab  # the key is the cart's fingerprint
    form = _form(key, [product.shop])
    first = client.post_form("/keranjang/checkout", form, page="/keranjang/")
    second = client.post_form("/keranjang/checkout", form, page="/keranjang/")   # a second click
    third = other_client.post_form("/keranjang/checkout", form, page="/keranjang/")  # the other tab
    assert first.headers["Location"] == second.headers["Location"] == third.headers["Location"]
    assert db.session.scalar(db.select(db.func.count(Order.id))) == 1
    assert _stock(product) == 8


def test_a_cart_changed_in_another_tab_is_not_checked_out_blindly(client, ctx):
    buyer = asn_buyer()
    first, second = ProductFactory(), ProductFactory()
    fill_cart(buyer, (first, 1))
    client.login(buyer)
    _, key = _checkout_page(client)
    fill_cart(buyer, (second, 1))
    response = client.post_form("/keranjang/checkout", _form(key, [first.shop, second.shop]), page="/keranjang/")
    assert response.headers["Location"].endswith("/keranjang/")
    assert db.session.scalar(db.select(db.func.count(Order.id))) == 0


def test_a_line_that_cannot_be_satisfied_writes_nothing_and_says_which(ctx):
    buyer = asn_buyer()
    plenty, scarce = ProductFactory(stock=50, name="Kopi Robusta"), ProductFactory(stock=5, name="Keripik Pisang")
    fill_cart(buyer, (plenty, 3), (scarce, 4))
    choices = [ShopChoice(shop_id=p.shop_id, method=FulfilmentMethod.PICKUP) for p in (plenty, scarce)]
    key = cart_key(buyer)
    scarce.stock = 2  # someone else bought some before the buyer opened the checkout
    db.session.commit()
    with pytest.raises(OutOfStock, match="Keripik Pisang: Stok tersisa 2"):
        place_order(buyer, choices, idempotency_key=key)
    db.session.rollback()

    scarce.stock = 5
    db.session.commit()
    before = database_snapshot()
    # Another checkout takes stock after the cart was reviewed, just before this one's UPDATE of
    # the second product (the first one, lower id, is already taken).
    with stock_taken_meanwhile(scarce, left=2):
        with pytest.raises(OutOfStock) as refused:
            place_order(buyer, choices, idempotency_key=key)
    db.session.rollback()
    assert "Keripik Pisang" in str(refused.value.message) and "tersisa 2" in str(refused.value.message)
    assert database_snapshot() == before
    assert (_stock(plenty), _stock(scarce)) == (50, 5)


@contextmanager
def stock_taken_meanwhile(product, left: int):
    def lower(conn, clauseelement, *args):
        update = getattr(clauseelement, "is_update", False) and clauseelement.table.name == "products"
        if update and clauseelement.compile().params.get("id_1") == product.id:
            conn.exec_driver_sql(f"UPDATE products SET stock = {left} WHERE id = {product.id}")

    event.listen(db.engine, "before_execute", lower)
    try:
        yield
    finally:
        event.remove(db.engine, "before_execute", lower)


def test_injected_failure_after_the_stock_update_leaves_everything_as_before(client, ctx, monkeypatch):
    buyer = asn_buyer()
    pkp, small = two_shop_products(stock=10)
    fill_cart(buyer, (pkp, 2), (small, 1))
    client.login(buyer)
    _, key = _checkout_page(client)
    form = _form(key, [pkp.shop, small.shop])
    before = database_snapshot()
    written = []

    checks = placing.check_placed

    def explode(buyer, order):
        checks(buyer, order)
        # Inside the checkout's transaction: the order, its stock and the quota's hold exist.
        written.append({name for name, rows in database_snapshot().items() if rows != before[name]})
        raise RuntimeError("injected failure")

    monkeypatch.setattr(placing, "check_placed", explode)
    with pytest.raises(RuntimeError):
        place(buyer)
    db.session.rollback()
    assert client.post_form("/keranjang/checkout", form, page="/keranjang/").status_code == 500
    monkeypatch.undo()
    quota_tables = {name for name in before if name.startswith("quota")}
    for changed in written:
        assert {"orders", "seller_orders", "order_lines", "products", "cart_lines"} <= changed
        assert not quota_tables or changed & quota_tables, "the quota's receiver ran before the failure"
    assert len(written) == 2
    assert database_snapshot() == before
    assert (_stock(pkp), _stock(small)) == (10, 10)


def test_a_quota_veto_is_shown_and_nothing_is_written(client, ctx, monkeypatch):
    buyer = asn_buyer()
    product = ProductFactory(stock=10)
    fill_cart(buyer, (product, 1))
    client.login(buyer)
    _, key = _checkout_page(client)
    before = database_snapshot()

    def ceiling(buyer, order):
        raise QuotaExceeded("Pembelian melebihi batas bulanan Anda (sisa Rp 10.000).")

    monkeypatch.setattr(placing, "reserve_for_checkout", ceiling)
    response = client.post_form("/keranjang/checkout", _form(key, [product.shop]), page="/keranjang/")
    assert response.headers["Location"].endswith("/keranjang/")
    assert "melebihi batas bulanan" in client.get("/keranjang/").get_data(as_text=True)
    monkeypatch.undo()
    assert database_snapshot() == before and _stock(product) == 10
