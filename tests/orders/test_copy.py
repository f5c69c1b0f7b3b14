"""What the pages say: names with titles, pickup orders, parts refused at receipt, document
numbers, dates in notes, amounts, form attributes, the all-orders list, and where the PP lands."""
import re

import pytest
import sqlalchemy as sa

from bebeli.dates import jakarta_today
from bebeli.extensions import db
from bebeli.i18n import sentence
from bebeli.money import rupiah
from bebeli.notifications.models import Notification
from bebeli import lifecycle
from bebeli.orders.models import FulfilmentMethod
from bebeli.orders.models import FulfilmentStatus as F
from bebeli.orders.models import SellerOrder
from bebeli.pdf import Document
from bebeli.procurement import services as procurement
from bebeli.procurement.models import AgencyPurchase
from tests.factories import ProductFactory, ShopFactory, admin
from tests.orders.factories import asn_buyer, fill_cart, paid_order, pay, place
from tests.procurement.factories import BudgetLineFactory, agency_order, team
from tests.procurement.pdftext import pdf_lines
from tests.security.forms import forms_on


def _rendered(client, url: str, action: str | None = None) -> dict:
    """The POST form of `url` (posting to `action`, by default to `url`) as the page renders it."""
    html = client.get(url).get_data(as_text=True)
    [form] = [f for f in forms_on(url, html) if f.method == "POST" and f.action == (action or url)]
    return {name: f.value or "" for name, f in form.fields.items() if f.kind != "button"}


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# --- names that end in a title ------------------------------------------------------------------

@pytest.mark.parametrize("text,expected", [
    ("Selamat datang, Budi Santoso, S.Kom..", "Selamat datang, Budi Santoso, S.Kom."),
    ("Selamat datang, Siti.", "Selamat datang, Siti."),
    ("Menunggu...", "Menunggu..."),
])
def test_a_sentence_never_ends_in_two_full_stops(text, expected):
    assert sentence(text) == expected


def test_the_welcome_after_login_has_one_full_stop_after_a_title(client, ctx):
    user = asn_buyer(user__name="Budi Santoso, S.Kom.")
    client.login(user)
    page = client.get("/").get_data(as_text=True)
    assert "Selamat datang, Budi Santoso, S.Kom.<" in page and "S.Kom.." not in page


# --- pickup and refusals -----------------------------------------------------------------------

def test_a_pickup_order_reads_ready_for_pickup_and_picked_up_never_sent(client, other_client, ctx):
    buyer = asn_buyer()
    product = ProductFactory(stock=5, shop=ShopFactory(name="Dapur Bu Ani"))
    fill_cart(buyer, (product, 1))
    order = pay(place(buyer, method=FulfilmentMethod.PICKUP))
    so = order.seller_orders[0]
    seller_page = f"/pesanan/toko/{so.id}"
    other_client.login(product.shop.owner)
    other_client.post(f"{seller_page}/terima", data=_rendered(other_client, seller_page, f"{seller_page}/terima"))
    shipped = other_client.post(f"{seller_page}/kirim", data=_rendered(other_client, seller_page, f"{seller_page}/kirim"),
                                follow_redirects=True).get_data(as_text=True)
    assert f"Pesanan {so.number} ditandai siap diambil." in shipped and "ditandai dikirim" not in shipped

    client.login(buyer)
    mine = _text(client.get(f"/pesanan/{order.id}").get_data(as_text=True))
    assert "Siap diambil" in mine and "Dikirim" not in mine
    assert "Siap diambil" in _text(client.get("/pesanan/").get_data(as_text=True))
    told = db.session.scalar(sa.select(Notification.message).where(Notification.user_id == buyer.id)
                             .order_by(Notification.id.desc()).limit(1))
    assert told.startswith(f"Pesanan {so.number} siap diambil di Dapur Bu Ani.") and "dikirim" not in told

    picked = other_client.post(f"{seller_page}/sampai", data=_rendered(other_client, seller_page, f"{seller_page}/sampai"),
                               follow_redirects=True).get_data(as_text=True)
    assert f"Pesanan {so.number} ditandai sudah diambil." in picked
    mine = _text(client.get(f"/pesanan/{order.id}").get_data(as_text=True))
    assert "Sudah diambil" in mine and "dari Siap diambil" in mine and "Dikirim" not in mine and "Sampai di" not in mine


