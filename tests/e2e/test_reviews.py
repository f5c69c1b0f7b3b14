"""Reviews in a phone's browser: the buyer reviews a received line from their order page, the
shop replies from its reviews page, another buyer reports the review, and the Dinas hides it
with a reason; the product page follows each step."""
from bebeli.extensions import db
from bebeli.mail.models import OutboundEmail
from tests.catalog.helpers import image_bytes
from tests.e2e.conftest import login, logout
from tests.factories import TEST_PASSWORD, TEST_TOTP_SECRET, ProductFactory, admin
from tests.orders.factories import asn_buyer
from tests.reviews.helpers import personal_line


def _nav(page, name: str) -> None:
    if page.locator(".nav-toggle").is_visible():
        page.locator(".nav-toggle").click()
    page.get_by_role("link", name=name, exact=True).click()
    page.wait_for_load_state()


def test_review_reply_report_and_moderation(page, ctx, tmp_path):
    product = ProductFactory(name="Keripik Kentang Balado Bu Tini", price_amount=20_000, stock=500)
    line = personal_line(product=product)
    buyer, owner = line.seller_order.order.buyer, line.seller_order.shop.owner
    reporter, the_admin = asn_buyer(), admin()
    photo = tmp_path / "foto.png"
    photo.write_bytes(image_bytes())
    product_url = f"/produk/{product.id}/{product.slug}"

    # The buyer reviews the received line from the order page.
    login(page, buyer.email, TEST_PASSWORD)
    page.goto(f"/pesanan/{line.seller_order.order_id}")
    page.get_by_role("link", name="Beri ulasan").click()
    page.get_by_label("★★★★", exact=True).check()
    page.get_by_label("Ulasan", exact=True).fill("Pedasnya pas, tapi beberapa keripik remuk.")
    page.get_by_label("Foto (maks. 3, JPEG/PNG/WebP, maks. 5 MB per foto)").set_input_files(str(photo))
    page.get_by_role("button", name="Kirim ulasan").click()
    page.wait_for_load_state()
    assert "ulasan Anda tayang" in page.content()
    page.goto(product_url)
    assert page.get_by_test_id("rating-average").inner_text() == "4,0"
    assert page.get_by_test_id("rating-count").inner_text() == "1 ulasan"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    logout(page)

    # The shop replies once from its reviews page.
    login(page, owner.email, TEST_PASSWORD)
    _nav(page, "Ulasan")
    page.get_by_label("Balasan toko").fill("Terima kasih, kemasan kami perkuat.")
    page.get_by_role("button", name="Kirim balasan").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("review-reply").is_visible()
    assert page.get_by_test_id("reply-form").count() == 0
    logout(page)

    # Another buyer reports it from the product page.
    login(page, reporter.email, TEST_PASSWORD)
    page.goto(product_url)
    assert "kemasan kami perkuat" in page.get_by_test_id("review-reply").inner_text()
    page.get_by_role("link", name="Laporkan").click()
    page.get_by_label("Alasan laporan").fill("Ulasan ini menyebut toko lain.")
    page.get_by_role("button", name="Kirim laporan").click()
    page.wait_for_load_state()
    assert "Laporan terkirim" in page.content()
    logout(page)

    # The Dinas hides it with a reason; the author is told.
    login(page, the_admin.email, TEST_PASSWORD, totp_secret=TEST_TOTP_SECRET)
    page.goto("/admin")
    page.get_by_role("link", name="Moderasi ulasan").click()
    queued = page.get_by_test_id("queued-review")
    assert "Ulasan ini menyebut toko lain." in queued.get_by_test_id("reports").inner_text()
    queued.get_by_label("Sembunyikan", exact=True).check()
    queued.get_by_label("Alasan (wajib bila disembunyikan; dikirim ke penulis)").fill("Menyebut toko di luar BEBELI.")
    queued.get_by_role("button", name="Simpan keputusan").click()
    page.wait_for_load_state()
    assert "Keputusan tersimpan" in page.content()
    page.goto(product_url)
    assert page.get_by_test_id("no-reviews").is_visible()
    assert page.errors == []
    db.session.rollback()  # end the test's read transaction: see what the server committed
    mail = db.session.scalar(db.select(OutboundEmail).where(OutboundEmail.to == buyer.email,
                                                            OutboundEmail.kind == "moderation"))
    assert mail is not None and "Menyebut toko di luar BEBELI." in mail.body
