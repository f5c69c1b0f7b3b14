"""Notifications' side of the order signals; runs inside the order's own transaction."""
from __future__ import annotations

from bebeli import signals
from bebeli.notifications import services


@signals.seller_order_transitioned.connect
def _notify_next_party(seller_order, from_status, to_status, actor, note, **_):
    services.notify_step(seller_order, from_status, to_status, actor, note)
