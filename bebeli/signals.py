"""Domain signals that let modules plug into each other's transactions without imports.

Every receiver runs synchronously, inside the sender's database transaction: a receiver that
raises a `DomainError` aborts the whole operation (the view rolls back), and rows a receiver
writes commit or roll back together with the change that caused them.
"""
from blinker import Namespace

_signals = Namespace()

# sender: the buyer (User); kwargs: order (flushed, with seller_orders and lines, stock taken).
# Receivers veto with a DomainError (quota ceiling, budget line, channel limits).
checkout_validating = _signals.signal("checkout-validating")

# sender: the Order; kwargs: paid_at. Sent once, when the payment is first recorded.
order_paid = _signals.signal("order-paid")

# sender: the SellerOrder; kwargs: amount (integer rupiah of goods taken back, excluding
# delivery), reason ("cancelled", "rejected", "item_rejected", "refunded", "expired"), at.
seller_order_reduced = _signals.signal("seller-order-reduced")

# sender: the SellerOrder; kwargs: from_status, to_status, actor, note.
seller_order_transitioned = _signals.signal("seller-order-transitioned")
