"""One agency purchase walked through every screen, as each role: the PP checks out, the PPK
approves, the seller accepts the Surat Pesanan and ships, the PPK signs the BAST and the treasurer
pays. At every stage the seller's list, the administrator's list, the buyer's order page, the
seller's order page and the purchase page show the agency's own status and offer the right next
step, and each step is taken by submitting the form as the page renders it."""
import re

import pytest

from bebeli.cart.services import add_to_cart
from bebeli.extensions import db
from bebeli.orders.models import FulfilmentStatus as F
from bebeli.orders.models import Order, SellerOrder
from bebeli.procurement.models import AgencyPurchase, Stage
from tests.factories import admin
from tests.pageforms import rendered_form
from tests.procurement.factories import buying_setup

CHECKOUT = "/pengadaan/checkout"
BADGE_RE = re.compile(r'data-status="[^"]+">([^<]+)</span>')
SO_STATUS_RE = re.compile(r'data-testid="so-status">([^<]+)<')
ACTIONS_RE = re.compile(r'<section class="card" data-testid="(?:seller-actions|actions)">(.*?)</section>', re.S)
PERSONAL_LABELS = ("Dibayar, menunggu penjual", "Diproses penjual")


@pytest.fixture
def world(ctx, app):
    t, line, shop, product = buying_setup(50_000_000, is_pkp=True, delivery_fee_amount=0, price_amount=500_000,
                                          stock=20)
    add_to_cart(t.pp, product, 4)
    db.session.commit()
    clients = {}
    for role, user in (("pp", t.pp), ("ppk", t.ppk), ("treasurer", t.treasurer), ("seller", shop.owner),
                       ("admin", admin())):
        clients[role] = app.test_client()
        clients[role].login(user)
    return t, shop, clients


