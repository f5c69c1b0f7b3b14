"""The UMKM path end to end in a browser at phone width: a business registers, an admin
approves it, the seller publishes a product with a photo, and a buyer finds it by search."""
from playwright.sync_api import expect

from bebeli.extensions import db
from tests.catalog.helpers import image_bytes
from tests.e2e.conftest import PHONE, login, logout
from tests.factories import TEST_PASSWORD, TEST_TOTP_SECRET, CategoryFactory, admin


def _fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def _register(page):
    page.goto("/toko/daftar")
    form = page.locator("[data-testid=register-form]")
    for label, value in [("Email (untuk masuk)", "dapur.renyah@contoh.id"), ("Kata sandi", TEST_PASSWORD),
                         ("Ulangi kata sandi", TEST_PASSWORD), ("Nama usaha / toko", "Dapur Renyah"),
                         ("Nama pemilik (sesuai KTP)", "Ratna Sari"), ("NIK", "3216094506900012"),
                         ("NIB (13 digit, dari OSS)", "9876543210123"),
                         ("Alamat usaha (jalan, nomor, RT/RW)", "Jl. Melati No. 3"),
                         ("Nomor WhatsApp", "0813 1111 2222"), ("Nama bank", "Bank BJB"),
                         ("Nomor rekening", "5556667778"), ("Nama pemilik rekening", "Ratna Sari")]:
        form.get_by_label(label, exact=True).fill(value)
    form.get_by_label("Kecamatan", exact=True).select_option("Cikarang Utara")
    # The kelurahan list arrives from the server once a kecamatan is chosen.
    kelurahan = form.get_by_label("Kelurahan / desa")
    kelurahan.locator("option[value=Karangasih]").wait_for(state="attached")
    kelurahan.select_option("Karangasih")
    form.get_by_label("Logo usaha (JPEG/PNG/WebP, maks. 5 MB)").set_input_files(
        files=[{"name": "logo.png", "mimeType": "image/png", "buffer": image_bytes("PNG", size=(300, 300))}])
    assert _fits_the_phone(page)
    form.get_by_role("button", name="Kirim pendaftaran").click()
    page.wait_for_url("**/toko/")
    assert page.get_by_test_id("shop-status").inner_text() == "Menunggu verifikasi"


def _approve(page):
    login(page, "reviewer@contoh.go.id", TEST_PASSWORD, totp_secret=TEST_TOTP_SECRET)
    page.goto("/toko/admin/verifikasi")
    assert _fits_the_phone(page)
    page.get_by_role("link", name="Dapur Renyah").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("shop-actions").get_by_role("button", name="Setujui").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("shop-status").inner_text() == "Terverifikasi"


def _publish(page):
    login(page, "dapur.renyah@contoh.id", TEST_PASSWORD)
    page.get_by_role("link", name="Tambah produk").first.click()
    form = page.locator("[data-testid=product-form]")
    form.get_by_label("Nama produk").fill("Keripik Bayam Renyah")
    form.get_by_label("Kategori").select_option(label="Keripik & Camilan")
    form.get_by_label("Deskripsi").fill("Keripik bayam hijau, gurih, tanpa pengawet.")
    form.get_by_label("Harga (Rp, belum termasuk PPN)").fill("12.500")
    form.get_by_label("Satuan", exact=True).select_option("pak")
    form.get_by_label("Stok", exact=True).fill("80")
    form.locator("input[type=file]").set_input_files(
        files=[{"name": "bayam.jpg", "mimeType": "image/jpeg", "buffer": image_bytes("JPEG", colour=(40, 140, 60))}])
    expect(page.locator("#image-preview img")).to_have_count(1)  # previewed before upload
    form.get_by_role("button", name="Simpan sebagai draf").click()
    page.wait_for_load_state()
    page.get_by_test_id("product-actions").get_by_role("button", name="Tayangkan").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("product-status").inner_text() == "Tayang"


def test_register_verify_publish_and_find(new_page, ctx):
    CategoryFactory(name="Keripik & Camilan")
    admin(email="reviewer@contoh.go.id")
    db.session.commit()

    seller = new_page()
    _register(seller)
    logout(seller)
    reviewer = new_page()
    _approve(reviewer)
    _publish(seller)

    buyer = new_page()
    buyer.goto("/")
    buyer.get_by_placeholder("Cari keripik, batik, ATK…").fill("membeli keripik bayam")
    buyer.get_by_role("button", name="Cari", exact=True).click()
    buyer.wait_for_load_state()
    card = buyer.get_by_test_id("product-card").filter(has_text="Keripik Bayam Renyah")
    assert card.count() == 1 and "Rp\u00a012.500" in card.inner_text()
    card.click()
    buyer.wait_for_load_state()
    assert buyer.get_by_test_id("product-name").inner_text() == "Keripik Bayam Renyah"
    assert "Dapur Renyah" in buyer.get_by_test_id("shop-card").inner_text()
    assert buyer.locator(".gallery-img").evaluate("img => img.naturalWidth") > 0
    assert _fits_the_phone(buyer)
    for page in (seller, reviewer, buyer):
        assert page.errors == []
