"""Paying for an order: the gateway session, what the gateway reports, and the moment an order
becomes paid — by card (`mark_paid`) or by the agency's treasurer (`settle_agency_order`). Both
end in `_paid`, the one place `order_paid` is sent, once per order.

The success page, the webhook and the simulated screen all end in `apply_session`, which
decides with conditional moves on the order row: whichever arrives first marks the order
paid, the others find it paid and change nothing. Before an unpaid order ends, every session
that may have taken money is asked (`close_session`), so a payment is never lost.
"""
from __future__ import annotations

import logging
import secrets
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from bebeli.db import utcnow
from bebeli.errors import Conflict, NotFound
from bebeli.extensions import db
from bebeli.lifecycle import ending
from bebeli.lifecycle.fulfilment import record_event, transition
from bebeli.lifecycle.locking import lock_order
from bebeli.lifecycle.payment_status import PAID_STATES, move_payment
from bebeli.lifecycle.refunds import refund
from bebeli.money import rupiah
from bebeli.orders.models import Channel, FulfilmentStatus, Order, PaymentStatus
from bebeli.orders.status import Actor
from bebeli.payments.gateway import CheckoutSession, GatewayError, SimulatedGateway, get_gateway
from bebeli.payments.models import Payment, PaymentEvent
from bebeli.signals import order_paid

log = logging.getLogger(__name__)


def _personal_only(order: Order) -> None:
    """Agency purchases are approved and paid by the agency (bebeli.procurement), not by card."""
    if order.channel != Channel.PERSONAL:
        raise Conflict(_l("Pesanan instansi dibayar oleh bendahara perangkat daerah (menu Pengadaan)."))


def open_payment(order: Order) -> Payment | None:
    return db.session.scalar(
        sa.select(Payment).where(Payment.order_id == order.id, Payment.status == "open").order_by(Payment.id.desc()).limit(1)
    )


def start_payment(order: Order, *, success_url: str, cancel_url: str) -> Payment:
    """The gateway session to send the buyer to: the open one, or a new one (one per order,
    under the order's own idempotency key at the gateway)."""
    order = lock_order(order.id)
    _personal_only(order)
    if order.payment_status != PaymentStatus.UNPAID:
        raise Conflict(_l("Pesanan ini tidak sedang menunggu pembayaran."))
    if ending.is_overdue(order):
        raise Conflict(_l("Batas waktu pembayaran pesanan ini sudah lewat."))
    payment = open_payment(order)
    if payment is not None:
        return payment
    gateway = get_gateway()
    session = gateway.create_checkout(order, success_url=success_url, cancel_url=cancel_url,
                                      idempotency_key=f"bebeli-checkout-{order.number}")
    payment = db.session.scalar(sa.select(Payment).where(Payment.session_id == session.id))
    if payment is None:
        payment = Payment(order_id=order.id, gateway=gateway.name, session_id=session.id, url=session.url or "",
                          amount=order.total_amount, status=session.status)
        db.session.add(payment)
    return payment


def sync_payment_row(session: CheckoutSession, payment: Payment | None = None) -> Payment | None:
    """Copy the gateway's view onto the session's Payment row (`payment`, when the caller has it)."""
    if payment is None:
        payment = db.session.scalar(sa.select(Payment).where(Payment.session_id == session.id))
    if payment is not None and payment.payment_status != "paid":  # an older event never undoes a payment
        payment.status, payment.payment_status = session.status, session.payment_status
        payment.payment_intent_id = session.payment_intent or payment.payment_intent_id
    return payment


def apply_session(order: Order, session: CheckoutSession, payment: Payment | None = None) -> str:
    """Bring the order in line with the gateway's view of its checkout session."""
    return apply_to_locked(lock_order(order.id), session, payment)


def apply_to_locked(order: Order, session: CheckoutSession, payment: Payment | None = None) -> str:
    sync_payment_row(session, payment)
    if order.payment_status in PAID_STATES:
        return "already_paid"  # whatever this (possibly older) report says
    if session.is_paid:
        return mark_paid(order, reference=session.payment_intent or session.id, amount=session.amount_total)
    if session.status == "expired":
        return "expired" if ending.expire_order(order, force=True) else "ignored"
    return "pending"


def mark_paid(order: Order, *, reference: str, amount: int | None) -> str:
    """Record a card payment once. Money that arrives for an order that already ended (expired,
    cancelled) is refunded in full straight away."""
    if amount != order.total_amount:
        log.error("payment for %s of %s does not match the total %s", order.number, amount, order.total_amount)
        return "amount_mismatch"
    now = utcnow()
    if not move_payment(order, PaymentStatus.PAID, reason="paid", frm=PaymentStatus.UNPAID,
                        paid_at=now, payment_reference=reference):
        if order.payment_status in PAID_STATES:
            return "already_paid"
        return _refund_late_payment(order, reference)
    db.session.add(PaymentEvent(order_id=order.id, kind="captured", amount=amount, reference=reference,
                                status="succeeded"))
    record_event(None, order_id=order.id, actor_kind=Actor.SYSTEM, kind="payment",
                 note=str(_l("Pembayaran %(amount)s diterima (ref. %(ref)s).", amount=rupiah(amount), ref=reference)))
    _paid(order, now)
    return "paid"