def test_a_part_refused_in_full_at_receipt_reads_rejected_not_completed(client, ctx):
    buyer = asn_buyer()
    keep, refuse = ProductFactory(stock=5), ProductFactory(stock=5)
    order = paid_order(buyer, (keep, 1), (refuse, 2))
    for so in order.seller_orders:
        lifecycle.accept_seller_order(so, so.shop.owner)
        lifecycle.ship_seller_order(so, so.shop.owner, courier="Kurir toko", tracking_number=None)
    db.session.commit()
    refused = next(so for so in order.seller_orders if so.shop_id == refuse.shop_id)
    kept = next(so for so in order.seller_orders if so.shop_id == keep.shop_id)
    client.login(buyer)
    for so, rejected in ((refused, 2), (kept, 0)):
        url = f"/pesanan/bagian/{so.id}/terima"
        form = _rendered(client, url)
        form[f"reject_{so.lines[0].id}"], form["note"] = str(rejected), "Kemasan rusak" if rejected else ""
        assert client.post(url, data=form).status_code == 302
    db.session.expire_all()
    assert {db.session.get(SellerOrder, so.id).status for so in (kept, refused)} == {F.COMPLETED}

    html = client.get(f"/pesanan/{order.id}").get_data(as_text=True)
    badges = dict(re.findall(r'data-number="([^"]+)">.*?data-status="completed">([^<]+)<', html, re.S))
    assert badges == {refused.number: "Ditolak saat diterima", kept.number: "Selesai"}
    seller_told = db.session.scalar(sa.select(Notification.message).where(
        Notification.user_id == refuse.shop.owner_id).order_by(Notification.id.desc()).limit(1))
    assert seller_told.startswith(f"Semua barang pesanan {refused.number} ditolak pembeli saat diterima")


# --- agency documents and notes ------------------------------------------------------------------

def test_agency_documents_and_notes_name_the_bast_once_and_write_dates_in_indonesian(client, ctx):
    t = team()
    line = BudgetLineFactory(agency=t.agency, pagu_amount=50_000_000)
    shop = ShopFactory(delivery_fee_amount=0)
    [purchase] = agency_order(t, line, [(ProductFactory(shop=shop, price_amount=100_000, stock=10), 3)])
    procurement.approve_purchase(purchase, t.ppk)
    procurement.accept_sp(purchase, shop.owner)
    lifecycle.ship_seller_order(purchase.seller_order, shop.owner, courier="Kurir toko", tracking_number=None)
    procurement.sign_bast(purchase, t.ppk, rejected={}, note=None)
    db.session.commit()
    client.login(t.treasurer)
    url = f"/pengadaan/pesanan/{purchase.id}/bayar"
    form = _rendered(client, url)
    form.update(paid_on=jakarta_today().isoformat(), reference="SP2D-00001/LS/2026",
                amount=str(purchase.outstanding_amount))
    assert client.post(url, data=form).status_code == 302

    html = _text(client.get(f"/pengadaan/pesanan/{purchase.id}").get_data(as_text=True))
    assert purchase.bast_number.startswith("BAST-") and "BAST BAST" not in html
    assert f"Berita Acara Serah Terima {purchase.bast_number}" in html
    assert f"{purchase.bast_number} ditandatangani PPK" in html
    months = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
              "November", "Desember"]
    today = jakarta_today()
    assert f"(ref. SP2D-00001/LS/2026, {today.day} {months[today.month - 1]} {today.year})" in html
    assert not re.search(r"\b20\d\d-\d\d-\d\d\b", html)


# --- amounts, forms and lists -------------------------------------------------------------------

