"""Giving money back, as events of the order: through the gateway that took it (a personal
purchase) or owed by the agency's treasurer (an agency purchase), recorded as a payment event,
with the order's payment status moved to partly or fully refunded.

Called inside the transaction of the move that causes it (a rejection, a cancellation, items
refused at receipt). The order row is locked first, so a refund and the gateway's own
`charge.refunded` webhook for it are applied one after the other, never interleaved.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from bebeli.extensions import db
from bebeli.lifecycle.fulfilment import record_event
from bebeli.lifecycle.locking import lock_order
from bebeli.lifecycle.payment_status import move_payment
from bebeli.money import rupiah
from bebeli.orders.models import Channel, Order, PaymentStatus, SellerOrder
from bebeli.orders.status import Actor
from bebeli.payments.gateway import get_gateway
from bebeli.payments.models import Payment, PaymentEvent
from bebeli.settlement import ledger

REASON_LABELS = {
    "cancelled": _l("pesanan dibatalkan"),
    "rejected": _l("pesanan ditolak penjual"),
    "item_rejected": _l("barang ditolak saat diterima"),
    "late_payment": _l("pembayaran masuk setelah pesanan berakhir"),
    "outside": _l("pengembalian di luar BEBELI (dasbor Stripe)"),
    "complaint": _l("penyelesaian komplain"),
}


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
    """Write down money given back (by us, or at the gateway's dashboard) on a locked order."""
    event = PaymentEvent(order_id=order.id, seller_order_id=getattr(seller_order, "id", None), kind="refund",
                         amount=amount, reference=reference, status=status, reason=reason, idempotency_key=key,
                         actor_id=getattr(actor, "id", None))
    db.session.add(event)
    # Increments in SQL: the in-memory rows may be older than the lock we hold.
    order.refunded_amount = Order.refunded_amount + amount
    if seller_order is not None:
        seller_order.refunded_amount = SellerOrder.refunded_amount + amount
    db.session.flush()
    to = PaymentStatus.REFUNDED if order.refunded_amount >= order.total_amount else PaymentStatus.PARTIALLY_REFUNDED
    move_payment(order, to, reason=f"refund:{reason}", actor=actor)
    if seller_order is not None:
        ledger.debit_refund(seller_order, event)  # once the part's sale is on its shop's ledger
    # The status move beside it already names who caused it; the money is moved by the system.
    record_event(seller_order, order_id=order.id, actor_kind=Actor.SYSTEM, kind="payment",
                 note=str(_l("Dana %(amount)s dikembalikan ke pembeli (%(why)s).", amount=rupiah(amount),
                             why=REASON_LABELS.get(reason, reason))))
    return event
