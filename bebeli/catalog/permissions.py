"""Who may change a product: the owner of its shop, nobody else (admins moderate instead)."""
from __future__ import annotations

from bebeli.sellers.permissions import owns_shop


def can_manage_product(user, product) -> bool:
    return owns_shop(user, product.shop)


def can_manage_image(user, image) -> bool:
    return can_manage_product(user, image.product)
