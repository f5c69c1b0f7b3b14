"""The agency channel through HTTP: checkout, the purchase page's steps, access, inbox, monitoring."""
import re

import pytest

from bebeli.cart.services import add_to_cart
from bebeli.extensions import db
from bebeli import lifecycle
from bebeli.procurement import services
from bebeli.procurement.models import AgencyPurchase, BudgetLine, Stage
from tests.factories import ProductFactory, ShopFactory, admin, agency_admin
from tests.procurement.factories import BudgetLineFactory, agency_order, buying_setup, team

KEY_RE = re.compile(r'name="idempotency_key" value="([^"]+)"')


@pytest.fixture
def setup(ctx):
    return buying_setup(50_000_000, is_pkp=True, delivery_fee_amount=20_000, price_amount=250_000, stock=30)


def test_checkout_as_agency_purchase(client, setup):
    t, line, shop, product = setup
    add_to_cart(t.pp, product, 4)
    db.session.commit()
    client.login(t.pp)
    inbox = client.get("/pengadaan/").get_data(as_text=True)
    assert 'data-testid="agency-checkout"' in inbox
    page = client.get("/pengadaan/checkout").get_data(as_text=True)
    assert line.code in page and t.ppk.name in page and t.pp.name not in page.split('id="ppk"')[1].split("</select>")[0]
    data = {"budget_line": line.id, "ppk": t.ppk.id, "delivery_address": "Aula Disdik", "note": "",
            "idempotency_key": KEY_RE.search(page).group(1)}
    first = client.post_form("/pengadaan/checkout", data)
    assert first.status_code == 302
    again = client.post_form("/pengadaan/checkout", data, page="/pengadaan/")   # a double click: one order
    assert again.status_code == 302
    [purchase] = db.session.scalars(db.select(AgencyPurchase)).all()
    assert purchase.stage == Stage.AWAITING_APPROVAL and purchase.seller_order.delivery_address == "Aula Disdik"
    assert purchase.gross_amount == 1_000_000 + 110_000 + 20_000


def test_checkout_refusals_are_form_messages(client, setup):
    t, line, shop, product = setup
    add_to_cart(t.pp, product, 4)
    db.session.commit()
    client.login(t.pp)
    page = client.get("/pengadaan/checkout").get_data(as_text=True)
    key = KEY_RE.search(page).group(1)
    other_line = BudgetLineFactory()                              # another agency's line
    response = client.post_form("/pengadaan/checkout", {"budget_line": other_line.id, "ppk": t.ppk.id,
                                                         "delivery_address": "Kantor", "idempotency_key": key})
    assert response.status_code == 200 and "kode anggaran perangkat daerah Anda" in response.get_data(as_text=True)
    response = client.post_form("/pengadaan/checkout", {"budget_line": line.id, "ppk": t.pp.id,
                                                         "delivery_address": "Kantor", "idempotency_key": key})
    assert response.status_code == 200 and "Pilih PPK" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(AgencyPurchase.id)) is None


def test_non_pp_cannot_check_out_as_agency(client, setup):
    t, *_ = setup
    client.login(t.ppk)
    assert client.get("/pengadaan/checkout").status_code == 403


def test_steps_from_the_purchase_page(client, other_client, setup):
    t, line, shop, product = setup
    [purchase] = agency_order(t, line, [(product, 2)])
    url = f"/pengadaan/pesanan/{purchase.id}"
    client.login(t.ppk)
    page = client.get(url).get_data(as_text=True)
    assert "Setujui dan terbitkan Surat Pesanan" in page
    # returning needs a note
    assert client.post_form(f"{url}/kembalikan", {"send_back-note": ""}, page=url).status_code == 302
    db.session.refresh(purchase)
    assert purchase.stage == Stage.AWAITING_APPROVAL
    client.post_form(f"{url}/kembalikan", {"send_back-note": "Tambah merek"}, page=url)
    db.session.refresh(purchase)
    assert purchase.stage == Stage.RETURNED and purchase.return_note == "Tambah merek"

    other_client.login(t.pp)
    assert "Tambah merek" in other_client.get(url).get_data(as_text=True)
    line_id = purchase.seller_order.lines[0].id
    other_client.post_form(f"{url}/usulan-harga", {f"line_{line_id}": "240.000"}, page=url)
    other_client.post_form(f"{url}/ajukan-ulang", page=url)
    db.session.refresh(purchase)
    assert purchase.stage == Stage.AWAITING_APPROVAL and purchase.pending_offers

    seller = shop.owner
    other_client.logout()
    other_client.login(seller)
    offer = purchase.pending_offers[0]
    other_client.post_form(f"/pengadaan/tawaran/{offer.id}/terima", page=url)
    db.session.refresh(purchase)
    assert purchase.seller_order.lines[0].unit_price_amount == 240_000

    response = client.post_form(f"{url}/setujui", page=url)
    assert response.status_code == 302
    db.session.refresh(purchase)
    assert purchase.stage == Stage.APPROVED and purchase.dpp_amount == 480_000

    other_client.post_form(f"{url}/sp/terima", page=url)
    lifecycle.ship_seller_order(purchase.seller_order, seller, courier="Kurir", tracking_number=None)
    db.session.commit()
    bast = client.post_form(f"{url}/bast", {f"line_{line_id}": "0", "note": ""})
    assert bast.status_code == 302
    db.session.refresh(purchase)
    assert purchase.stage == Stage.RECEIVED


