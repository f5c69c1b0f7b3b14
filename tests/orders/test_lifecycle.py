"""The fulfilment lifecycle: one transition table, every move an event, money back on the way out."""
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value

from bebeli.catalog.models import Product
from bebeli.db import utcnow
from bebeli.errors import InvalidTransition, ValidationFailed
from bebeli.extensions import db
from bebeli.mail.models import OutboundEmail
from bebeli.notifications.models import Notification
from bebeli import lifecycle
from bebeli.orders.documents import invoice_for
from bebeli.orders.models import FulfilmentStatus as F
from bebeli.orders.models import Order, OrderEvent, PaymentStatus, SellerOrder
from bebeli.lifecycle.fulfilment import TRANSITIONS, transition
from bebeli.orders.status import Actor
from bebeli.payments.models import PaymentEvent
from bebeli.signals import seller_order_reduced
from tests.factories import ProductFactory
from tests.orders.factories import asn_buyer, fill_cart, paid_order, place, two_shop_products


def _fresh(model, ident):
    db.session.expire_all()
    return db.session.get(model, ident)


@pytest.fixture
def reductions():
    seen = []

    def receiver(seller_order, amount, reason, at, **_):
        seen.append((seller_order.number, amount, reason))

    seller_order_reduced.connect(receiver)
    yield seen
    seller_order_reduced.disconnect(receiver)


def test_every_illegal_transition_is_refused_and_every_legal_one_is_an_event(ctx):
    product = ProductFactory()
    so = paid_order(asn_buyer(), (product, 1)).seller_orders[0]
    seller = product.shop.owner
    for frm in F:
        db.session.execute(sa.update(SellerOrder).where(SellerOrder.id == so.id).values(status=frm))
        db.session.commit()
        for to in F:
            for actor in Actor:
                savepoint = db.session.begin_nested()
                try:
                    legal = actor in TRANSITIONS.get((frm, to), ())
                    if legal:
                        event = transition(so, to, actor=seller, actor_kind=actor, note="uji")
                        assert (event.from_status, event.to_status, event.actor_kind) == (frm.value, to.value, actor.value)
                        assert _in_db_status(so) == to
                    else:
                        with pytest.raises(InvalidTransition):
                            transition(so, to, actor=seller, actor_kind=actor)
                        assert _in_db_status(so) == frm
                finally:
                    savepoint.rollback()
                    db.session.refresh(so)


def _in_db_status(so):
    return db.session.scalar(sa.select(SellerOrder.status).where(SellerOrder.id == so.id))


def test_a_stale_page_cannot_move_an_order_someone_else_just_moved(ctx):
    product = ProductFactory()
    so = paid_order(asn_buyer(), (product, 1)).seller_orders[0]
    db.session.execute(sa.update(SellerOrder).where(SellerOrder.id == so.id).values(status=F.REJECTED))
    db.session.commit()
    set_committed_value(so, "status", F.PAID)  # what the seller's other tab still shows
    with pytest.raises(InvalidTransition, match="baru saja berubah"):
        lifecycle.accept_seller_order(so, product.shop.owner)
    db.session.rollback()
    assert _fresh(SellerOrder, so.id).status == F.REJECTED


def _pay_through_pages(client, order):
    started = client.post_form(f"/pembayaran/{order.id}/mulai", page=f"/pesanan/{order.id}")
    assert started.status_code == 303 and "/pembayaran/simulasi/" in started.headers["Location"]
    screen = client.get(started.headers["Location"])
    assert "SIMULASI" in screen.get_data(as_text=True)
    back = client.post_form(started.headers["Location"], page=started.headers["Location"])
    done = client.get(back.headers["Location"])
    assert done.headers["Location"].endswith(f"/pesanan/{order.id}")
    return client.get(done.headers["Location"]).get_data(as_text=True)


