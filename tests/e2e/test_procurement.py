"""An agency purchase end to end in the browser, at phone width: the PP orders and negotiates,
the seller agrees, the PPK approves (Surat Pesanan), the seller accepts and ships, the PPK
signs the BAST refusing one item, and the Bendahara records the payment."""
import re

from playwright.sync_api import expect

from bebeli.extensions import db
from bebeli.procurement.models import AgencyPurchase, BudgetLine, Stage
from tests.e2e.conftest import login, logout
from tests.factories import TEST_PASSWORD, ProductFactory, ShopFactory
from tests.procurement.factories import BudgetLineFactory, team


def _fits_phone(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, page.url
    assert page.errors == []


def _open_purchase(page, purchase_id: int) -> None:
    page.goto("/pengadaan/")
    page.locator(f"[data-testid=to-do] [data-purchase='{purchase_id}'] .btn").first.click()
    page.wait_for_load_state()


def test_agency_purchase_end_to_end(page, ctx):
    t = team()
    line = BudgetLineFactory(agency=t.agency, code="5.1.02.01.01.0024", name="Belanja ATK", pagu_amount=20_000_000)
    shop = ShopFactory(name="Kertas Jaya Cikarang", is_pkp=True, delivery_fee_amount=0)
    product = ProductFactory(shop=shop, name="Kertas HVS A4 70 gram", price_amount=55_000, unit="rim", stock=500)
    ids = dict(product=product.id, line=line.id)
    page.on("dialog", lambda dialog: dialog.accept())

    # The PP fills the cart from the catalog and checks out as an agency purchase.
    login(page, t.pp.email, TEST_PASSWORD)
    assert page.url.endswith("/pengadaan/")
    page.goto(f"/produk/{ids['product']}")
    page.get_by_label("Jumlah (rim)").fill("40")
    page.get_by_role("button", name="Tambah ke keranjang").click()
    page.goto("/pengadaan/")
    page.get_by_test_id("agency-checkout").click()
    page.get_by_label("Kode anggaran").select_option(str(ids["line"]))
    page.get_by_label("PPK yang menyetujui").select_option(label=t.ppk.name)
    page.get_by_label("Alamat pengiriman").fill("Gedung Dinas Pendidikan, Cikarang Pusat")
    _fits_phone(page)
    page.screenshot(path="/tmp/procurement-checkout.png", full_page=True)
    page.get_by_role("button", name="Kirim ke PPK untuk disetujui").click()
    expect(page.get_by_text("dikirim ke PPK untuk disetujui")).to_be_visible()
    db.session.rollback()                 # a fresh read after the browser's writes
    purchase_id = db.session.scalar(db.select(AgencyPurchase.id))

    # Negotiation: the PP proposes Rp 50.000 a ream.
    page.goto(f"/pengadaan/pesanan/{purchase_id}")
    page.get_by_label("Harga satuan usulan untuk Kertas HVS A4 70 gram").fill("50.000")
    page.get_by_role("button", name="Kirim usulan harga").click()
    expect(page.get_by_text("Usulan harga dikirim ke penjual.")).to_be_visible()
    logout(page)

    # The seller agrees to the price.
    login(page, shop.owner.email, TEST_PASSWORD)
    _open_purchase(page, purchase_id)
    page.get_by_role("button", name="Terima harga").click()
    expect(page.get_by_text("Harga disepakati.").first).to_be_visible()
    logout(page)

    # The PPK reviews (DPP 2.000.000 + PPN 220.000) and approves: the Surat Pesanan is issued.
    login(page, t.ppk.email, TEST_PASSWORD)
    _open_purchase(page, purchase_id)
    assert page.locator("[data-figure=gross]").inner_text() == "Rp\u00a02.220.000"
    _fits_phone(page)
    page.screenshot(path="/tmp/procurement-approval.png", full_page=True)
    page.get_by_role("button", name="Setujui dan terbitkan Surat Pesanan").click()
    assert page.get_by_test_id("stage").inner_text() == "Surat Pesanan terbit"
    sp_link = page.get_by_role("link", name=re.compile(r"^Surat Pesanan SP-"))
    assert page.request.get(sp_link.get_attribute("href")).headers["content-type"] == "application/pdf"
    logout(page)

    # The seller accepts the Surat Pesanan and ships the goods.
    login(page, shop.owner.email, TEST_PASSWORD)
    _open_purchase(page, purchase_id)
    page.get_by_role("button", name="Terima Surat Pesanan").click()
    page.get_by_role("link", name="Kirim barang").click()
    page.get_by_label("Kurir / jasa pengiriman").fill("Kurir toko")
    page.get_by_role("button", name="Tandai dikirim").click()
    page.wait_for_load_state()
    logout(page)

    # The PPK checks the goods and signs the BAST, refusing 2 damp reams.
    login(page, t.ppk.email, TEST_PASSWORD)
    _open_purchase(page, purchase_id)
    page.get_by_role("link", name="Periksa barang dan tanda tangani BAST").click()
    page.get_by_label("Jumlah Kertas HVS A4 70 gram yang ditolak").fill("2")
    page.get_by_label("Catatan pemeriksaan").fill("2 rim basah terkena hujan")
    page.get_by_role("button", name="Tanda tangani BAST").click()
    assert page.get_by_test_id("stage").inner_text() == "BAST ditandatangani, menunggu pembayaran"
    # 38 × 50.000 = 1.900.000 (at most Rp 2.000.000: no PPH 22) + PPN 209.000; payment above 2 jt: PPN kept
    assert page.locator("[data-figure=pph22]").inner_text() == "Rp\u00a00"
    assert page.locator("[data-figure=net]").inner_text() == "Rp\u00a01.900.000"
    logout(page)

    # The Bendahara records the SP2D payment of the net amount.
    login(page, t.treasurer.email, TEST_PASSWORD)
    _open_purchase(page, purchase_id)
    page.get_by_role("link", name="Catat pembayaran").click()
    assert page.get_by_label("Jumlah dibayar ke penjual (Rp)").input_value() == "1.900.000"
    page.get_by_label("Nomor SP2D atau referensi transaksi").fill("SP2D-00123/LS/2026")
    _fits_phone(page)
    page.screenshot(path="/tmp/procurement-payment.png", full_page=True)
    page.get_by_role("button", name="Simpan pembayaran").click()
    assert page.get_by_test_id("stage").inner_text() == "Lunas"
    expect(page.get_by_text("SP2D-00123/LS/2026").first).to_be_visible()
    _fits_phone(page)
    page.screenshot(path="/tmp/procurement-detail.png", full_page=True)

    db.session.rollback()
    purchase = db.session.get(AgencyPurchase, purchase_id)
    assert purchase.stage == Stage.PAID and purchase.paid_amount == 1_900_000
    assert db.session.get(BudgetLine, ids["line"]).used_amount == 2_109_000
