"""Telling people what happened to an order, in the app and by email, in the same transaction.

Each fulfilment step notifies the party who must act next (the seller when an order is paid,
the buyer when it is shipped …); the messages are chosen in `STEP_MESSAGES`.
"""
from __future__ import annotations

from contextlib import contextmanager

import sqlalchemy as sa
from flask import current_app, has_request_context, url_for
from flask_babel import lazy_gettext as _l

from bebeli.db import utcnow
from bebeli.extensions import db
from bebeli.mail.services import send_mail
from bebeli.money import rupiah
from bebeli.notifications.models import Notification
from bebeli.orders.models import Channel, FulfilmentMethod
from bebeli.orders.models import FulfilmentStatus as F
from bebeli.orders.status import rejected_in_full
from bebeli.urls import public_link


@contextmanager
def request_context():
    """Messages and links are rendered as in a request; scheduled commands have none, so one is
    made up at the site's public address."""
    if has_request_context():
        yield
        return
    with current_app.test_request_context("/", base_url=current_app.config["PUBLIC_BASE_URL"]):
        yield


def notify(user, message: str, *, subject: str, link: str | None = None, order_id: int | None = None,
           kind: str = "order", email: bool = True) -> Notification:
    note = Notification(user_id=user.id, message=message, link=link, order_id=order_id, kind=kind)
    db.session.add(note)
    if email and user.email:
        with request_context():
            send_mail(user.email, f"[BEBELI] {subject}", "order_update", kind=kind, user=user, message=message,
                      url=public_link(link) if link else None)
    return note


def notifications_for(user):
    return sa.select(Notification).where(Notification.user_id == user.id).order_by(Notification.id.desc())


def unread_count(user) -> int:
    return db.session.scalar(sa.select(sa.func.count(Notification.id))
                             .where(Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


def mark_read(user, notification_id: int | None = None) -> None:
    stmt = sa.update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    if notification_id is not None:
        stmt = stmt.where(Notification.id == notification_id)
    db.session.execute(stmt.values(read_at=utcnow()))


# to status → (who must act next, message). Messages get the seller order's fields.
STEP_MESSAGES = {
    F.PAID: ("seller", _l("Pesanan baru %(number)s (%(total)s) sudah dibayar. Terima atau tolak pesanan ini.")),
    F.ACCEPTED: ("buyer", _l("Pesanan %(number)s diterima %(shop)s dan sedang disiapkan.")),
    F.REJECTED: ("buyer", _l("Pesanan %(number)s ditolak %(shop)s: %(note)s. Dana %(total)s dikembalikan.")),
    F.SHIPPED: ("buyer", _l("Pesanan %(number)s dikirim (%(note)s). Konfirmasi penerimaan setelah barang tiba.")),
    F.DELIVERED: ("buyer", _l("Pesanan %(number)s sudah sampai. Periksa barang lalu konfirmasi penerimaan.")),
    F.COMPLETED: ("seller", _l("Pesanan %(number)s selesai: %(note)s")),
    F.CANCELLED: ("both", _l("Pesanan %(number)s dibatalkan: %(note)s")),  # see _recipients
    F.EXPIRED: ("buyer", _l("Pesanan %(number)s kedaluwarsa karena belum dibayar; stok dikembalikan.")),
}
# A part collected at the shop is never "sent" and never "arrives".
PICKUP_STEP_MESSAGES = {
    F.SHIPPED: ("buyer", _l("Pesanan %(number)s siap diambil di %(shop)s. Konfirmasi penerimaan setelah Anda "
                            "mengambilnya.")),
    F.DELIVERED: ("buyer", _l("Pesanan %(number)s sudah diambil. Periksa barang lalu konfirmasi penerimaan.")),
}
REJECTED_IN_FULL_MESSAGE = ("seller", _l("Semua barang pesanan %(number)s ditolak pembeli saat diterima: %(note)s"))


def _recipients(so, who: str, from_status: F, actor) -> set[str]:
    """Who is told: the party named in STEP_MESSAGES, never the one who just acted. A
    cancellation concerns the seller only once they had a paid order to act on."""
    people = {"buyer", "seller"} if who == "both" else {who}
    if who == "both" and from_status not in (F.PAID, F.APPROVED):
        people.discard("seller")
    actor_id = getattr(actor, "id", None)
    if actor_id is not None and actor_id == so.order.buyer_id:
        people.discard("buyer")
    if actor_id is not None and actor_id == so.shop.owner_id:
        people.discard("seller")
    return people


def notify_step(so, from_status: F, to_status: F, actor, note: str | None) -> None:
    if to_status not in STEP_MESSAGES or so.order.channel == Channel.AGENCY:
        return  # agency purchases: bebeli.procurement tells the PP, PPK, seller and treasurer
    with request_context():
        _notify_step(so, from_status, to_status, actor, note)


def _notify_step(so, from_status: F, to_status: F, actor, note: str | None) -> None:
    who, template = STEP_MESSAGES[to_status]
    if so.fulfilment_method == FulfilmentMethod.PICKUP:
        who, template = PICKUP_STEP_MESSAGES.get(to_status, (who, template))
    if to_status == F.COMPLETED and rejected_in_full(so):
        who, template = REJECTED_IN_FULL_MESSAGE
    message = str(template % {"number": so.number, "shop": so.shop.name, "total": rupiah(so.total_amount),
                              "note": note or "–"})
    subject = str(_l("Pesanan %(number)s", number=so.number))
    people = _recipients(so, who, from_status, actor)
    if "buyer" in people:
        notify(so.order.buyer, message, subject=subject, link=url_for("orders.detail", order_id=so.order_id),
               order_id=so.order_id)
    if "seller" in people:
        notify(so.shop.owner, message, subject=subject, link=url_for("orders.seller_detail", so_id=so.id),
               order_id=so.order_id)


def notify_order_placed(order) -> None:
    with request_context():
        _notify_order_placed(order)


def _notify_order_placed(order) -> None:
    message = str(_l("Pesanan %(number)s dibuat. Bayar %(total)s sebelum batas waktu agar stok tidak dilepas.",
                     number=order.number, total=rupiah(order.total_amount)))
    notify(order.buyer, message, subject=str(_l("Pesanan %(number)s menunggu pembayaran", number=order.number)),
           link=url_for("orders.detail", order_id=order.id), order_id=order.id)
