"""Each step tells the party who must act next, in the app and by email."""
from datetime import timedelta

import sqlalchemy as sa

from bebeli.db import utcnow
from bebeli.extensions import db
from bebeli.mail.models import OutboundEmail
from bebeli.notifications.models import Notification
from bebeli import lifecycle
from tests.factories import ProductFactory
from tests.orders.factories import asn_buyer, fill_cart, paid_order, place


def _notes(user):
    db.session.expire_all()
    return db.session.scalars(sa.select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)).all()


def test_payment_tells_the_seller_and_shipping_tells_the_buyer(ctx):
    buyer = asn_buyer()
    product = ProductFactory()
    seller = product.shop.owner
    so = paid_order(buyer, (product, 1)).seller_orders[0]
    (new_order,) = _notes(seller)
    assert "sudah dibayar" in new_order.message and new_order.link == f"/pesanan/toko/{so.id}"
    mail = db.session.scalar(sa.select(OutboundEmail).where(OutboundEmail.to == seller.email))
    assert so.number in mail.subject and f"/pesanan/toko/{so.id}" in mail.body
    lifecycle.accept_seller_order(so, seller)
    lifecycle.ship_seller_order(so, seller, courier="SiCepat", tracking_number="SC001")
    db.session.commit()
    messages = [note.message for note in _notes(buyer)]
    assert any("dikirim (SiCepat · SC001)" in m and "Konfirmasi penerimaan" in m for m in messages)
    assert len(_notes(seller)) == 1  # the seller is not told about their own moves


def test_mail_sent_by_a_scheduled_command_links_to_the_public_site(app, ctx):
    buyer = asn_buyer()
    fill_cart(buyer, (ProductFactory(), 1))
    order = place(buyer)
    order.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    app.test_cli_runner().invoke(args=["expire-orders"])
    mail = db.session.scalar(sa.select(OutboundEmail).where(OutboundEmail.to == buyer.email)
                             .order_by(OutboundEmail.id.desc()).limit(1))
    assert "kedaluwarsa" in mail.body and f"{app.config['PUBLIC_BASE_URL']}/pesanan/{order.id}" in mail.body


def test_the_list_shows_unread_notifications_and_opening_one_marks_it_read(client, other_client, ctx):
    buyer = asn_buyer()
    product = ProductFactory()
    so = paid_order(buyer, (product, 1)).seller_orders[0]
    note = _notes(product.shop.owner)[0]
    other_client.login(buyer)
    assert other_client.get(f"/notifikasi/{note.id}").headers["Location"].endswith("/notifikasi/")
    assert _notes(product.shop.owner)[0].read_at is None

    client.login(product.shop.owner)
    html = client.get("/notifikasi/").get_data(as_text=True)
    assert "1 belum dibaca" in html and so.number in html
    assert client.get(f"/notifikasi/{note.id}").headers["Location"].endswith(f"/pesanan/toko/{so.id}")
    assert _notes(product.shop.owner)[0].read_at is not None
    lifecycle.accept_seller_order(so, product.shop.owner)
    db.session.commit()
    assert len(_notes(buyer)) == 2  # placed, accepted
    other_client.post_form("/notifikasi/baca", page="/notifikasi/")
    assert all(n.read_at for n in _notes(buyer))
