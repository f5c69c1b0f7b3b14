"""The demo seller opens their insight page from the dashboard on a 360 px phone: a year of sales
as chart and table, without sideways scrolling, and downloads a month's report."""
from tests.e2e.conftest import PHONE, login


def test_the_seller_reads_a_year_of_sales_on_a_phone(page, demo_data):
    login(page, "seller@bebeli.test", "Bebeli-Demo-2026")
    page.goto("/toko/")
    page.get_by_test_id("seller-insights-link").click()
    page.wait_for_load_state()
    assert page.url.endswith("/toko/wawasan")
    assert page.locator("#sales svg").is_visible()
    assert page.locator("[data-testid=sales-months] tbody tr").count() == 12
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.evaluate("window.innerWidth") == PHONE["width"]

    months = page.locator("#bulan option")
    assert months.count() == 12
    page.select_option("#bulan", index=1)
    with page.expect_download() as download:
        page.get_by_role("button", name="Unduh PDF").click()
    assert download.value.suggested_filename.startswith("laporan-") and download.value.suggested_filename.endswith(".pdf")
    assert page.errors == []
