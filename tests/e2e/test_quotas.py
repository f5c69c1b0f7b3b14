"""An ASN buys through the real pages (cart → checkout → simulated payment) and sees their
progress bar move; the administrator sees the same purchase on the monitoring dashboard."""
import re

import sqlalchemy as sa
from playwright.sync_api import expect

from bebeli.catalog.models import Product, ProductStatus
from bebeli.cli import DEMO_PASSWORD
from bebeli.extensions import db
from bebeli.money import parse_rupiah, rupiah
from bebeli.sellers.models import Shop, ShopStatus
from tests.e2e.conftest import PHONE, login

# Staff at Kecamatan Cikarang Utara, nothing bought yet in the demo: minimum Rp 50.000.
ASN_EMAIL, ASN_NAME = "dewi.lestari@bebeli.test", "Dewi Lestari"


def _fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def _local_product() -> Product:
    return db.session.scalars(
        sa.select(Product).join(Shop).where(
            Shop.is_local, Shop.status == ShopStatus.VERIFIED, Product.status == ProductStatus.PUBLISHED,
            Product.taken_down.is_(False), Product.stock > 0, Product.price_amount <= 40_000)
        .order_by(Product.price_amount.desc())
    ).first()


def _buy(page, product: Product) -> None:
    page.goto(f"/produk/{product.id}")
    page.get_by_role("button", name="Tambah ke keranjang").click()
    page.goto("/keranjang/")
    page.get_by_role("link", name="Lanjut ke checkout").click()
    expect(page.get_by_test_id("quota-room")).to_be_visible()  # the ceiling's room, before paying
    page.get_by_role("button", name="Buat pesanan").click()
    page.get_by_role("button", name="Bayar sekarang").click()
    page.get_by_role("button", name=re.compile(r"\(simulasi\)")).click()
    page.wait_for_load_state()


def test_the_progress_bar_moves_after_a_purchase_and_the_dashboard_shows_it(page, new_page, demo_data):
    product = _local_product()
    price = product.price_amount
    admin = new_page()
    login(admin, "admin@bebeli.test", DEMO_PASSWORD)
    admin.goto("/kuota/")
    spend_before = parse_rupiah(admin.get_by_test_id("spend-total").inner_text())

    login(page, ASN_EMAIL, DEMO_PASSWORD)
    progress = page.get_by_test_id("quota-progress")
    assert progress.locator("progress").get_attribute("value") == "0"
    assert "dari minimum Rp\u00a050.000" in progress.inner_text()
    _buy(page, product)
    page.goto("/")
    assert progress.locator("progress").get_attribute("value") == str(price)
    assert progress.get_by_test_id("quota-counted").inner_text() == rupiah(price)  # goods only, no delivery fee
    assert f"Kurang {rupiah(50_000 - price)} lagi" in progress.inner_text()
    assert _fits_the_phone(page) and page.errors == []
    page.screenshot(path="/tmp/quotas-asn-home.png", full_page=True)

    admin.reload()
    assert parse_rupiah(admin.get_by_test_id("spend-total").inner_text()) == spend_before + price
    row = admin.locator("[data-table=di-bawah-minimum] tr", has_text=ASN_NAME)
    assert rupiah(50_000 - price) in row.inner_text()
    assert _fits_the_phone(admin) and admin.errors == []
    admin.screenshot(path="/tmp/quotas-dashboard.png", full_page=True)
    row.get_by_role("link").click()  # drill down to her purchases
    assert product.shop.name in admin.locator("[data-table=pembelian]").inner_text()
