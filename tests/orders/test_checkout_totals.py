"""The checkout page shows the exact figures the order will carry — per shop for the way of
receiving chosen, and the grand total with delivery — and an order never costs other than the
total the buyer last saw: a way changed after the page computed it shows the new total first."""
import pytest

from bebeli.extensions import db
from bebeli.orders.models import FulfilmentMethod, Order
from tests.factories import ProductFactory, ShopFactory
from tests.orders.factories import asn_buyer, fill_cart
from tests.pageforms import figures, rendered_form

CHECKOUT = "/keranjang/checkout"


def _cart(buyer):
    """A PKP shop (PPN 11%, delivery Rp 15.000) and a non-PKP shop (delivery Rp 10.000), both
    offering pickup; above Rp 2.000.000 in all."""
    pkp = ProductFactory(shop=ShopFactory(is_pkp=True, npwp="0012345678901000", delivery_fee_amount=15_000),
                         price_amount=1_000_000, stock=10)
    small = ProductFactory(shop=ShopFactory(delivery_fee_amount=10_000), price_amount=25_000, stock=10)
    fill_cart(buyer, (pkp, 3), (small, 2))
    return pkp.shop, small.shop


def _method_field(form, shop) -> str:
    [name] = [n for n, v in form.values if n.endswith("-shop_id") and v == str(shop.id)]
    return name.removesuffix("shop_id") + "method"


def _shown(html, shops, chosen) -> dict:
    return {
        "order": figures(html, testid="order-totals"),
        "shops": {shop.id: figures(html, shop=str(shop.id), method=chosen[shop.id].value) for shop in shops},
        "goods": {shop.id: figures(html, testid="shop-totals", shop=str(shop.id), method=None) for shop in shops},
    }


def _carried(order: Order) -> dict:
    return {
        "order": {"goods": order.goods_amount, "ppn": order.ppn_amount, "delivery": order.delivery_amount,
                  "total": order.total_amount},
        "shops": {so.shop_id: {"delivery": so.delivery_fee_amount, "total": so.total_amount}
                  for so in order.seller_orders},
        "goods": {so.shop_id: {"goods": so.goods_amount, **({"ppn": so.ppn_amount} if so.ppn_amount else {})}
                  for so in order.seller_orders},
    }


WAYS = [("delivery", "delivery"), ("pickup", "delivery"), ("delivery", "pickup"), ("pickup", "pickup")]


@pytest.mark.parametrize("pkp_way,small_way", WAYS, ids=["-".join(w) for w in WAYS])
def test_the_page_shows_what_the_order_carries(client, ctx, pkp_way, small_way):
    buyer = asn_buyer()
    shops = _cart(buyer)
    chosen = dict(zip([s.id for s in shops], map(FulfilmentMethod, (pkp_way, small_way))))
    client.login(buyer)
    html = client.get(CHECKOUT).get_data(as_text=True)
    form = rendered_form(html, CHECKOUT)
    # Every shop's part is shown for each way it offers, computed before anything is chosen.
    for shop in shops:
        assert figures(html, shop=str(shop.id), method="pickup")["delivery"] == 0
        assert figures(html, shop=str(shop.id), method="delivery")["delivery"] == shop.delivery_fee_amount
    for shop in shops:
        form.choose(_method_field(form, shop), chosen[shop.id].value)
    if FulfilmentMethod.PICKUP in chosen.values():   # the order's total follows the choice once recomputed
        html = client.post(CHECKOUT, data=form.data(button="preview")).get_data(as_text=True)
        assert db.session.scalar(db.select(db.func.count(Order.id))) == 0
        form = rendered_form(html, CHECKOUT)
    shown = _shown(html, shops, chosen)

    response = client.post(CHECKOUT, data=form.data())
    assert response.status_code == 302, response.get_data(as_text=True)
    order = db.session.scalar(db.select(Order))
    assert {so.shop_id: so.fulfilment_method for so in order.seller_orders} == chosen
    assert shown == _carried(order)
    # Figures worked out by hand: 3 × 1.000.000 + 11% PPN, 2 × 25.000, and the fees chosen.
    fees = {"delivery": (15_000, 10_000), "pickup": (0, 0)}
    delivery = fees[pkp_way][0] + fees[small_way][1]
    assert shown["order"] == {"goods": 3_050_000, "ppn": 330_000, "delivery": delivery,
                              "total": 3_380_000 + delivery}


def test_a_way_changed_without_recomputing_shows_the_new_total_before_ordering(client, ctx):
    buyer = asn_buyer()
    pkp_shop, small_shop = _cart(buyer)
    client.login(buyer)
    form = rendered_form(client.get(CHECKOUT).get_data(as_text=True), CHECKOUT)
    assert form.get("quoted_total") == "3405000"
    form.choose(_method_field(form, pkp_shop), "pickup")      # no "Hitung ulang total" (no :has() support)
    page = client.post(CHECKOUT, data=form.data())
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Total pesanan berubah" in html
    assert db.session.scalar(db.select(db.func.count(Order.id))) == 0
    assert figures(html, testid="order-totals")["total"] == 3_390_000
    # The page now shows the way chosen; ordering from it places exactly that.
    again = client.post(CHECKOUT, data=rendered_form(html, CHECKOUT).data())
    assert again.status_code == 302
    order = db.session.scalar(db.select(Order))
    assert order.total_amount == 3_390_000 and order.delivery_amount == 10_000


def test_a_delivery_fee_changed_after_the_page_was_shown_is_not_charged_unseen(client, ctx):
    buyer = asn_buyer()
    pkp_shop, _small = _cart(buyer)
    client.login(buyer)
    form = rendered_form(client.get(CHECKOUT).get_data(as_text=True), CHECKOUT)
    pkp_shop.delivery_fee_amount = 25_000
    db.session.commit()
    html = client.post(CHECKOUT, data=form.data()).get_data(as_text=True)
    assert "Total pesanan berubah" in html and figures(html, testid="order-totals")["total"] == 3_415_000
    assert db.session.scalar(db.select(db.func.count(Order.id))) == 0


def test_a_shop_without_pickup_shows_one_way(client, ctx):
    buyer = asn_buyer()
    product = ProductFactory(shop=ShopFactory(offers_pickup=False, delivery_fee_amount=12_000), price_amount=40_000)
    fill_cart(buyer, (product, 1))
    client.login(buyer)
    html = client.get(CHECKOUT).get_data(as_text=True)
    assert figures(html, shop=str(product.shop_id), method="pickup") == {}
    assert figures(html, shop=str(product.shop_id), method="delivery") == {"delivery": 12_000, "total": 52_000}
    assert rendered_form(html, CHECKOUT).options["shops-0-method"] == ["delivery"]