def settle_agency_order(order: Order, *, reference: str, actor) -> bool:
    """The treasurer has paid every live purchase of an agency order: the order is paid."""
    now = utcnow()
    if not move_payment(order, PaymentStatus.PAID, reason="paid", frm=PaymentStatus.UNPAID, actor=actor,
                        actor_kind=Actor.BUYER, paid_at=now, payment_reference=reference[:255]):
        return False
    _paid(order, now)
    return True


def _paid(order: Order, paid_at: datetime) -> None:
    """What follows every payment, card or treasurer: waiting parts go to their sellers, and
    the other modules hear of it (`order_paid`, sent here and nowhere else)."""
    for so in order.seller_orders:
        if so.status == FulfilmentStatus.AWAITING_PAYMENT:
            transition(so, FulfilmentStatus.PAID, actor_kind=Actor.SYSTEM, note=str(_l("Pembayaran diterima.")))
    order_paid.send(order, paid_at=paid_at)


def _refund_late_payment(order: Order, reference: str) -> str:
    if db.session.scalar(sa.select(PaymentEvent.id).where(PaymentEvent.order_id == order.id,
                                                          PaymentEvent.kind == "captured")):
        return "already_refunded"
    db.session.add(PaymentEvent(order_id=order.id, kind="captured", amount=order.total_amount,
                                reference=reference, status="succeeded", reason="late_payment"))
    order.payment_reference = reference
    db.session.flush()
    refund(order, order.total_amount, reason="late_payment", key=f"{order.number}:late_payment")
    return "late_refunded"


def confirm_return(order: Order, session_id: str) -> str:
    """The buyer came back from the payment page: ask the gateway, apply what it says."""
    payment = db.session.scalar(sa.select(Payment).where(Payment.session_id == session_id,
                                                         Payment.order_id == order.id))
    if payment is None:
        raise NotFound(_l("Sesi pembayaran tidak ditemukan."))
    session = get_gateway(payment.gateway).retrieve_for(payment)
    if session.order_id not in (None, order.id):
        raise NotFound(_l("Sesi pembayaran tidak ditemukan."))
    return apply_session(order, session, payment)


def pay_simulated(session_id: str, payment: Payment | None = None) -> Payment:
    """The buyer's click on the simulated payment screen: the provider side of the simulation
    (`payment`: the session's row, when the caller has read it already)."""
    if payment is None or payment.session_id != session_id:
        payment = SimulatedGateway._payment(session_id)
    get_gateway("simulated").pay(payment)
    return payment


def pay_without_screen(order: Order) -> str:
    """Pay an order on the simulated gateway as if the buyer had clicked through its screen:
    for demo data and tests, never for real money."""
    payment = Payment(order_id=order.id, gateway=SimulatedGateway.name, session_id="sim_cs_" + secrets.token_hex(12),
                      url="", amount=order.total_amount)
    db.session.add(payment)
    db.session.flush()
    pay_simulated(payment.session_id, payment)
    return confirm_return(order, payment.session_id)


def close_session(order: Order) -> None:
    """Before an unpaid order ends and its stock is released, ask the gateway about every
    session of the order that may have taken money: an open one is closed so it can no longer
    be paid; one that completed (the buyer paid but the return request or the webhook never
    arrived) is read back. If the buyer paid on any of them, the payment is applied instead."""
    payments = db.session.scalars(
        sa.select(Payment).where(Payment.order_id == order.id, Payment.status != "expired").order_by(Payment.id.desc())
    ).all()
    for payment in payments:
        gateway = get_gateway(payment.gateway)
        if payment.status == "open":
            session = gateway.expire_checkout(payment.session_id)
        else:
            session = gateway.retrieve_for(payment)
        sync_payment_row(session, payment)
        if session.is_paid:
            mark_paid(order, reference=session.payment_intent or session.id, amount=session.amount_total)
            return


def expire_if_overdue(order: Order) -> bool:
    """The lazy check on pages that show an unpaid order, and the scheduled command's step.
    True when the order expired now; an unreachable gateway keeps the hold until it answers."""
    if not ending.is_overdue(order):
        return False
    try:
        close_session(order)
    except GatewayError:
        return False
    return ending.expire_order(order)


def cancel_unpaid(order: Order, buyer) -> bool:
    """The buyer cancels before paying. False when they had paid after all (it is applied)."""
    order = lock_order(order.id)
    _personal_only(order)
    if order.payment_status == PaymentStatus.UNPAID:
        close_session(order)
    if order.payment_status in PAID_STATES:
        return False
    if not ending.cancel_unpaid_order(order, buyer):
        raise Conflict(_l("Pesanan ini tidak lagi menunggu pembayaran."))
    return True
