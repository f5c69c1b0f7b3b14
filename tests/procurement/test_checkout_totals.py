"""The agency checkout: each shop's Surat Pesanan-to-be is shown with the figures its purchase
will carry (DPP, PPN, delivery, the value charged to the budget, PPh 22, the PPN the treasurer
collects, the seller's net) for the way of receiving chosen, and pickup is offered as on
personal orders. The form is submitted as the page renders it."""
import pytest
from werkzeug.datastructures import MultiDict

from bebeli.cart.services import add_to_cart
from bebeli.extensions import db
from bebeli.orders.models import FulfilmentMethod, Order
from bebeli.procurement.models import AgencyPurchase
from tests.factories import ProductFactory, ShopFactory
from tests.pageforms import figures, rendered_form
from tests.procurement.factories import BudgetLineFactory, team

CHECKOUT = "/pengadaan/checkout"


def _setup():
    """A PKP shop selling Rp 10.000.000 (above the PPh 22 and PPN-collection thresholds) and a
    non-PKP shop selling Rp 1.900.000 (below), both delivering for a fee and offering pickup."""
    t = team()
    line = BudgetLineFactory(agency=t.agency, pagu_amount=50_000_000)
    pkp = ProductFactory(shop=ShopFactory(is_pkp=True, npwp="0012345678901000", delivery_fee_amount=20_000),
                         price_amount=1_000_000, stock=50)
    small = ProductFactory(shop=ShopFactory(delivery_fee_amount=15_000), price_amount=190_000, stock=50)
    add_to_cart(t.pp, pkp, 10)
    add_to_cart(t.pp, small, 10)
    db.session.commit()
    return t, line, pkp.shop, small.shop


def _method_field(form, shop) -> str:
    [name] = [n for n, v in form.values if n.endswith("-shop_id") and v == str(shop.id)]
    return name.removesuffix("shop_id") + "method"


def _shown(html, shops, chosen) -> dict:
    per_shop = {}
    for shop in shops:
        per_shop[shop.id] = {**figures(html, testid="shop-totals", shop=str(shop.id), method=None),
                             **figures(html, shop=str(shop.id), method=chosen[shop.id].value)}
    return {"order": figures(html, testid="order-totals"), "shops": per_shop}


def _carried(purchases: list[AgencyPurchase], order: Order) -> dict:
    per_shop = {p.shop_id: {"dpp": p.dpp_amount, "ppn": p.ppn_amount, "delivery": p.delivery_amount,
                            "gross": p.gross_amount, "pph22": p.pph22_amount,
                            "ppn-withheld": p.ppn_withheld_amount, "net": p.net_amount} for p in purchases}
    return {"order": {"dpp": order.goods_amount, "ppn": order.ppn_amount, "delivery": order.delivery_amount,
                      "gross": order.total_amount, "pph22": sum(p.pph22_amount for p in purchases),
                      "ppn-withheld": sum(p.ppn_withheld_amount for p in purchases),
                      "net": sum(p.net_amount for p in purchases)},
            "shops": per_shop}


WAYS = [("delivery", "delivery"), ("pickup", "delivery"), ("delivery", "pickup"), ("pickup", "pickup")]


