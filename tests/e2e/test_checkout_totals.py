"""The checkout figures in a browser at phone width: each shop's total follows the way of
receiving checked, the grand total (delivery included) is the one the order is placed with, a
changed way asks for a recomputation before the grand total shows again; the same on the agency
checkout, with PPh 22 and the seller's net."""
import re

from playwright.sync_api import expect

from bebeli.extensions import db
from bebeli.orders.models import Order
from bebeli.procurement.models import AgencyPurchase
from tests.e2e.conftest import login
from tests.factories import TEST_PASSWORD, ProductFactory, ShopFactory
from tests.orders.factories import asn_buyer, fill_cart
from tests.procurement.factories import BudgetLineFactory, team


def _fits_the_phone(page, name: str) -> None:
    page.screenshot(path=f"/tmp/checkout-totals-{name}.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, name
    assert page.errors == [], page.errors


def _amount(locator) -> int:
    return int(re.sub(r"\D", "", locator.inner_text()))


def _visible_figure(scope, figure: str):
    """The one cell of `figure` the page shows (the other ways' cells are hidden)."""
    cells = scope.locator(f"[data-figure={figure}]").filter(visible=True)
    expect(cells).to_have_count(1)
    return cells.first


def test_personal_checkout_totals_follow_the_way_chosen(page, ctx):
    buyer = asn_buyer()
    batik = ProductFactory(shop=ShopFactory(name="Batik Sukatani", is_pkp=True, npwp="0012345678901000",
                                            delivery_fee_amount=15_000), name="Kain Batik", price_amount=150_000)
    keripik = ProductFactory(shop=ShopFactory(name="Keripik Bu Sari", delivery_fee_amount=8_000),
                             name="Keripik Pisang", price_amount=18_000)
    fill_cart(buyer, (batik, 1), (keripik, 3))
    login(page, buyer.email, TEST_PASSWORD)
    page.goto("/keranjang/checkout")
    totals = page.get_by_test_id("order-totals")
    # Goods 204.000, PPN 16.500 (11% of 150.000), delivery 15.000 + 8.000.
    expect(totals.locator("[data-figure=total]")).to_have_text(re.compile(r"Rp\s243\.500"))
    batik_card = page.locator("[data-testid=checkout-shop]", has_text="Batik Sukatani")
    assert _amount(_visible_figure(batik_card, "total")) == 181_500
    _fits_the_phone(page, "personal")

    batik_card.locator("input[value=pickup]").check()
    assert _amount(_visible_figure(batik_card, "total")) == 166_500     # the shop's part, at once, without JS
    expect(totals).to_be_hidden()                                        # the grand total waits for the new figure
    expect(page.get_by_text("Cara menerima berubah")).to_be_visible()
    page.get_by_role("button", name="Hitung ulang total").click()
    expect(totals.locator("[data-figure=total]")).to_have_text(re.compile(r"Rp\s228\.500"))
    expect(page.get_by_text("Cara menerima berubah")).to_be_hidden()
    _fits_the_phone(page, "personal-pickup")
    shown = _amount(totals.locator("[data-figure=total]"))
    page.get_by_role("button", name="Buat pesanan").click()
    expect(page.locator("[data-testid=pay-panel]")).to_be_visible()
    db.session.rollback()
    order = db.session.scalar(db.select(Order))
    assert order.total_amount == shown == 228_500 and order.delivery_amount == 8_000


def test_agency_checkout_totals_with_pickup(page, ctx):
    t = team()
    line = BudgetLineFactory(agency=t.agency, pagu_amount=50_000_000)
    shop = ShopFactory(name="Kertas Jaya", is_pkp=True, npwp="0012345678901000", delivery_fee_amount=25_000)
    product = ProductFactory(shop=shop, name="Kertas HVS A4", price_amount=55_000, unit="rim", stock=500)
    fill_cart(t.pp, (product, 40))
    ids = {"line": line.id}
    login(page, t.pp.email, TEST_PASSWORD)
    page.goto("/pengadaan/checkout")
    card = page.locator("[data-testid=agency-checkout-shop]")
    totals = page.get_by_test_id("order-totals")
    # DPP 2.200.000 (above Rp 2.000.000: PPh 22 33.000), PPN 242.000, delivery 25.000; the
    # treasurer collects the PPN of a payment above Rp 2.000.000.
    assert _amount(_visible_figure(card, "gross")) == 2_467_000
    assert _amount(totals.locator("[data-figure=pph22]")) == 33_000
    _fits_the_phone(page, "agency")
    card.locator("input[value=pickup]").check()
    assert _amount(_visible_figure(card, "gross")) == 2_442_000
    assert _amount(_visible_figure(card, "net")) == 2_442_000 - 33_000 - 242_000
    page.get_by_role("button", name="Hitung ulang total").click()
    expect(totals.locator("[data-figure=gross]")).to_have_text(re.compile(r"Rp\s2\.442\.000"))
    page.get_by_label("Kode anggaran").select_option(str(ids["line"]))
    page.get_by_label("PPK yang menyetujui").select_option(label=t.ppk.name)
    _fits_the_phone(page, "agency-pickup")
    page.get_by_role("button", name="Kirim ke PPK untuk disetujui").click()
    expect(page.get_by_text("dikirim ke PPK untuk disetujui")).to_be_visible()
    db.session.rollback()
    [purchase] = db.session.scalars(db.select(AgencyPurchase)).all()
    assert (purchase.gross_amount, purchase.delivery_amount, purchase.pph22_amount, purchase.net_amount) == \
        (2_442_000, 0, 33_000, 2_167_000)
