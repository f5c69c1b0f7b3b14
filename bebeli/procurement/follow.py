"""Procurement follows the seller order: a move made through the orders module (cancelled,
rejected, shipped) is reflected in the agency's stage, budget and notices, inside the
order's own transaction. Only side effects live here; no move is refused here."""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from bebeli.audit.services import record
from bebeli.db import utcnow
from bebeli.extensions import db
from bebeli.lifecycle.payment_status import move_payment
from bebeli.orders.models import Channel, FulfilmentStatus, PaymentStatus
from bebeli.orders.status import Actor
from bebeli.procurement.budget import release_budget_line
from bebeli.procurement.models import AgencyPurchase, Stage
from bebeli.procurement.notices import notify
from bebeli.procurement.queries import purchase_for_seller_order, stages_in

F = FulfilmentStatus


def on_seller_order_transitioned(seller_order, from_status, to_status, actor, note, **_):
    """The receiver of `seller_order_transitioned`: agency orders only."""
    if seller_order.order.channel != Channel.AGENCY:
        return
    purchase = purchase_for_seller_order(seller_order)
    if purchase is not None:
        follow_seller_order(purchase, from_status, to_status, actor)


CLOSING_STATUSES = (F.CANCELLED, F.REJECTED, F.EXPIRED)


def follow_seller_order(purchase: AgencyPurchase, from_status: F, to_status: F, actor) -> None:
    """Keep the agency's side in step with a move made through the orders module. It never
    refuses a move: the agency table (`orders.status`) and the steps themselves do."""
    if to_status in CLOSING_STATUSES:
        _close(purchase, actor)
    elif to_status == F.SHIPPED:
        notify([purchase.ppk, purchase.pp], purchase,
               _l("Barang pesanan %(number)s dikirim. PPK memeriksa barang dan menandatangani BAST.",
                  number=purchase.seller_order.number))


def _close(purchase: AgencyPurchase, actor) -> None:
    """Cancelled or rejected: give back what the purchase held on its budget line."""
    charged = purchase.charged_amount
    result = db.session.execute(
        sa.update(AgencyPurchase).where(AgencyPurchase.id == purchase.id, AgencyPurchase.stage != Stage.CANCELLED)
        .values(stage=Stage.CANCELLED, charged_amount=0, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.expire(purchase)
    if result.rowcount != 1:
        return
    release_budget_line(purchase.budget_line, charged)
    record("procurement.closed", actor=actor, obj=purchase, released=charged)
    if all(stage == Stage.CANCELLED for stage in stages_in(purchase.order_id)):
        # Nothing of the agency order is left to pay: it ends unpaid (the treasurer never paid).
        move_payment(purchase.order, PaymentStatus.CANCELLED, frm=PaymentStatus.UNPAID, reason="cancelled",
                     actor=actor, actor_kind=Actor.SYSTEM)
