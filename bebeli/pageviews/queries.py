"""What sellers' insights read: views per product and per month, products left in carts.

Each is one query on a summary (product_views_daily) or on the cart lines of one shop's
products, never on every order."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from bebeli.cart.models import CartLine
from bebeli.catalog.models import Product
from bebeli.dates import now_utc
from bebeli.extensions import db
from bebeli.pageviews.models import ProductViewsDaily

STALE_CART_DAYS = 7  # a product in a cart for longer than this without a checkout is "left"


def views_by_product(shop_id: int, since_day: date) -> dict[int, int]:
    """Views of each of the shop's products from `since_day` (a Jakarta day) on, as
    {product id: views}; products never viewed are absent. Counts not yet flushed are not in."""
    rows = db.session.execute(
        sa.select(ProductViewsDaily.product_id, sa.func.sum(ProductViewsDaily.views))
        .join(Product, Product.id == ProductViewsDaily.product_id)
        .where(Product.shop_id == shop_id, ProductViewsDaily.day >= since_day)
        .group_by(ProductViewsDaily.product_id))
    return {product_id: int(views) for product_id, views in rows}


def views_by_shop_month(shop_id: int) -> list[tuple[date, int]]:
    """Views of all the shop's products per Jakarta calendar month, oldest first, as
    (first day of the month, views); months without views are absent."""
    year = sa.extract("year", ProductViewsDaily.day)
    month = sa.extract("month", ProductViewsDaily.day)
    rows = db.session.execute(
        sa.select(year, month, sa.func.sum(ProductViewsDaily.views))
        .join(Product, Product.id == ProductViewsDaily.product_id)
        .where(Product.shop_id == shop_id)
        .group_by(year, month).order_by(year, month))
    return [(date(int(y), int(m), 1), int(views)) for y, m, views in rows]


@dataclass(frozen=True)
class LeftInCarts:
    product_id: int
    name: str
    carts: int        # carts that hold the product now
    left_carts: int   # of those, carts that have held it for more than `days` days


def left_in_carts(shop_id: int, days: int = STALE_CART_DAYS, *, now: datetime | None = None) -> list[LeftInCarts]:
    """The shop's products that sit in buyers' carts: in how many carts now, and in how many
    for more than `days` days (a checkout empties the lines it buys, so a line still there
    was not bought). A line's age runs from when it was added (`created_at`). Most left first."""
    cutoff = (now or now_utc()) - timedelta(days=days)
    left = sa.func.count(CartLine.id).filter(CartLine.created_at < cutoff)
    rows = db.session.execute(
        sa.select(Product.id, Product.name, sa.func.count(CartLine.id), left)
        .join(CartLine, CartLine.product_id == Product.id)
        .where(Product.shop_id == shop_id)
        .group_by(Product.id, Product.name)
        .order_by(left.desc(), sa.func.count(CartLine.id).desc(), Product.id))
    return [LeftInCarts(product_id, name, int(carts), int(stale)) for product_id, name, carts, stale in rows]