def _html(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def _actions(html: str) -> str:
    """The page's card of next steps ('' when it offers none)."""
    found = ACTIONS_RE.search(html)
    return found.group(1) if found else ""


def _screens(clients, purchase: AgencyPurchase, so: SellerOrder, *, procurement_as: str) -> dict:
    """Every screen that shows this order: its status labels and its offered steps."""
    buyer_page = _html(clients["pp"], f"/pesanan/{so.order_id}")
    seller_page = _html(clients["seller"], f"/pesanan/toko/{so.id}")
    purchase_page = _html(clients[procurement_as], f"/pengadaan/pesanan/{purchase.id}")
    return {
        "seller_list": BADGE_RE.findall(_html(clients["seller"], "/pesanan/toko?status=")),
        "admin_list": BADGE_RE.findall(_html(clients["admin"], "/pesanan/admin")),
        "buyer_page": BADGE_RE.findall(buyer_page),
        "seller_page": BADGE_RE.findall(seller_page),
        "purchase_page": SO_STATUS_RE.findall(purchase_page),
        "_pages": (buyer_page, seller_page, purchase_page),
    }


def _expect_label(screens: dict, label: str) -> tuple[str, str, str]:
    pages = screens.pop("_pages")
    assert screens == {name: [label] for name in screens}
    for page in pages:
        assert not any(personal in page for personal in PERSONAL_LABELS)
    return pages


def _fresh(*objs):
    db.session.expire_all()
    for obj in objs:
        db.session.refresh(obj)


def test_one_agency_purchase_through_every_screen(world):
    t, shop, clients = world
    pp, ppk, seller, treasurer = clients["pp"], clients["ppk"], clients["seller"], clients["treasurer"]

    # The PP checks out through the real agency checkout, as the page renders it.
    form = rendered_form(_html(pp, CHECKOUT), CHECKOUT)
    response = pp.post(CHECKOUT, data=form.data())
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    purchase = db.session.scalar(db.select(AgencyPurchase))
    so = purchase.seller_order
    url = f"/pengadaan/pesanan/{purchase.id}"
    assert (purchase.stage, so.status) == (Stage.AWAITING_APPROVAL, F.AWAITING_APPROVAL)

    buyer_page, seller_page, purchase_page = _expect_label(
        _screens(clients, purchase, so, procurement_as="ppk"), "Menunggu persetujuan")
    assert f'href="{url}"' in _actions(buyer_page) or f'href="{url}"' in buyer_page
    assert _actions(seller_page) == ""                              # nothing for the seller yet
    assert "Setujui dan terbitkan Surat Pesanan" in _actions(purchase_page)

    # The PPK approves on the purchase page.
    ppk.post(f"{url}/setujui", data=rendered_form(purchase_page, f"{url}/setujui").data())
    _fresh(purchase, so)
    assert (purchase.stage, so.status) == (Stage.APPROVED, F.APPROVED)

    buyer_page, seller_page, purchase_page = _expect_label(
        _screens(clients, purchase, so, procurement_as="seller"), "Disetujui PPK, menunggu jawaban penjual")
    offered = _actions(seller_page)
    assert "Terima Surat Pesanan" in offered and f'action="{url}/sp/terima"' in offered
    assert f"/pesanan/toko/{so.id}/terima" not in seller_page       # never the personal accept
    assert "Terima Surat Pesanan" in _actions(purchase_page)
    assert "Konfirmasi penerimaan" not in buyer_page
    # The personal accept, posted anyway, is refused by the agency table.
    seller.post(f"/pesanan/toko/{so.id}/terima", data=rendered_form(seller_page, f"{url}/sp/terima").data())
    _fresh(so)
    assert so.status == F.APPROVED
    assert "tidak dapat diubah" in _html(seller, f"/pesanan/toko/{so.id}")   # said so, once

    # The seller accepts the Surat Pesanan from their order page.
    response = seller.post(f"{url}/sp/terima", data=rendered_form(seller_page, f"{url}/sp/terima").data())
    assert response.status_code == 302
    _fresh(purchase, so)
    assert (purchase.stage, so.status) == (Stage.APPROVED, F.SP_ACCEPTED)
    events = [(e.kind, e.from_status, e.to_status) for e in so.events]
    assert ("status", "approved", "sp_accepted") in events

    buyer_page, seller_page, purchase_page = _expect_label(
        _screens(clients, purchase, so, procurement_as="seller"), "Surat Pesanan diterima penjual")
    ship = f"/pesanan/toko/{so.id}/kirim"
    assert f'action="{ship}"' in _actions(seller_page)
    assert "Kirim barang" in _actions(purchase_page)

    # The seller ships.
    form = rendered_form(seller_page, ship).fill("courier", "Kurir toko")
    assert seller.post(ship, data=form.data()).status_code == 302
    _fresh(purchase, so)
    assert so.status == F.SHIPPED

    buyer_page, seller_page, purchase_page = _expect_label(
        _screens(clients, purchase, so, procurement_as="ppk"), "Dikirim")
    assert "PPK lalu memeriksa barang" in _actions(seller_page)
    assert "Periksa barang dan tanda tangani BAST" in _actions(purchase_page)
    assert "Konfirmasi penerimaan" not in buyer_page                # the BAST, not the personal receipt

    # The PPK signs the BAST (the BAST and payment forms post back to their own page).
    bast = f"{url}/bast"
    assert ppk.post(bast, data=rendered_form(_html(ppk, bast), None).data()).status_code == 302
    _fresh(purchase, so)
    assert (purchase.stage, so.status) == (Stage.RECEIVED, F.RECEIVED)

    buyer_page, seller_page, purchase_page = _expect_label(
        _screens(clients, purchase, so, procurement_as="treasurer"),
        "BAST ditandatangani, menunggu pembayaran bendahara")
    assert _actions(seller_page) == ""
    assert "Catat pembayaran" in _actions(purchase_page)

    # The treasurer pays the net in full.
    pay = f"{url}/bayar"
    form = rendered_form(_html(treasurer, pay), None).fill("reference", "SP2D-0001/2026")
    assert treasurer.post(pay, data=form.data()).status_code == 302
    _fresh(purchase, so)
    assert (purchase.stage, so.status) == (Stage.PAID, F.COMPLETED)
    assert db.session.get(Order, so.order_id).paid_at is not None

    buyer_page, seller_page, purchase_page = _expect_label(
        _screens(clients, purchase, so, procurement_as="ppk"), "Selesai, dibayar bendahara")
    assert _actions(seller_page) == "" and _actions(purchase_page) == ""