def test_the_whole_lifecycle_through_the_pages(client, other_client, ctx):
    buyer = asn_buyer()
    pkp, small = two_shop_products()
    fill_cart(buyer, (pkp, 1), (small, 2))
    order = place(buyer)
    client.login(buyer)
    page = _pay_through_pages(client, order)
    assert "Pembayaran berhasil" in page and "Lunas" in page
    order = _fresh(Order, order.id)
    assert order.payment_status == PaymentStatus.PAID and order.payment_reference.startswith("sim_pi_")
    assert {so.status for so in order.seller_orders} == {F.PAID}
    sellers = {pkp.shop.owner.email, small.shop.owner.email}
    assert sellers <= set(db.session.scalars(sa.select(OutboundEmail.to)))  # the sellers must act next

    so = next(so for so in order.seller_orders if so.shop_id == small.shop_id)
    seller_page = f"/pesanan/toko/{so.id}"
    other_client.login(small.shop.owner)
    assert "Terima pesanan" in other_client.get(seller_page).get_data(as_text=True)
    other_client.post_form(f"{seller_page}/terima", page=seller_page)
    other_client.post_form(f"{seller_page}/kirim", {"courier": "JNE", "tracking_number": "JNE123"}, page=seller_page)
    assert _fresh(SellerOrder, so.id).status == F.SHIPPED
    assert db.session.scalar(sa.select(sa.func.count(Notification.id)).where(
        Notification.user_id == buyer.id, Notification.message.contains("JNE"))) == 1
    other_client.post_form(f"{seller_page}/sampai", page=seller_page)

    receipt = client.post_form(f"/pesanan/bagian/{so.id}/terima", {"note": ""}, page=f"/pesanan/bagian/{so.id}/terima")
    assert receipt.headers["Location"].endswith(f"/pesanan/{order.id}")
    done = _fresh(SellerOrder, so.id)
    assert done.status == F.COMPLETED and done.received_at is not None and done.refunded_amount == 0
    steps = [(e.from_status, e.to_status) for e in db.session.scalars(
        sa.select(OrderEvent).where(OrderEvent.seller_order_id == so.id, OrderEvent.kind == "status").order_by(OrderEvent.id))]
    assert steps == [(None, "awaiting_payment"), ("awaiting_payment", "paid"), ("paid", "accepted"),
                     ("accepted", "shipped"), ("shipped", "delivered"), ("delivered", "completed")]
    html = client.get(f"/pesanan/{order.id}").get_data(as_text=True)
    assert 'data-testid="timeline"' in html and "JNE · JNE123" in html and "Selesai" in html


def test_the_seller_rejects_with_a_reason_and_the_buyer_is_refunded(other_client, ctx, reductions):
    buyer = asn_buyer()
    pkp, small = two_shop_products(stock=10)
    order = paid_order(buyer, (pkp, 2), (small, 1))
    so = next(so for so in order.seller_orders if so.shop_id == pkp.shop_id)
    page = f"/pesanan/toko/{so.id}"
    other_client.login(pkp.shop.owner)
    other_client.post_form(f"{page}/tolak", {"reason": ""}, page=page)
    assert _fresh(SellerOrder, so.id).status == F.PAID
    other_client.post_form(f"{page}/tolak", {"reason": "Bahan baku habis"}, page=page)

    so = _fresh(SellerOrder, so.id)
    assert so.status == F.REJECTED and so.status_reason == "Bahan baku habis"
    assert so.refunded_amount == so.total_amount == 237_000
    refund = db.session.scalar(sa.select(PaymentEvent).where(PaymentEvent.kind == "refund"))
    assert (refund.amount, refund.reason, refund.seller_order_id, refund.status) == (237_000, "rejected", so.id, "succeeded")
    assert refund.reference.startswith("sim_re_")
    order = _fresh(Order, order.id)
    assert order.refunded_amount == 237_000 and order.payment_status == PaymentStatus.PARTIALLY_REFUNDED
    assert _fresh(Product, pkp.id).stock == 10
    assert reductions == [(so.number, 200_000, "rejected")]


def test_the_buyer_may_cancel_until_the_seller_accepts(client, ctx, reductions):
    buyer = asn_buyer()
    first, second = ProductFactory(stock=5), ProductFactory(stock=5)
    order = paid_order(buyer, (first, 1), (second, 1))
    cancel_me, keep = order.seller_orders
    lifecycle.accept_seller_order(keep, keep.shop.owner)
    db.session.commit()
    client.login(buyer)
    client.post_form(f"/pesanan/bagian/{keep.id}/batal", page=f"/pesanan/{order.id}")
    client.post_form(f"/pesanan/bagian/{cancel_me.id}/batal", {"reason": "Salah pilih"}, page=f"/pesanan/{order.id}")
    assert _fresh(SellerOrder, keep.id).status == F.ACCEPTED
    cancelled = _fresh(SellerOrder, cancel_me.id)
    assert cancelled.status == F.CANCELLED and cancelled.refunded_amount == cancelled.total_amount
    assert _fresh(Order, order.id).payment_status == PaymentStatus.PARTIALLY_REFUNDED
    assert [r[2] for r in reductions] == ["cancelled"]


def test_cancelling_an_unpaid_order_releases_its_stock(client, ctx, reductions):
    buyer = asn_buyer()
    product = ProductFactory(stock=5)
    fill_cart(buyer, (product, 3))
    order = place(buyer)
    client.login(buyer)
    client.post_form(f"/pesanan/{order.id}/batal", page=f"/pesanan/{order.id}")
    order = _fresh(Order, order.id)
    assert order.payment_status == PaymentStatus.CANCELLED
    assert {so.status for so in order.seller_orders} == {F.CANCELLED}
    assert _fresh(Product, product.id).stock == 5
    assert reductions == [(order.seller_orders[0].number, product.price_amount * 3, "cancelled")]
    assert client.post_form(f"/pembayaran/{order.id}/mulai", page=f"/pesanan/{order.id}").status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(PaymentEvent.id))) == 0


