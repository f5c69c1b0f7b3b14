"""The Dinas growth page in a phone-sized browser: reached from the admin dashboard, every
chart drawn on the server, nothing wider than the screen, and a table downloaded."""
from tests.e2e.conftest import PHONE, login
from tests.factories import TEST_PASSWORD, TEST_TOTP_SECRET, admin
from tests.growth.conftest import small_limits, town  # noqa: F401 (fixtures)


def test_growth_page_fits_a_phone_and_downloads_a_table(page, town):  # noqa: F811
    account = admin()
    login(page, account.email, TEST_PASSWORD, TEST_TOTP_SECRET)
    page.goto("/admin/")
    page.get_by_role("link", name="Pertumbuhan UMKM").click()
    page.wait_for_load_state()
    assert page.url.endswith("/admin/pertumbuhan")
    assert page.get_by_test_id("stat-moved-up").inner_text() == "2"
    assert page.locator("figure.chart svg").count() == 7
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.evaluate("window.innerWidth") == PHONE["width"]
    assert page.errors == []
    page.screenshot(path="/tmp/growth-dashboard.png", full_page=True)
    with page.expect_download() as download:
        page.locator("#kecamatan .export-links a", has_text="CSV").click()
    assert download.value.suggested_filename.startswith("pertumbuhan-kecamatan-")
