"""The gateway's events, acted on once each: a checkout session completed, expired or failed,
and refunds made at the gateway's own dashboard.

Webhook events are stored under their unique id before they are acted on, so a redelivered
event is recognised and ignored.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, NoResultFound

from bebeli.extensions import db
from bebeli.lifecycle.ending import fail_order
from bebeli.lifecycle.locking import lock_order
from bebeli.lifecycle.paying import apply_to_locked, sync_payment_row
from bebeli.lifecycle.refunds import record_refund
from bebeli.orders.models import Order
from bebeli.payments.gateway import IDR_MINOR_UNITS, CheckoutSession
from bebeli.payments.models import Payment, WebhookEvent


def handle_event(event: dict) -> str:
    """Act on a verified gateway event once; a redelivery returns "duplicate"."""
    row = WebhookEvent(event_id=str(event["id"]), type=str(event.get("type", ""))[:80])
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        return "duplicate"
    handler = EVENT_HANDLERS.get(row.type)
    obj = (event.get("data") or {}).get("object") or {}
    order, outcome = handler(obj) if handler else (None, "ignored")
    row.order_id, row.outcome = getattr(order, "id", None), outcome
    return outcome


def _locked_order_for_session(session: CheckoutSession) -> Order | None:
    """The event's order, locked and read once (None when no order of ours matches)."""
    order_id = session.order_id
    if order_id is None:
        order_id = db.session.scalar(sa.select(Payment.order_id).where(Payment.session_id == session.id))
    try:
        return lock_order(order_id) if order_id is not None else None
    except NoResultFound:  # a reference to no order of ours
        return None


def _on_session(obj) -> tuple[Order | None, str]:
    session = CheckoutSession.from_mapping(obj)
    order = _locked_order_for_session(session)
    return (order, apply_to_locked(order, session)) if order else (None, "unmatched")


def _on_async_failed(obj) -> tuple[Order | None, str]:
    session = CheckoutSession.from_mapping(obj)
    order = _locked_order_for_session(session)
    if order is None:
        return None, "unmatched"
    sync_payment_row(session)
    return order, "failed" if fail_order(order) else "ignored"


def _on_charge_refunded(obj) -> tuple[Order | None, str]:
    """Refunds made at the gateway itself (its dashboard): record what BEBELI did not make."""
    order_id = db.session.scalar(sa.select(Order.id).where(Order.payment_reference == obj.get("payment_intent")))
    if order_id is None:
        return None, "unmatched"
    order = lock_order(order_id)
    outside = int(obj.get("amount_refunded") or 0) // IDR_MINOR_UNITS - order.refunded_amount
    if outside <= 0:
        return order, "known"
    record_refund(order, min(outside, order.total_amount - order.refunded_amount), reason="outside",
                  reference=str(obj.get("id")), status="succeeded")
    return order, "refund_recorded"


EVENT_HANDLERS = {
    "checkout.session.completed": _on_session,
    "checkout.session.async_payment_succeeded": _on_session,
    "checkout.session.async_payment_failed": _on_async_failed,
    "checkout.session.expired": _on_session,
    "charge.refunded": _on_charge_refunded,
}
