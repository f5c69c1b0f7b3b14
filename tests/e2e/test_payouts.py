"""The administrator pays sellers out in a browser, on the demo data: a batch made now, its
transfer marked paid with the bank's reference, and the month's reconciliation still agreeing."""
from bebeli.cli import DEMO_PASSWORD
from tests.e2e.conftest import login


def test_an_administrator_pays_out_a_batch_and_the_month_still_reconciles(page, demo_data):
    login(page, "admin@bebeli.test", DEMO_PASSWORD)
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto("/admin/pencairan")
    page.get_by_role("button", name="Buat batch sekarang").click()
    page.wait_for_url("**/admin/pencairan/*")
    transfers = page.get_by_test_id("payouts")
    assert "Keripik" in transfers.inner_text() and "Menunggu transfer" in transfers.inner_text()
    page.get_by_text("Tandai sudah ditransfer").first.click()
    page.get_by_label("No. referensi bank").first.fill("BJB-E2E-0042")
    page.get_by_role("button", name="Tandai dibayar").first.click()
    page.wait_for_load_state()
    assert "BJB-E2E-0042" in page.get_by_test_id("payouts").inner_text()
    assert "Ditransfer" in page.get_by_test_id("payouts").inner_text()
    page.goto("/admin/penyelesaian/rekonsiliasi")
    assert "Cocok" in page.get_by_test_id("verdict").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.errors == []
