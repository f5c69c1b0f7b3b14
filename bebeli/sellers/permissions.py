"""Who may touch a shop: its owner, and administrators for verification and documents."""
from __future__ import annotations

from flask import abort
from flask_login import current_user

from bebeli.auth.permissions import is_admin, signed_in
from bebeli.sellers.models import Shop
from bebeli.sellers.services import shop_for_owner


def owns_shop(user, shop) -> bool:
    return signed_in(user) and shop is not None and shop.owner_id == user.id


def is_seller_of(user, thing) -> bool:
    """Whether `user` is the seller of `thing`: anything sold by one shop (a seller order, an
    agency purchase), that is, whether they own its shop."""
    return owns_shop(user, thing.shop)


def own_shop_or_404() -> Shop:
    """The signed-in seller's shop; 404 when the account has none."""
    shop = shop_for_owner(current_user)
    if shop is None:
        abort(404)
    return shop


def can_view_shop_documents(user, shop) -> bool:
    """Certificates may carry personal data: the owner and administrators only."""
    return owns_shop(user, shop) or is_admin(user)


def owns_certificate(user, certificate) -> bool:
    return owns_shop(user, certificate.shop)


def can_view_certificate(user, certificate) -> bool:
    return can_view_shop_documents(user, certificate.shop)


TEMPLATE_RULES = {
    "owns_shop": owns_shop,
}
