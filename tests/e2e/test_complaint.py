"""A complaint in a phone's browser: the buyer complains about a delivered order with a photo,
the seller offers a partial refund, the buyer accepts, and the refund is on the shop's ledger."""
from bebeli import lifecycle
from bebeli.extensions import db
from bebeli.money import rupiah
from tests.catalog.helpers import image_bytes
from tests.complaints.helpers import delivered
from tests.e2e.conftest import login, logout
from tests.factories import TEST_PASSWORD


def test_complaint_partial_refund_and_the_settlement_entry(page, ctx, tmp_path):
    so = delivered(price=40_000, quantity=2, delivery_fee=10_000)
    lifecycle.confirm_receipt(so, so.order.buyer)
    db.session.commit()
    buyer, seller, shop_id = so.order.buyer.email, so.shop.owner.email, so.shop_id
    photo = tmp_path / "rusak.png"
    photo.write_bytes(image_bytes())

    login(page, buyer, TEST_PASSWORD)
    page.goto(f"/pesanan/{so.order_id}")
    page.get_by_test_id("complaint-link").click()
    page.get_by_label("Barang rusak").check()
    page.get_by_label("Ceritakan masalahnya").fill("Satu bungkus sobek dan isinya tumpah.")
    page.locator("input[type=file]").set_input_files(str(photo))
    page.get_by_role("button", name="Kirim komplain").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("complaint-status").get_attribute("data-status") == "awaiting_seller"
    complaint_url = page.url
    logout(page)

    login(page, seller, TEST_PASSWORD)
    page.goto("/toko/")
    page.get_by_test_id("seller-complaints-link").click()
    page.get_by_role("link", name=so.number).click()
    page.get_by_label("Kembalikan sebagian dana").check()
    page.get_by_label("Jumlah pengembalian sebagian (Rp)").fill("25.000")
    page.get_by_role("button", name="Kirim jawaban").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("complaint-status").get_attribute("data-status") == "awaiting_buyer"
    logout(page)

    login(page, buyer, TEST_PASSWORD)
    page.goto(complaint_url)
    assert page.get_by_test_id("offer-amount").inner_text() == rupiah(25_000)
    page.get_by_role("button", name="Terima jawaban penjual").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("outcome-amount").inner_text() == rupiah(25_000)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    logout(page)

    login(page, seller, TEST_PASSWORD)
    page.goto(f"/toko/penghasilan/{shop_id}")
    refund = page.locator('[data-testid="entries"] [data-kind="refund"]')
    assert refund.count() == 1
    assert rupiah(25_000) in refund.get_by_test_id("entry-amount").inner_text()
    assert page.errors == []
