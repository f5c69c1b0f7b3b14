"""Orders that end before they are paid: expired, failed at the gateway, or cancelled.

Each closes the order's payment status (one conditional move: a payment or another closing
that got there first wins), ends its waiting parts and gives their stock back. Asking the
gateway first, so that money already taken is never lost, is `paying`'s job.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from bebeli.db import utcnow
from bebeli.errors import NotAllowed
from bebeli.extensions import db
from bebeli.lifecycle.fulfilment import transition
from bebeli.lifecycle.payment_status import move_payment
from bebeli.lifecycle.stock import release_stock
from bebeli.orders.models import Channel, FulfilmentStatus, Order, PaymentStatus
from bebeli.orders.status import Actor
from bebeli.signals import seller_order_reduced

F = FulfilmentStatus


def _end_unpaid(order: Order, *, closing: PaymentStatus, to: F, reason: str, actor=None,
                actor_kind: Actor = Actor.SYSTEM, note: str | None = None, conditions=()) -> bool:
    """Close an unpaid order and give its stock back. False when it is no longer unpaid."""
    if not move_payment(order, closing, reason=closing.value, frm=PaymentStatus.UNPAID, actor=actor,
                        actor_kind=actor_kind, conditions=conditions):
        return False
    now = utcnow()
    for so in order.seller_orders:
        if so.status in (F.AWAITING_PAYMENT, F.AWAITING_APPROVAL):
            transition(so, to, actor=actor, actor_kind=actor_kind, note=note)
            release_stock(so)
            seller_order_reduced.send(so, amount=so.goods_amount, reason=reason, at=now)
    return True


def expire_order(order: Order, *, now: datetime | None = None, force: bool = False) -> bool:
    """Expire an unpaid order whose hold has run out (or, with `force`, whose payment session
    the gateway has closed) and give its stock back."""
    conditions = () if force else (Order.expires_at <= (now or utcnow()),)
    return _end_unpaid(order, closing=PaymentStatus.EXPIRED, to=F.EXPIRED, reason="expired",
                       note=str(_l("Batas waktu pembayaran terlewati; stok dikembalikan.")), conditions=conditions)


def fail_order(order: Order) -> bool:
    return _end_unpaid(order, closing=PaymentStatus.FAILED, to=F.CANCELLED, reason="cancelled",
                       note=str(_l("Pembayaran gagal; stok dikembalikan.")))


def cancel_unpaid_order(order: Order, buyer) -> bool:
    if order.channel == Channel.AGENCY and any(
            so.status not in (F.AWAITING_APPROVAL, F.CANCELLED, F.REJECTED, F.EXPIRED) for so in order.seller_orders):
        raise NotAllowed(_l("Sebagian pesanan instansi ini sudah disetujui PPK; batalkan per toko di menu Pengadaan."))
    return _end_unpaid(order, closing=PaymentStatus.CANCELLED, to=F.CANCELLED, reason="cancelled",
                       actor=buyer, actor_kind=Actor.BUYER, note=str(_l("Dibatalkan pembeli sebelum membayar.")))


def claim_overdue_order(now: datetime | None = None, *, skip: set[int] = frozenset()) -> Order | None:
    """Lock the oldest unpaid order whose hold has run out (other than `skip`), passing over
    any that another server is handling (SKIP LOCKED; SQLite serialises writers instead)."""
    stmt = (
        sa.select(Order.id)
        .where(Order.payment_status == PaymentStatus.UNPAID, Order.expires_at <= (now or utcnow()))
        .order_by(Order.id).limit(1).with_for_update(skip_locked=True)
    )
    if skip:
        stmt = stmt.where(Order.id.not_in(skip))
    order_id = db.session.scalar(stmt)
    return db.session.get(Order, order_id) if order_id is not None else None


def is_overdue(order: Order, now: datetime | None = None) -> bool:
    return (order.payment_status == PaymentStatus.UNPAID and order.expires_at is not None
            and order.expires_at <= (now or utcnow()))
