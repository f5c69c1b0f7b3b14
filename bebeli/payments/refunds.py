"""Giving money back: through the gateway that took it, recorded as payment events.

Called inside the transaction of the move that causes it (a rejection, a cancellation, items
refused at receipt). The order row is locked first, so a refund and the gateway's own
`charge.refunded` webhook for it are applied one after the other, never interleaved.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import lazyload
from sqlalchemy.orm.util import identity_key

from bebeli.extensions import db
from bebeli.money import rupiah
from bebeli.orders.models import Channel, Order, PaymentStatus, SellerOrder
from bebeli.orders.status import Actor, record_event
from bebeli.payments.gateway import get_gateway
from bebeli.payments.models import Payment, PaymentEvent

REASON_LABELS = {
    "cancelled": _l("pesanan dibatalkan"),
    "rejected": _l("pesanan ditolak penjual"),
    "item_rejected": _l("barang ditolak saat diterima"),
    "late_payment": _l("pembayaran masuk setelah pesanan berakhir"),
    "outside": _l("pengembalian di luar BEBELI (dasbor Stripe)"),
}


def lock_order(order_id: int) -> Order:
    """Re-read the order under a row lock (PostgreSQL; SQLite serialises writers anyway).

    One statement takes the lock and reads the row (FOR UPDATE OF orders only: the buyer is
    not locked, and not read either — it is loaded when used, usually from the session). Seller
    orders this session already holds for the order are read again with it, as before; when
    it holds none, they are loaded when first used, which is after the lock too.
    """
    known = db.session.identity_map.get(identity_key(Order, order_id))
    options = [lazyload(Order.buyer)]
    if known is None or "seller_orders" not in sa.inspect(known).dict:
        options.append(lazyload(Order.seller_orders))
    return db.session.scalars(
        sa.select(Order).where(Order.id == order_id).options(*options)
        .with_for_update(of=Order).execution_options(populate_existing=True)
    ).one()


def paid_payment(order: Order) -> Payment | None:
    return db.session.scalar(
        sa.select(Payment).where(Payment.order_id == order.id, Payment.payment_status == "paid")
        .order_by(Payment.id.desc()).limit(1)
    )


def refund(order: Order, amount: int, *, reason: str, key: str, seller_order: SellerOrder | None = None,
           actor=None) -> PaymentEvent | None:
    """Refund `amount` rupiah of `order`, once per `key` however often it is asked."""
    if amount <= 0 or (order.channel == Channel.AGENCY and order.paid_at is None):
        return None  # (agency orders: the treasurer has not paid yet, so what is taken back is not due)
    order = lock_order(order.id)
    done = db.session.scalar(sa.select(PaymentEvent).where(PaymentEvent.idempotency_key == key))
    if done is not None:
        return done
    payment = paid_payment(order)
    if order.channel != Channel.PERSONAL or payment is None:
        # Agency purchases are settled by the treasurer: the refund is owed, not sent.
        reference, status = None, "manual"
    else:
        result = get_gateway(payment.gateway).refund(
            payment_intent=order.payment_reference, amount=amount, idempotency_key=key,
            metadata={"order_number": order.number, "seller_order": getattr(seller_order, "number", ""),
                      "reason": reason},
        )
        reference, status = result.id, result.status
    return record_refund(order, amount, reason=reason, reference=reference, status=status, key=key,
                         seller_order=seller_order, actor=actor)


def record_refund(order: Order, amount: int, *, reason: str, reference: str | None, status: str,
                  key: str | None = None, seller_order: SellerOrder | None = None, actor=None) -> PaymentEvent:
    event = PaymentEvent(order_id=order.id, seller_order_id=getattr(seller_order, "id", None), kind="refund",
                         amount=amount, reference=reference, status=status, reason=reason, idempotency_key=key,
                         actor_id=getattr(actor, "id", None))
    db.session.add(event)
    # Increments in SQL: the in-memory rows may be older than the lock we hold.
    order.refunded_amount = Order.refunded_amount + amount
    if seller_order is not None:
        seller_order.refunded_amount = SellerOrder.refunded_amount + amount
    db.session.flush()
    order.payment_status = (PaymentStatus.REFUNDED if order.refunded_amount >= order.total_amount
                            else PaymentStatus.PARTIALLY_REFUNDED)
    # The status move beside it already names who caused it; the money is moved by the system.
    record_event(seller_order, order_id=order.id, actor_kind=Actor.SYSTEM, kind="payment",
                 note=str(_l("Dana %(amount)s dikembalikan ke pembeli (%(why)s).", amount=rupiah(amount),
                             why=REASON_LABELS.get(reason, reason))))
    return event