def test_rupiah_keeps_rp_with_its_number_on_screen_and_in_pdfs(tmp_path):
    assert rupiah(1_250_000) == "Rp\u00a01.250.000" and rupiah(-5_000) == "-Rp\u00a05.000"
    doc = Document("Uji", footer="")
    if not doc.unicode:
        pytest.skip("Debian's fonts-dejavu-core is not installed")
    doc.use_font(9)
    # 34 mm fits "Jumlah dibayar Rp" but not the number: a plain space would break after "Rp".
    doc.multi_cell(34, 4, f"Jumlah dibayar {rupiah(1_250_000)}", new_x="LMARGIN", new_y="NEXT")
    lines = [line.replace("\u00a0", " ") for line in pdf_lines(doc.render())]
    assert "Rp 1.250.000" in lines and not any(line.endswith("Rp") for line in lines), lines
    # Without a Unicode font the PDF core font still has the no-break space (Latin-1).
    assert Document("Uji", font_dir=tmp_path).clean(rupiah(5_000)) == "Rp\u00a05.000"


def test_form_fields_never_say_aria_invalid_none(client, ctx):
    client.login(asn_buyer())
    page = client.get("/akun/kata-sandi").get_data(as_text=True)
    assert 'aria-invalid="None"' not in page and "aria-invalid" not in page
    form = _rendered(client, "/akun/kata-sandi")
    failed = client.post("/akun/kata-sandi", data=form).get_data(as_text=True)
    assert 'aria-invalid="true"' in failed and 'aria-invalid="None"' not in failed


def test_all_orders_say_personal_or_agency(client, ctx):
    buyer = asn_buyer()
    personal = paid_order(buyer, (ProductFactory(stock=5), 1))
    t = team()
    [purchase] = agency_order(t, BudgetLineFactory(agency=t.agency), [(ProductFactory(stock=5), 1)])
    client.login(admin())
    html = client.get("/pesanan/admin").get_data(as_text=True)
    assert re.search(r"<th[^>]*>Jenis</th>", html)
    rows = {number: _text(kind).strip() for number, kind in re.findall(
        r'<tr>\s*<td class="nowrap"><a [^>]*>([^<]+)</a>.*?<td data-testid="channel">(.*?)</td>', html, re.S)}
    assert rows == {personal.number: "Pribadi", purchase.order.number: "Instansi"}


def test_the_pp_lands_on_the_new_purchase_after_ordering(client, ctx):
    t = team()
    line = BudgetLineFactory(agency=t.agency, pagu_amount=50_000_000)
    product = ProductFactory(stock=10, price_amount=100_000)
    client.login(t.pp)
    client.post("/keranjang/tambah", data={**_rendered(client, f"/produk/{product.id}/{product.slug}", "/keranjang/tambah"),
                                           "quantity": "2"})
    form = _rendered(client, "/pengadaan/checkout")
    form.update(budget_line=str(line.id), ppk=str(t.ppk.id), delivery_address="Aula Dinas")
    first = client.post("/pengadaan/checkout", data=form)
    [purchase_id] = db.session.scalars(sa.select(AgencyPurchase.id)).all()
    assert first.status_code == 302 and first.location == f"/pengadaan/pesanan/{purchase_id}"
    again = client.post("/pengadaan/checkout", data=form)  # a second click lands there too
    assert again.location == first.location
    page = client.get(first.location, follow_redirects=True).get_data(as_text=True)
    assert "dikirim ke PPK untuk disetujui" in page


def test_an_agency_order_to_two_shops_lands_on_the_order(client, ctx):
    t = team()
    line = BudgetLineFactory(agency=t.agency, pagu_amount=50_000_000)
    products = [ProductFactory(stock=10, price_amount=50_000) for _ in range(2)]
    client.login(t.pp)
    for product in products:
        client.post("/keranjang/tambah", data=_rendered(client, f"/produk/{product.id}/{product.slug}", "/keranjang/tambah"))
    form = _rendered(client, "/pengadaan/checkout")
    form.update(budget_line=str(line.id), ppk=str(t.ppk.id), delivery_address="Aula Dinas")
    response = client.post("/pengadaan/checkout", data=form)
    order_id = db.session.scalar(sa.select(AgencyPurchase.order_id).limit(1))
    assert response.location == f"/pesanan/{order_id}"
