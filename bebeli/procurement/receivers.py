"""Procurement's side of the order signals; each runs inside the order's own transaction."""
from __future__ import annotations

from bebeli import signals
from bebeli.orders.models import Channel
from bebeli.procurement.checkout import check_channel_limit
from bebeli.procurement.follow import on_seller_order_transitioned


@signals.checkout_validating.connect
def _refuse_packages_above_the_channel_limit(buyer, order, **_):
    if order.channel == Channel.AGENCY:
        for so in order.seller_orders:
            check_channel_limit(so.total_amount, so.number)


signals.seller_order_transitioned.connect(on_seller_order_transitioned)
