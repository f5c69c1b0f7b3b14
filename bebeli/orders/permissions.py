"""Who may see and act on an order: named rules for views (load-or-404) and templates."""
from __future__ import annotations

from bebeli.auth.permissions import is_admin
from bebeli.orders.models import Order, SellerOrder
from bebeli.sellers.permissions import is_seller_of


def is_buyer_of(user, order: Order) -> bool:
    return bool(user and user.is_authenticated and order.buyer_id == user.id)


def can_view_seller_order(user, so: SellerOrder) -> bool:
    """Buyer, the shop's owner, or an administrator: the parties to the invoice."""
    return is_buyer_of(user, so.order) or is_seller_of(user, so) or is_admin(user)
