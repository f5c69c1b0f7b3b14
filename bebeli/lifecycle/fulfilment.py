"""The fulfilment transition tables of a SellerOrder (one per channel), and the one function
that moves it.

Every move is checked against its channel's table (who may make it, from where to where),
applied with a conditional UPDATE (so two people acting at once cannot both win), written as
an OrderEvent for the timeline, and announced with `seller_order_transitioned`. The next step
each page offers is read from the same tables (`seller_step`, `buyer_steps`).
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from bebeli.db import utcnow
from bebeli.errors import InvalidTransition, NotAllowed
from bebeli.extensions import db
from bebeli.orders.models import Channel
from bebeli.orders.models import FulfilmentStatus as F
from bebeli.orders.models import OrderEvent, SellerOrder
from bebeli.orders.status import Actor, status_label
from bebeli.signals import seller_order_transitioned

B, S, A, SYS = Actor.BUYER, Actor.SELLER, Actor.ADMIN, Actor.SYSTEM

# (from, to) → who may make the move, one table per channel. Anything else is illegal.
TRANSITIONS: dict[tuple[F, F], frozenset[Actor]] = {  # the personal channel
    (F.AWAITING_PAYMENT, F.PAID): frozenset({SYS}),
    (F.AWAITING_PAYMENT, F.CANCELLED): frozenset({B, A, SYS}),
    (F.AWAITING_PAYMENT, F.EXPIRED): frozenset({SYS}),
    (F.PAID, F.ACCEPTED): frozenset({S}),
    (F.PAID, F.REJECTED): frozenset({S, A}),
    (F.PAID, F.CANCELLED): frozenset({B, A}),
    (F.ACCEPTED, F.SHIPPED): frozenset({S}),
    (F.SHIPPED, F.DELIVERED): frozenset({S, B}),
    (F.DELIVERED, F.COMPLETED): frozenset({B, SYS}),
    # A replacement agreed on a complaint: the part goes back to the seller to ship again.
    (F.DELIVERED, F.ACCEPTED): frozenset({SYS}),
    (F.COMPLETED, F.ACCEPTED): frozenset({SYS}),
}
# The agency channel: the PPK's approval issues a Surat Pesanan the seller answers; the PPK's
# BAST receives the goods; the treasurer's payment in full completes the order.
AGENCY_TRANSITIONS: dict[tuple[F, F], frozenset[Actor]] = {
    (F.AWAITING_APPROVAL, F.APPROVED): frozenset({SYS}),
    (F.AWAITING_APPROVAL, F.CANCELLED): frozenset({B, A, SYS}),
    (F.APPROVED, F.SP_ACCEPTED): frozenset({S}),
    (F.APPROVED, F.REJECTED): frozenset({S, A}),
    (F.APPROVED, F.CANCELLED): frozenset({A}),
    (F.SP_ACCEPTED, F.SHIPPED): frozenset({S}),
    (F.SHIPPED, F.DELIVERED): frozenset({S, B}),
    (F.SHIPPED, F.RECEIVED): frozenset({B}),
    (F.DELIVERED, F.RECEIVED): frozenset({B}),
    (F.RECEIVED, F.COMPLETED): frozenset({SYS}),
}
CHANNEL_TRANSITIONS = {Channel.PERSONAL: TRANSITIONS, Channel.AGENCY: AGENCY_TRANSITIONS}
# A move the table makes for others only, refused with why rather than "cannot be changed".
REFUSALS = {
    (Channel.AGENCY, F.APPROVED, F.CANCELLED): _l("Surat Pesanan yang sudah terbit hanya dapat ditolak penjual "
                                                  "atau dibatalkan administrator."),
}

# The moment each status is reached is kept on the row as well as in the timeline.
TIMESTAMP_COLUMNS = {
    F.ACCEPTED: "accepted_at",
    F.SP_ACCEPTED: "accepted_at",
    F.SHIPPED: "shipped_at",
    F.DELIVERED: "delivered_at",
    F.COMPLETED: "completed_at",
}

def transitions_for(so: SellerOrder) -> dict[tuple[F, F], frozenset[Actor]]:
    return CHANNEL_TRANSITIONS[Channel(so.order.channel)]


def can_move(so: SellerOrder, to: F, actor_kind: Actor) -> bool:
    return actor_kind in transitions_for(so).get((so.status, to), frozenset())


def seller_step(so: SellerOrder) -> str | None:
    """The seller's next step on `so`, from the table: "answer" (accept or reject a paid
    order), "answer_sp" (accept or reject a Surat Pesanan), "ship", "deliver", or None."""
    if can_move(so, F.ACCEPTED, S):
        return "answer"
    if can_move(so, F.SP_ACCEPTED, S):
        return "answer_sp"
    if can_move(so, F.SHIPPED, S):
        return "ship"
    if can_move(so, F.DELIVERED, S):
        return "deliver_agency" if so.order.channel == Channel.AGENCY else "deliver"
    return None


def buyer_steps(so: SellerOrder) -> list[str]:
    """What the buyer's order page offers on `so`: the receipt and the cancellation of a paid
    part (personal channel, from the table), or the purchase page (agency channel, where the
    PP, PPK and treasurer act)."""
    if so.order.channel == Channel.AGENCY:
        return ["purchase"]
    steps = []
    if can_move(so, F.DELIVERED, B) or can_move(so, F.COMPLETED, B):
        steps.append("receipt")
    if so.status != F.AWAITING_PAYMENT and can_move(so, F.CANCELLED, B):  # unpaid: the whole order
        steps.append("cancel")
    return steps


def record_event(so: SellerOrder | None, *, order_id: int, actor=None, actor_kind: Actor = SYS,
                 kind: str = "status", from_status=None, to_status=None, note: str | None = None) -> OrderEvent:
    event = OrderEvent(
        order_id=order_id,
        seller_order_id=so.id if so is not None else None,
        actor_id=getattr(actor, "id", None),
        actor_kind=Actor(actor_kind).value,
        kind=kind,
        from_status=getattr(from_status, "value", from_status),
        to_status=getattr(to_status, "value", to_status),
        note=note,
    )
    db.session.add(event)
    return event


def transition(so: SellerOrder, to: F, *, actor=None, actor_kind: Actor, note: str | None = None,
               **values) -> OrderEvent:
    """Move `so` to `to`, or raise InvalidTransition (illegal move, or someone moved it first)."""
    actor_kind = Actor(actor_kind)
    frm = so.status
    if not can_move(so, to, actor_kind):
        refusal = REFUSALS.get((Channel(so.order.channel), frm, to))
        if refusal is not None and (frm, to) in transitions_for(so):
            raise NotAllowed(refusal)
        raise InvalidTransition(
            _l("Pesanan %(number)s tidak dapat diubah dari “%(frm)s” menjadi “%(to)s”.",
               number=so.number, frm=status_label(frm, so), to=status_label(to, so)),
            from_status=frm.value, to_status=to.value,
        )
    now = utcnow()
    values = {"status": to, "updated_at": now, **values}
    if to in TIMESTAMP_COLUMNS:
        values.setdefault(TIMESTAMP_COLUMNS[to], now)
    result = db.session.execute(
        sa.update(SellerOrder).where(SellerOrder.id == so.id, SellerOrder.status == frm).values(**values)
    )
    if result.rowcount != 1:
        db.session.refresh(so)
        raise InvalidTransition(
            _l("Status pesanan %(number)s baru saja berubah menjadi “%(now)s”. Muat ulang halaman.",
               number=so.number, now=status_label(so.status, so)),
        )
    event = record_event(so, order_id=so.order_id, actor=actor, actor_kind=actor_kind,
                         from_status=frm, to_status=to, note=note)
    seller_order_transitioned.send(so, from_status=frm, to_status=to, actor=actor, note=note)
    return event