def test_outsiders_get_404_and_errors_are_messages(client, setup):
    t, line, shop, product = setup
    [purchase] = agency_order(t, line, [(product, 1)])
    stranger = team()
    client.login(stranger.ppk)
    assert client.get(f"/pengadaan/pesanan/{purchase.id}").status_code == 404
    assert client.post_form(f"/pengadaan/pesanan/{purchase.id}/setujui", page="/pengadaan/").status_code == 404
    client.logout()
    client.login(t.treasurer)                      # sees it, but approving is not theirs
    assert client.get(f"/pengadaan/pesanan/{purchase.id}").status_code == 200
    assert client.post_form(f"/pengadaan/pesanan/{purchase.id}/setujui", page="/pengadaan/").status_code == 403
    client.logout()
    client.login(t.pp)
    response = client.post_form(f"/pengadaan/pesanan/{purchase.id}/usulan-harga",
                                {f"line_{purchase.seller_order.lines[0].id}": "999.999"},
                                page=f"/pengadaan/pesanan/{purchase.id}", follow_redirects=True)
    assert response.status_code == 200 and "di bawah harga saat ini" in response.get_data(as_text=True)


def test_inbox_lists_what_each_role_must_do(client, setup):
    t, line, shop, product = setup
    [purchase] = agency_order(t, line, [(product, 1)])
    client.login(t.ppk)
    todo = client.get("/pengadaan/").get_data(as_text=True).split('data-testid="to-do"')
    assert len(todo) == 2 and f'data-purchase="{purchase.id}"' in todo[1]
    client.logout()
    client.login(t.treasurer)
    assert 'data-testid="to-do"' not in client.get("/pengadaan/").get_data(as_text=True)


def test_monitoring_per_agency(client, ctx):
    t = team()
    line = BudgetLineFactory(agency=t.agency, pagu_amount=10_000_000)
    shop = ShopFactory(is_pkp=False, delivery_fee_amount=0)
    [purchase] = agency_order(t, line, [(ProductFactory(shop=shop, price_amount=1_000_000), 3)])
    services.approve_purchase(purchase, t.ppk)
    agency_order(t, line, [(ProductFactory(shop=shop, price_amount=1_000_000), 1)])   # not approved: not spent
    db.session.commit()
    from bebeli.procurement.monitoring import agency_spending

    [row] = [r for r in agency_spending(line.fiscal_year) if r.agency.id == t.agency.id]
    assert (row.spent_amount, row.used_amount, row.pagu_amount, row.used_bp, row.small_business_bp) == (
        3_000_000, 3_000_000, 10_000_000, 3000, 3000)
    assert row.base_is_pagu and not row.meets_target
    client.login(agency_admin(t.agency))
    html = client.get("/pengadaan/pemantauan").get_data(as_text=True)
    assert f'data-agency="{t.agency.code}"' in html
    other = team()
    assert f'data-agency="{other.agency.code}"' not in client.get("/pengadaan/pemantauan").get_data(as_text=True)
    client.logout()
    client.login(admin())
    assert f'data-agency="{other.agency.code}"' in client.get("/pengadaan/pemantauan").get_data(as_text=True)
    assert db.session.scalar(db.select(BudgetLine.used_amount).where(BudgetLine.id == line.id)) == 3_000_000


def test_the_pp_cannot_pay_an_agency_order_by_card_or_close_it_without_bast(client, setup):
    from bebeli.payments.models import Payment

    t, line, shop, product = setup
    [purchase] = agency_order(t, line, [(product, 1)])
    client.login(t.pp)
    page = client.get(f"/pesanan/{purchase.order_id}").get_data(as_text=True)
    assert 'data-testid="agency-order"' in page and 'data-testid="pay-panel"' not in page
    response = client.post_form(f"/pembayaran/{purchase.order_id}/mulai", page=f"/pesanan/{purchase.order_id}",
                                follow_redirects=True)
    assert "dibayar oleh bendahara" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(Payment.id)) is None
