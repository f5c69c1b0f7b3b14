"""The quota's side of the order signals; each runs inside the order's own transaction."""
from __future__ import annotations

from bebeli import signals
from bebeli.quotas import services


@signals.checkout_validating.connect
def _hold_room_at_checkout(buyer, order, **_):
    services.reserve_for_checkout(buyer, order)


@signals.order_paid.connect
def _count_payment(order, paid_at, **_):
    services.count_payment(order, paid_at)


@signals.seller_order_reduced.connect
def _take_back(seller_order, amount, reason, at, **_):
    services.take_back(seller_order, amount, reason, at)