def test_items_refused_at_receipt_refund_their_goods_and_ppn_but_not_delivery(client, ctx, reductions):
    buyer = asn_buyer()
    pkp, _ = two_shop_products()
    order = paid_order(buyer, (pkp, 3))
    so = order.seller_orders[0]
    seller = pkp.shop.owner
    lifecycle.accept_seller_order(so, seller)
    lifecycle.ship_seller_order(so, seller, courier="Kurir toko", tracking_number=None)
    db.session.commit()
    line = so.lines[0]
    client.login(buyer)
    url = f"/pesanan/bagian/{so.id}/terima"
    too_many = client.post_form(url, {f"reject_{line.id}": 4, "note": "rusak"}, page=url)
    assert too_many.status_code == 200
    no_reason = client.post_form(url, {f"reject_{line.id}": 1, "note": ""}, page=url)
    assert "alasan" in no_reason.get_data(as_text=True)
    assert _fresh(SellerOrder, so.id).status == F.SHIPPED
    client.post_form(url, {f"reject_{line.id}": 1, "note": "Satu kemasan penyok"}, page=url)

    so = _fresh(SellerOrder, so.id)
    assert so.status == F.COMPLETED and so.lines[0].rejected_quantity == 1
    # 300.000 goods with 33.000 PPN → 200.000 kept with 22.000 PPN: 111.000 back, delivery kept.
    assert so.refunded_amount == 111_000
    assert reductions == [(so.number, 100_000, "item_rejected")]
    invoice = invoice_for(so)
    assert invoice.title == "INVOICE & TANDA TERIMA"
    assert ("PPN 11%", "Rp\u00a033.000", False) in invoice.totals
    assert ("Total dibayar bersih", "Rp\u00a0237.000", True) in invoice.totals  # 348.000 − 111.000
    assert any("Satu kemasan penyok" in text for text in invoice.receipt)
    assert "(ditolak 1)" in invoice.rows[0][1]


def test_expire_orders_gives_the_stock_back_once(app, client, ctx, reductions):
    buyer = asn_buyer()
    product = ProductFactory(stock=4)
    fill_cart(buyer, (product, 4))
    order = place(buyer)
    runner = app.test_cli_runner()
    assert "expired 0" in runner.invoke(args=["expire-orders"]).output  # still within its hold
    order.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert "expired 1" in runner.invoke(args=["expire-orders"]).output
    assert "expired 0" in runner.invoke(args=["expire-orders"]).output
    order = _fresh(Order, order.id)
    assert order.payment_status == PaymentStatus.EXPIRED and order.seller_orders[0].status == F.EXPIRED
    assert _fresh(Product, product.id).stock == 4
    assert [r[2] for r in reductions] == ["expired"]
    assert db.session.scalar(sa.select(Notification.message).where(Notification.user_id == buyer.id)
                             .order_by(Notification.id.desc()).limit(1)).endswith("stok dikembalikan.")


def test_an_overdue_order_expires_when_its_page_is_opened(client, ctx):
    buyer = asn_buyer()
    product = ProductFactory(stock=2)
    fill_cart(buyer, (product, 2))
    order = place(buyer)
    order.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    client.login(buyer)
    html = client.get(f"/pesanan/{order.id}").get_data(as_text=True)
    assert "Kedaluwarsa" in html and 'data-testid="pay-panel"' not in html
    assert _fresh(Product, product.id).stock == 2


def test_autocomplete_completes_only_orders_delivered_long_enough_ago(app, ctx):
    product = ProductFactory(stock=10)
    old = paid_order(asn_buyer(), (product, 1)).seller_orders[0]
    recent = paid_order(asn_buyer(), (product, 1)).seller_orders[0]
    for so, days in ((old, 8), (recent, 1)):
        lifecycle.accept_seller_order(so, product.shop.owner)
        lifecycle.ship_seller_order(so, product.shop.owner, courier="JNE", tracking_number="X")
        lifecycle.mark_delivered(so, product.shop.owner)
        so.delivered_at = utcnow() - timedelta(days=days)
    db.session.commit()
    assert "completed 1" in app.test_cli_runner().invoke(args=["autocomplete-orders"]).output
    assert (_fresh(SellerOrder, old.id).status, _fresh(SellerOrder, recent.id).status) == (F.COMPLETED, F.DELIVERED)
    assert any("otomatis" in line for line in invoice_for(_fresh(SellerOrder, old.id)).receipt)


def test_shipping_by_delivery_needs_a_courier(ctx):
    product = ProductFactory()
    so = paid_order(asn_buyer(), (product, 1)).seller_orders[0]
    lifecycle.accept_seller_order(so, product.shop.owner)
    with pytest.raises(ValidationFailed):
        lifecycle.ship_seller_order(so, product.shop.owner, courier=" ", tracking_number="123")
