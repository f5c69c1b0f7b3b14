"""Procurement's side of the order signals; each runs inside the order's own transaction."""
from __future__ import annotations

from bebeli import signals
from bebeli.orders.models import Channel
from bebeli.procurement import services


@signals.checkout_validating.connect
def _refuse_packages_above_the_channel_limit(buyer, order, **_):
    if order.channel == Channel.AGENCY:
        for so in order.seller_orders:
            services.check_channel_limit(so.total_amount, so.number)


@signals.seller_order_transitioned.connect
def _follow_seller_order(seller_order, from_status, to_status, actor, note, **_):
    if seller_order.order.channel != Channel.AGENCY:
        return
    purchase = services.purchase_for_seller_order(seller_order)
    if purchase is not None:
        services.follow_seller_order(purchase, from_status, to_status, actor)
