"""In a browser, with the page cache on: two buyers open the same product page; the second gets
the copy rendered for the first, with her own name, and buys from it with her own token."""
from playwright.sync_api import expect

from tests.e2e.conftest import login
from tests.factories import TEST_PASSWORD, ProductFactory
from tests.orders.factories import asn_buyer


def test_a_cached_product_page_is_framed_and_bought_from_by_each_buyer(app, cache_on, new_page):
    product = ProductFactory(name="Kopi Robusta Bekasi", stock=30, price_amount=45_000)
    first_buyer, second_buyer = asn_buyer(user__name="Dewi Pembeli"), asn_buyer(user__name="Sari Wulandari")
    path = f"/produk/{product.id}/{product.slug}"

    dewi = new_page()
    login(dewi, first_buyer.email, TEST_PASSWORD)
    dewi.goto("/akun")  # past the welcome message, which is personal
    assert dewi.goto(path).headers["x-cache"] == "MISS"
    expect(dewi.locator(".nav-user")).to_contain_text("Dewi Pembeli")

    sari = new_page()
    login(sari, second_buyer.email, TEST_PASSWORD)
    sari.goto("/akun")
    served = sari.goto(path)
    assert served.headers["x-cache"] == "HIT"  # the copy rendered for Dewi …
    expect(sari.locator(".nav-user")).to_contain_text("Sari Wulandari")  # … framed for Sari
    expect(sari.locator("body")).not_to_contain_text("Dewi Pembeli")

    sari.get_by_label(f"Jumlah ({product.unit})").fill("2")
    sari.get_by_role("button", name="Tambah ke keranjang").click()
    sari.wait_for_load_state()
    expect(sari.get_by_text(f"{product.name} ditambahkan ke keranjang.")).to_be_visible()
    sari.goto("/keranjang/")
    expect(sari.locator("main")).to_contain_text("Kopi Robusta Bekasi")
    assert sari.errors == [] and dewi.errors == []
