"""Domain signals the order lifecycle sends, so that other modules follow its moves without
the lifecycle importing them. Who listens is decided in one place, `bebeli.wiring`.

Every receiver runs synchronously, inside the sender's database transaction: rows a receiver
writes commit or roll back together with the change that caused them. A receiver never
refuses a move; a rule that may refuse one is an explicit check in the lifecycle step it
guards.
"""
from blinker import Namespace

_signals = Namespace()

# sender: the Order; kwargs: paid_at. Sent once, when the order becomes paid (by card or by
# the agency's treasurer): `lifecycle.paying._paid`.
order_paid = _signals.signal("order-paid")

# sender: the SellerOrder; kwargs: amount (integer rupiah of goods taken back, excluding
# delivery), reason ("cancelled", "rejected", "item_rejected", "refunded", "expired"), at.
seller_order_reduced = _signals.signal("seller-order-reduced")

# sender: None; kwargs: product_ids (products whose stock was just changed: taken at checkout,
# given back, or edited by the seller).
stock_changed = _signals.signal("stock-changed")

# sender: the SellerOrder; kwargs: from_status, to_status, actor, note.
seller_order_transitioned = _signals.signal("seller-order-transitioned")
