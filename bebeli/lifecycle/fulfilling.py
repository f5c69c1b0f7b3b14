"""A paid part of an order on its way to the buyer: the seller accepts or rejects it and ships
it, the buyer confirms receipt (possibly refusing items), and parts the buyer never confirms
complete on their own, unless a hold connected in `bebeli.wiring` keeps them (an open
complaint). After delivery, money may be given back (`give_back`) and shipping reopened for a
replacement (`reopen_for_replacement`). Every move goes through `fulfilment.transition`; the ones that give
money back call `refunds.refund` and tell the quota (`seller_order_reduced`) in the same
transaction.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from bebeli.audit.services import record
from bebeli.db import utcnow
from bebeli.errors import NotAllowed, ValidationFailed
from bebeli.extensions import db
from bebeli.lifecycle.fulfilment import transition
from bebeli.lifecycle.refunds import refund
from bebeli.lifecycle.stock import release_stock
from bebeli.orders.models import Channel, FulfilmentMethod, FulfilmentStatus, Order, SellerOrder
from bebeli.orders.status import Actor
from bebeli.signals import seller_order_reduced
from bebeli.tax import ppn_amount

F = FulfilmentStatus


def _refund_whole(so: SellerOrder, *, reason: str, actor) -> None:
    """Give back a seller order in full: its stock, the money paid for it, the quota's count."""
    release_stock(so)
    if so.order.paid_at is not None:  # an agency order cancelled before approval owes nothing back
        refund(so.order, so.total_amount - so.refunded_amount, reason=reason, seller_order=so, actor=actor,
               key=f"{so.number}:{reason}")
    seller_order_reduced.send(so, amount=so.goods_amount - so.rejected_goods_amount, reason=reason, at=utcnow())


def _required(text: str | None, message) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationFailed(message, field="reason")
    return text


def cancel_seller_order(so: SellerOrder, buyer, reason: str | None = None) -> None:
    """The buyer withdraws one shop's part before the seller accepted it: full refund."""
    reason = (reason or "").strip() or None
    transition(so, F.CANCELLED, actor=buyer, actor_kind=Actor.BUYER,
               note=reason or str(_l("Dibatalkan pembeli.")), status_reason=reason)
    _refund_whole(so, reason="cancelled", actor=buyer)


def reject_seller_order(so: SellerOrder, seller, reason: str, *, actor_kind: Actor = Actor.SELLER) -> None:
    reason = _required(reason, _l("Tuliskan alasan penolakan untuk pembeli."))
    transition(so, F.REJECTED, actor=seller, actor_kind=actor_kind, note=reason, status_reason=reason)
    _refund_whole(so, reason="rejected", actor=seller)
    record("orders.reject", actor=seller, obj=so, number=so.number, reason=reason)


def accept_seller_order(so: SellerOrder, seller) -> None:
    transition(so, F.ACCEPTED, actor=seller, actor_kind=Actor.SELLER)
    record("orders.accept", actor=seller, obj=so, number=so.number)


def ship_seller_order(so: SellerOrder, seller, *, courier: str | None, tracking_number: str | None) -> None:
    courier = (courier or "").strip()
    tracking_number = (tracking_number or "").strip() or None
    if so.fulfilment_method == FulfilmentMethod.DELIVERY:
        courier = _required(courier, _l("Isi nama kurir atau jasa pengiriman."))
        note = f"{courier} · {tracking_number}" if tracking_number else courier
    else:
        courier = courier or str(_l("Diambil di toko"))
        note = str(_l("Siap diambil di toko."))
    transition(so, F.SHIPPED, actor=seller, actor_kind=Actor.SELLER, note=note,
               courier=courier[:60], tracking_number=tracking_number[:80] if tracking_number else None)
    record("orders.ship", actor=seller, obj=so, number=so.number, courier=courier, tracking_number=tracking_number)


def mark_delivered(so: SellerOrder, actor, *, actor_kind: Actor = Actor.SELLER) -> None:
    transition(so, F.DELIVERED, actor=actor, actor_kind=actor_kind)
    record("orders.delivered", actor=actor, obj=so, number=so.number)


def confirm_receipt(so: SellerOrder, buyer, *, rejected: dict[int, int] | None = None, note: str | None = None) -> int:
    """The buyer's receipt (the digital BAST): they received the goods, possibly refusing some
    items, which are refunded (goods and their PPN; delivery is not). Returns the refund."""
    if so.order.channel == Channel.AGENCY:
        raise NotAllowed(_l("Pesanan instansi selesai dengan BAST yang ditandatangani PPK."))
    return _receive(so, buyer, F.COMPLETED, rejected=rejected, note=note)


def record_bast_receipt(so: SellerOrder, ppk, *, rejected: dict[int, int] | None = None, note: str | None = None) -> int:
    """The PPK's BAST on an agency order: received, possibly refusing some items; the order
    waits for the treasurer (procurement's `sign_bast` calls this)."""
    if so.order.channel != Channel.AGENCY:
        raise NotAllowed()
    return _receive(so, ppk, F.RECEIVED, rejected=rejected, note=note)


