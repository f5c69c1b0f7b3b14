"""Nobody sees or acts on someone else's orders: other buyers and other shops get a 404."""
import pytest

from bebeli.extensions import db
from bebeli.orders.models import FulfilmentStatus as F
from bebeli.orders.models import SellerOrder
from tests.factories import ProductFactory, admin
from tests.orders.factories import asn_buyer, fill_cart, paid_order, place, two_shop_products


@pytest.fixture
def shop_order(ctx):
    product = ProductFactory()
    order = paid_order(asn_buyer(), (product, 1))
    return order, order.seller_orders[0], product.shop.owner


def test_a_buyer_cannot_see_or_act_on_another_buyers_order(client, shop_order):
    order, so, _ = shop_order
    client.login(asn_buyer())
    for url in (f"/pesanan/{order.id}", f"/pesanan/bagian/{so.id}/terima", f"/pesanan/bagian/{so.id}/invoice.pdf"):
        assert client.get(url).status_code == 404, url
    for url in (f"/pesanan/{order.id}/batal", f"/pesanan/bagian/{so.id}/batal", f"/pembayaran/{order.id}/mulai"):
        assert client.post_form(url, page="/pesanan/").status_code == 404, url
    assert order.number not in client.get("/pesanan/").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(SellerOrder, so.id).status == F.PAID


def test_a_seller_sees_only_their_own_shops_orders(client, shop_order):
    order, so, owner = shop_order
    stranger = ProductFactory().shop.owner
    client.login(stranger)
    for url in (f"/pesanan/toko/{so.id}", f"/pesanan/toko/{so.id}/slip.pdf", f"/pesanan/bagian/{so.id}/invoice.pdf"):
        assert client.get(url).status_code == 404, url
    for url in (f"/pesanan/toko/{so.id}/terima", f"/pesanan/toko/{so.id}/kirim", f"/pesanan/toko/{so.id}/sampai"):
        assert client.post_form(url, page="/pesanan/toko").status_code == 404, url
    assert so.number not in client.get("/pesanan/toko?status=baru").get_data(as_text=True)
    client.logout()
    client.login(owner)
    assert so.number in client.get("/pesanan/toko?status=baru").get_data(as_text=True)
    assert client.get(f"/pesanan/toko/{so.id}").status_code == 200


def test_buyers_and_sellers_cannot_open_each_others_pages(client, shop_order):
    order, so, owner = shop_order
    client.login(owner)
    assert client.get("/pesanan/").status_code == 403
    client.logout()
    client.login(order.buyer)
    assert client.get("/pesanan/toko").status_code == 403
    assert client.get("/pesanan/admin").status_code == 403


def test_the_parties_get_the_invoice_pdf_and_the_seller_a_packing_slip(client, shop_order):
    order, so, owner = shop_order
    client.login(order.buyer)
    response = client.get(f"/pesanan/bagian/{so.id}/invoice.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    client.logout()
    client.login(owner)
    assert client.get(f"/pesanan/bagian/{so.id}/invoice.pdf").data.startswith(b"%PDF")
    assert client.get(f"/pesanan/toko/{so.id}/slip.pdf").data.startswith(b"%PDF")


def test_no_invoice_before_payment(client, ctx):
    buyer = asn_buyer()
    fill_cart(buyer, (ProductFactory(), 1))
    order = place(buyer)
    client.login(buyer)
    response = client.get(f"/pesanan/bagian/{order.seller_orders[0].id}/invoice.pdf")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/pesanan/{order.id}")


def test_admin_searches_all_orders_and_sees_the_same_timeline(client, ctx):
    first_buyer = asn_buyer(user__name="Rina Kusuma")
    pkp, small = two_shop_products()
    first = paid_order(first_buyer, (pkp, 1))
    second = paid_order(asn_buyer(), (small, 1))
    client.login(admin())
    listing = client.get("/pesanan/admin").get_data(as_text=True)
    assert first.number in listing and second.number in listing
    by_buyer = client.get("/pesanan/admin?q=rina kusuma").get_data(as_text=True)
    assert first.number in by_buyer and second.number not in by_buyer
    by_shop = client.get(f"/pesanan/admin?q={small.shop.name}").get_data(as_text=True)
    assert second.number in by_shop and first.number not in by_shop
    assert first.number in client.get(f"/pesanan/admin?q={first.number.lower()}").get_data(as_text=True)
    detail = client.get(f"/pesanan/admin/{first.id}").get_data(as_text=True)
    assert 'data-testid="timeline"' in detail and "Pembayaran diterima" in detail
    assert client.get("/admin/").get_data(as_text=True).count("/pesanan/admin") == 1



def test_the_seller_dashboard_counts_only_the_own_shops_orders_waiting_for_them(client, ctx):
    from bebeli.lifecycle import accept_seller_order

    mine = ProductFactory(stock=50)
    theirs = ProductFactory(stock=50)
    new = paid_order(asn_buyer(), (mine, 1))
    accepted = paid_order(asn_buyer(), (mine, 2))
    accept_seller_order(accepted.seller_orders[0], mine.shop.owner)
    paid_order(asn_buyer(), (theirs, 1))
    paid_order(asn_buyer(), (theirs, 1))
    db.session.commit()
    client.login(mine.shop.owner)
    html = client.get("/toko/").get_data(as_text=True)
    counts = html[html.index('data-testid="seller-order-counts"'):]
    values = [part.split("</span>")[0] for part in counts.split('class="stat-value">')[1:4]]
    assert values == ["1", "1", "0"], values
    assert new.seller_orders[0].number not in html  # counts only: the list is on /pesanan/toko
