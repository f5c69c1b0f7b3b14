"""The whole purchase in a browser at phone width: an ASN buys from two shops, pays on the
simulated payment screen, both sellers accept and ship, the buyer confirms one delivery and
refuses an item of the other, and sees the refund."""
from playwright.sync_api import expect

from tests.e2e.conftest import login
from tests.factories import TEST_PASSWORD, ProductFactory, ShopFactory
from tests.orders.factories import asn_buyer

SHOTS = "/tmp/orders-{}.png"


def _fits_the_phone(page, name: str) -> None:
    page.screenshot(path=SHOTS.format(name), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, name
    assert page.errors == [], page.errors


def _add_to_cart(page, product, quantity: int) -> None:
    page.goto(f"/produk/{product.id}")
    page.get_by_label(f"Jumlah ({product.unit})").fill(str(quantity))
    page.get_by_role("button", name="Tambah ke keranjang").click()
    page.wait_for_load_state()
    expect(page.get_by_text(f"{product.name} ditambahkan ke keranjang.")).to_be_visible()


def _accept_and_ship(new_page, shop, courier: str, tracking: str) -> None:
    seller = new_page()
    login(seller, shop.owner.email, TEST_PASSWORD)
    seller.goto("/pesanan/toko")
    seller.locator("[data-testid=seller-orders] a").first.click()
    seller.get_by_role("button", name="Terima pesanan").click()
    seller.get_by_label("Kurir / jasa pengiriman").fill(courier)
    seller.get_by_label("Nomor resi").fill(tracking)
    seller.get_by_role("button", name="Tandai dikirim").click()
    seller.wait_for_load_state()
    expect(seller.get_by_text("ditandai dikirim")).to_be_visible()
    _fits_the_phone(seller, f"seller-{shop.id}")


def test_an_asn_buys_from_two_shops_and_gets_a_refund_for_a_refused_item(page, new_page, ctx):
    buyer = asn_buyer(user__name="Siti Uji")
    batik = ProductFactory(shop=ShopFactory(name="Batik Tulis Sukatani", is_pkp=True, npwp="0012345678901000"),
                           name="Kain Batik Cap", price_amount=150_000, unit="lembar", stock=5)
    keripik = ProductFactory(shop=ShopFactory(name="Keripik Bu Sari", delivery_fee_amount=8_000),
                             name="Keripik Pisang", price_amount=18_000, unit="pak", stock=20)
    page.on("dialog", lambda dialog: dialog.accept())

    login(page, buyer.email, TEST_PASSWORD)
    _add_to_cart(page, batik, 1)
    _add_to_cart(page, keripik, 3)
    page.goto("/keranjang/")
    expect(page.locator("[data-testid=cart-shop]")).to_have_count(2)
    _fits_the_phone(page, "cart")
    page.get_by_role("link", name="Lanjut ke checkout").click()
    expect(page.get_by_text("Jl. Teuku Umar No. 1").first).to_be_visible()  # the office, by default
    _fits_the_phone(page, "checkout")
    page.get_by_role("button", name="Buat pesanan").click()
    page.wait_for_load_state()
    expect(page.locator("[data-testid=pay-panel]")).to_be_visible()
    order_url = page.url

    page.get_by_role("button", name="Bayar sekarang").click()
    expect(page.get_by_text("SIMULASI — tidak ada uang yang berpindah")).to_be_visible()
    _fits_the_phone(page, "simulated-payment")
    page.get_by_role("button", name="(simulasi)").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Pembayaran berhasil")).to_be_visible()
    expect(page.locator("[data-testid=payment-status]")).to_have_text("Lunas")

    _accept_and_ship(new_page, batik.shop, "JNE", "JNE0001")
    _accept_and_ship(new_page, keripik.shop, "Kurir toko", "")

    page.goto(order_url)
    batik_part = page.locator("[data-testid=seller-order]", has_text="Batik Tulis Sukatani")
    batik_part.get_by_role("link", name="Konfirmasi penerimaan").click()
    page.get_by_role("button", name="Barang sudah saya terima").click()
    page.wait_for_load_state()
    expect(page.get_by_text("tercatat")).to_be_visible()

    keripik_part = page.locator("[data-testid=seller-order]", has_text="Keripik Bu Sari")
    keripik_part.get_by_role("link", name="Konfirmasi penerimaan").click()
    page.get_by_label("Ditolak").fill("1")
    page.get_by_label("Catatan penerimaan").fill("Satu pak remuk")
    _fits_the_phone(page, "receipt")
    page.get_by_role("button", name="Barang sudah saya terima").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Dana Rp 18.000 untuk barang yang ditolak dikembalikan.")).to_be_visible()
    keripik_part = page.locator("[data-testid=seller-order]", has_text="Keripik Bu Sari")
    expect(keripik_part.locator("[data-testid=refunded]")).to_have_text("Rp 18.000")
    expect(page.locator("[data-testid=order-refunded]")).to_have_text("Rp 18.000")
    expect(page.locator("[data-testid=payment-status]")).to_have_text("Dikembalikan sebagian")
    expect(page.locator("[data-status=completed]")).to_have_count(2)
    _fits_the_phone(page, "order")
