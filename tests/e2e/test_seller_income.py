"""The seller's income pages in a phone's browser: from the navigation to the balance, then the
monthly statement chosen in the month picker, without sideways scrolling of the page."""
from datetime import datetime, timezone

from bebeli.extensions import db
from bebeli.money import rupiah
from bebeli.settlement import ledger
from bebeli.settlement.models import EntryKind
from tests.e2e.conftest import login
from tests.factories import TEST_PASSWORD, ShopFactory


def test_a_seller_reads_their_balance_and_a_past_statement_on_a_phone(page, ctx):
    shop = ShopFactory(name="Keripik Tempe Bu Sri Cikarang Utara")
    ledger.post(shop.id, EntryKind.SALE, 250_000, key="e2e:sale", at=datetime(2026, 10, 14, 3, tzinfo=timezone.utc),
                note="penjualan")
    ledger.post(shop.id, EntryKind.REFUND, -50_000, key="e2e:refund", at=datetime(2026, 11, 2, 3, tzinfo=timezone.utc))
    db.session.commit()
    login(page, shop.owner.email, TEST_PASSWORD)
    if page.locator(".nav-toggle").is_visible():
        page.locator(".nav-toggle").click()
    page.get_by_role("link", name="Penghasilan").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("total").inner_text() == rupiah(200_000)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.get_by_test_id("statement-link").click()
    page.get_by_label("Bulan").select_option("2026-11")
    page.wait_for_url("**bulan=2026-11**")
    assert rupiah(250_000) in page.get_by_test_id("opening").inner_text()
    assert rupiah(200_000) in page.get_by_test_id("closing").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.errors == []
