"""Who follows the order lifecycle: every receiver of the signals in `bebeli.signals`,
connected here and nowhere else. `create_app` calls `connect_receivers` once per app.

    order_paid                  → quotas: count the goods in the month paid
                                → insights: count the shop's sale in the month paid
                                → metrics: count the payment (when its transaction commits)
    seller_order_reduced        → quotas: release held room, or uncount what was taken back
                                → insights: the sale keeps only what the buyer kept
    stock_changed               → insights: mail the seller when stock falls below its threshold
    seller_order_transitioned   → procurement: the agency's stage and budget follow the part
                                → notifications: tell whoever acts next
                                → settlement: a completed part is credited to its shop

and the holds the lifecycle asks before it acts on its own:

    autocomplete_delivered      ← complaints: a part under an open complaint does not complete
"""
from __future__ import annotations

from bebeli import signals
from bebeli.complaints.services import held_seller_orders
from bebeli.insights import ledger as insights
from bebeli.insights.services import follow_stock
from bebeli.lifecycle.fulfilling import hold_completion_while
from bebeli.metrics.instruments import count_payment as count_payment_metric
from bebeli.notifications.services import notify_step
from bebeli.procurement.follow import on_seller_order_transitioned
from bebeli.quotas.services import count_payment, take_back
from bebeli.settlement import ledger

RECEIVERS = (
    (signals.order_paid, count_payment),
    (signals.order_paid, count_payment_metric),
    (signals.order_paid, insights.on_order_paid),
    (signals.seller_order_reduced, take_back),
    (signals.seller_order_reduced, insights.on_seller_order_reduced),
    (signals.stock_changed, follow_stock),
    (signals.seller_order_transitioned, on_seller_order_transitioned),
    (signals.seller_order_transitioned, notify_step),
    (signals.seller_order_transitioned, ledger.on_seller_order_transitioned),
)

COMPLETION_HOLDS = (held_seller_orders,)


def connect_receivers() -> None:
    """Connect every receiver (connecting one twice keeps one connection)."""
    for signal, receiver in RECEIVERS:
        signal.connect(receiver)
    for rule in COMPLETION_HOLDS:
        hold_completion_while(rule)