@pytest.mark.parametrize("pkp_way,small_way", WAYS, ids=["-".join(w) for w in WAYS])
def test_the_page_shows_what_each_purchase_carries(client, ctx, pkp_way, small_way):
    t, line, pkp_shop, small_shop = _setup()
    shops = (pkp_shop, small_shop)
    chosen = {pkp_shop.id: FulfilmentMethod(pkp_way), small_shop.id: FulfilmentMethod(small_way)}
    client.login(t.pp)
    html = client.get(CHECKOUT).get_data(as_text=True)
    form = rendered_form(html, CHECKOUT)
    assert form.options[_method_field(form, pkp_shop)] == ["delivery", "pickup"]
    for shop in shops:
        form.choose(_method_field(form, shop), chosen[shop.id].value)
    if FulfilmentMethod.PICKUP in chosen.values():
        html = client.post(CHECKOUT, data=form.data(button="preview")).get_data(as_text=True)
        assert db.session.scalar(db.select(db.func.count(Order.id))) == 0
        form = rendered_form(html, CHECKOUT)
    shown = _shown(html, shops, chosen)

    response = client.post(CHECKOUT, data=form.data())       # "Kirim ke PPK untuk disetujui", as rendered
    assert response.status_code == 302, response.get_data(as_text=True)
    order = db.session.scalar(db.select(Order))
    purchases = db.session.scalars(db.select(AgencyPurchase).order_by(AgencyPurchase.id)).all()
    assert {p.shop_id: p.seller_order.fulfilment_method for p in purchases} == chosen
    assert shown == _carried(purchases, order)
    # Worked out by hand. PKP: DPP 10.000.000, PPN 1.100.000 (collected by the treasurer),
    # PPh 22 150.000. Non-PKP: 1.900.000, at most Rp 2.000.000, so no PPh 22.
    pkp_fee = 20_000 if pkp_way == "delivery" else 0
    small_fee = 15_000 if small_way == "delivery" else 0
    assert shown["shops"][pkp_shop.id] == {
        "dpp": 10_000_000, "ppn": 1_100_000, "delivery": pkp_fee, "gross": 11_100_000 + pkp_fee,
        "pph22": 150_000, "ppn-withheld": 1_100_000, "net": 9_850_000 + pkp_fee}
    assert shown["shops"][small_shop.id] == {
        "dpp": 1_900_000, "ppn": 0, "delivery": small_fee, "gross": 1_900_000 + small_fee,
        "pph22": 0, "ppn-withheld": 0, "net": 1_900_000 + small_fee}
    for p in purchases:
        expected = None if chosen[p.shop_id] == FulfilmentMethod.PICKUP else "Jl. Teuku Umar No. 1, Cikarang Pusat"
        assert p.seller_order.delivery_address == expected


def test_everything_collected_needs_no_delivery_address(client, ctx):
    t, line, pkp_shop, small_shop = _setup()
    client.login(t.pp)
    form = rendered_form(client.get(CHECKOUT).get_data(as_text=True), CHECKOUT)
    form.fill("delivery_address", "")
    form.choose(_method_field(form, pkp_shop), "pickup")
    recomputed = client.post(CHECKOUT, data=form.data(button="preview"))
    form = rendered_form(recomputed.get_data(as_text=True), CHECKOUT)
    assert form.get("delivery_address") == ""
    page = client.post(CHECKOUT, data=form.data())                               # one shop still delivers
    assert page.status_code == 200 and "Isi alamat pengiriman" in page.get_data(as_text=True)
    form = rendered_form(page.get_data(as_text=True), CHECKOUT)
    form.choose(_method_field(form, small_shop), "pickup")
    form = rendered_form(client.post(CHECKOUT, data=form.data(button="preview")).get_data(as_text=True), CHECKOUT)
    assert client.post(CHECKOUT, data=form.data()).status_code == 302
    purchases = db.session.scalars(db.select(AgencyPurchase)).all()
    assert {p.seller_order.fulfilment_method for p in purchases} == {FulfilmentMethod.PICKUP}
    assert sum(p.delivery_amount for p in purchases) == 0


def test_a_way_changed_without_recomputing_shows_the_new_total_first(client, ctx):
    t, line, pkp_shop, small_shop = _setup()
    client.login(t.pp)
    form = rendered_form(client.get(CHECKOUT).get_data(as_text=True), CHECKOUT)
    form.choose(_method_field(form, pkp_shop), "pickup")
    page = client.post(CHECKOUT, data=form.data())
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Total pesanan berubah" in html
    assert db.session.scalar(db.select(db.func.count(Order.id))) == 0
    assert figures(html, testid="order-totals")["gross"] == 11_100_000 + 1_915_000
    assert client.post(CHECKOUT, data=rendered_form(html, CHECKOUT).data()).status_code == 302
    assert db.session.scalar(db.select(Order.total_amount)) == 13_015_000


def test_a_way_the_shop_does_not_offer_is_refused(client, ctx):
    t, line, pkp_shop, small_shop = _setup()
    pkp_shop.offers_pickup = False
    db.session.commit()
    client.login(t.pp)
    form = rendered_form(client.get(CHECKOUT).get_data(as_text=True), CHECKOUT)
    assert form.options[_method_field(form, pkp_shop)] == ["delivery"]
    values = [(n, "pickup" if n == _method_field(form, pkp_shop) else v) for n, v in form.data().items(multi=True)]
    page = client.post(CHECKOUT, data=MultiDict(values))
    assert page.status_code == 200 and "tidak melayani cara pengiriman ini" in page.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Order.id))) == 0