def _receive(so: SellerOrder, buyer, to: F, *, rejected: dict[int, int] | None, note: str | None) -> int:
    rejected = {int(k): int(v) for k, v in (rejected or {}).items() if int(v)}
    lines = {line.id: line for line in so.lines}
    for line_id, quantity in rejected.items():
        if line_id not in lines or not 0 < quantity <= lines[line_id].quantity:
            raise ValidationFailed(_l("Jumlah barang yang ditolak tidak valid."), field="rejected")
    note = (note or "").strip() or None
    if rejected and not note:
        raise ValidationFailed(_l("Tuliskan alasan barang ditolak."), field="note")

    now = utcnow()
    if so.status == F.SHIPPED and to == F.COMPLETED:
        transition(so, F.DELIVERED, actor=buyer, actor_kind=Actor.BUYER, note=str(_l("Diterima pembeli.")))
    for line_id, quantity in rejected.items():
        lines[line_id].rejected_quantity = quantity
    rejected_goods = so.rejected_goods_amount
    summary = note or str(_l("Barang diterima lengkap dan sesuai."))
    transition(so, to, actor=buyer, actor_kind=Actor.BUYER, note=summary, received_at=now, receipt_note=note)
    if not rejected_goods:
        return 0
    kept_ppn = ppn_amount(so.goods_amount - rejected_goods, so.ppn_rate_bp)
    amount = rejected_goods + so.ppn_amount - kept_ppn
    refund(so.order, amount, reason="item_rejected", seller_order=so, actor=buyer, key=f"{so.number}:item_rejected")
    seller_order_reduced.send(so, amount=rejected_goods, reason="item_rejected", at=now)
    return amount


def give_back(so: SellerOrder, amount: int, *, goods_amount: int, reason: str, key: str, actor) -> None:
    """Refund `amount` of a delivered part (once per `key`), of which `goods_amount` was goods:
    the quota stops counting those."""
    if not 0 < amount <= so.total_amount - so.refunded_amount:
        raise ValidationFailed(_l("Jumlah pengembalian melebihi sisa nilai pesanan."), field="amount")
    refund(so.order, amount, reason=reason, seller_order=so, actor=actor, key=key)
    if goods_amount > 0:
        seller_order_reduced.send(so, amount=goods_amount, reason="refunded", at=utcnow())


def reopen_for_replacement(so: SellerOrder, *, note: str) -> None:
    """A replacement was agreed: the part goes back to the seller, who ships it again."""
    transition(so, F.ACCEPTED, actor_kind=Actor.SYSTEM, note=note, status_reason=note)


# Rules that keep a delivered part from completing by itself: each returns a SELECT of seller
# order ids. Connected in `bebeli.wiring` (an open complaint), so the lifecycle imports none.
COMPLETION_HOLDS: list[Callable[[], sa.Select]] = []


def hold_completion_while(rule: Callable[[], sa.Select]) -> None:
    if rule not in COMPLETION_HOLDS:
        COMPLETION_HOLDS.append(rule)


def autocomplete_delivered(*, now: datetime | None = None, limit: int = 200) -> int:
    """Complete seller orders delivered ORDER_AUTOCOMPLETE_DAYS ago that the buyer never
    confirmed and no hold keeps. Rows are claimed with SKIP LOCKED so several servers may run
    this at once."""
    cutoff = (now or utcnow()) - timedelta(days=current_app.config["ORDER_AUTOCOMPLETE_DAYS"])
    claimed = db.session.scalars(
        sa.select(SellerOrder.id)
        .where(SellerOrder.status == F.DELIVERED, SellerOrder.delivered_at <= cutoff,
               # agency orders complete only with the PPK's BAST (procurement)
               SellerOrder.order_id.not_in(sa.select(Order.id).where(Order.channel == Channel.AGENCY)),
               *(SellerOrder.id.not_in(rule()) for rule in COMPLETION_HOLDS))
        .order_by(SellerOrder.id).limit(limit).with_for_update(skip_locked=True)
    ).all()
    note = ngettext("Selesai otomatis: pembeli tidak mengonfirmasi dalam %(num)d hari setelah barang sampai.",
                    "Selesai otomatis: pembeli tidak mengonfirmasi dalam %(num)d hari setelah barang sampai.",
                    current_app.config["ORDER_AUTOCOMPLETE_DAYS"])
    # The claimed rows are locked already: load them all at once, not one query per row.
    rows = db.session.scalars(sa.select(SellerOrder).where(SellerOrder.id.in_(claimed)).order_by(SellerOrder.id)).all()
    for so in rows:
        transition(so, F.COMPLETED, actor_kind=Actor.SYSTEM, note=note)
    return len(claimed)
