"""The payment-status transition table of an Order, and the one function that moves it.

unpaid → paid → partly refunded → refunded; an unpaid order may instead expire, fail or be
cancelled, and money that arrives for such an order is refunded whole. Every move is checked
against the table, applied with a conditional UPDATE on the status it starts from (of two
reports arriving at once, one moves it), and written as a PaymentStatusEvent with who and why.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from bebeli.db import utcnow
from bebeli.errors import InvalidTransition
from bebeli.extensions import db
from bebeli.orders.models import Order, PaymentStatus, PaymentStatusEvent
from bebeli.orders.status import PAYMENT_LABELS, Actor

P = PaymentStatus
B, A, SYS = Actor.BUYER, Actor.ADMIN, Actor.SYSTEM
_ENDED_UNPAID = (P.EXPIRED, P.FAILED, P.CANCELLED)

# (from, to) → who may cause the move. The buyer pays an agency order through its treasurer.
PAYMENT_TRANSITIONS: dict[tuple[P, P], frozenset[Actor]] = {
    (P.UNPAID, P.PAID): frozenset({SYS, B}),
    (P.UNPAID, P.EXPIRED): frozenset({SYS}),
    (P.UNPAID, P.FAILED): frozenset({SYS}),
    (P.UNPAID, P.CANCELLED): frozenset({B, A, SYS}),
    (P.PAID, P.PARTIALLY_REFUNDED): frozenset({SYS}),
    (P.PAID, P.REFUNDED): frozenset({SYS}),
    (P.PARTIALLY_REFUNDED, P.PARTIALLY_REFUNDED): frozenset({SYS}),
    (P.PARTIALLY_REFUNDED, P.REFUNDED): frozenset({SYS}),
    # Money that arrived after the order ended goes straight back (or was returned at the gateway).
    **{(ended, to): frozenset({SYS}) for ended in _ENDED_UNPAID for to in (P.PARTIALLY_REFUNDED, P.REFUNDED)},
}

PAID_STATES = (P.PAID, P.PARTIALLY_REFUNDED, P.REFUNDED)


def can_move_payment(frm, to, actor_kind: Actor = SYS) -> bool:
    return Actor(actor_kind) in PAYMENT_TRANSITIONS.get((P(frm), P(to)), frozenset())


def move_payment(order: Order, to: P, *, reason: str, frm: P | None = None, actor=None,
                 actor_kind: Actor = SYS, conditions=(), **values) -> bool:
    """Move `order`'s payment status from `frm` (its status as loaded, when not given) to `to`.

    False when the order is no longer in `frm` (someone moved it first; the row is read again);
    InvalidTransition when the table has no such move for this actor. `values` are other columns
    set in the same UPDATE (paid_at, payment_reference)."""
    frm, to = P(frm if frm is not None else order.payment_status), P(to)
    if not can_move_payment(frm, to, actor_kind):
        raise InvalidTransition(_l("Status pembayaran pesanan %(number)s tidak dapat diubah dari “%(frm)s” menjadi "
                                   "“%(to)s”.", number=order.number, frm=PAYMENT_LABELS[frm], to=PAYMENT_LABELS[to]),
                                from_status=frm.value, to_status=to.value)
    now = utcnow()
    result = db.session.execute(
        sa.update(Order).where(Order.id == order.id, Order.payment_status == frm, *conditions)
        .values(payment_status=to, updated_at=now, **values)
    )
    if result.rowcount != 1:
        db.session.refresh(order)
        return False
    db.session.add(PaymentStatusEvent(order_id=order.id, at=now, from_status=frm.value, to_status=to.value,
                                      reason=reason[:40], actor_id=getattr(actor, "id", None),
                                      actor_kind=Actor(actor_kind).value))
    return True
