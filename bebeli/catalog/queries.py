"""What each role may see of the catalog, written once.

Buyers see a product only when it is published, not taken down, and its shop is verified
(a suspended, pending or rejected shop hides all its products at once) and not under a
sanction hiding its offers (`Shop.offers_hidden_until` in the future: the hide lifts by itself). Sellers see all
their own products and nobody else's.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import defer, joinedload, lazyload, selectinload

from bebeli.catalog.models import Category, Product, ProductStatus
from bebeli.db import utcnow
from bebeli.extensions import db
from bebeli.sellers.models import Shop, ShopStatus


# "Can this product be ordered?", in one place: the SQL condition and the Python predicate
# below are both built from these two values.
ORDERABLE_PRODUCT_STATUS = ProductStatus.PUBLISHED
ORDERABLE_SHOP_STATUS = ShopStatus.VERIFIED


def orderable(*shop_conditions) -> tuple:
    """Conditions on products a buyer may see and order, from shops also meeting
    `shop_conditions`: published, not taken down, shop verified.

    The shop test is a correlated EXISTS, not a join nor an IN list: the database then walks
    products in the order of an index (newest, cheapest, best-selling) and stops after one
    page, checking each product's shop by primary key, instead of starting from the shops
    and sorting every product they have. It is also usable inside a conditional UPDATE."""
    return (
        Product.status == ORDERABLE_PRODUCT_STATUS,
        Product.taken_down.is_(False),
        sa.exists().where(Shop.id == Product.shop_id, Shop.status == ORDERABLE_SHOP_STATUS,
                          sa.or_(Shop.offers_hidden_until.is_(None), Shop.offers_hidden_until <= utcnow()),
                          *shop_conditions),
    )


def products_for_buyers(*shop_conditions) -> sa.Select:
    """Products any buyer may see, with their shop and its certificates (the card's badges),
    without the long text columns a product card never shows."""
    return (
        db.select(Product)
        .options(joinedload(Product.shop).options(lazyload(Shop.owner), selectinload(Shop.certificates)),
                 lazyload(Product.category),
                 defer(Product.description), defer(Product.search_text), defer(Product.search_name))
        .where(*orderable(*shop_conditions))
    )


def is_orderable(product: Product) -> bool:
    """The Python twin of `orderable()`: whether buyers may see and order `product` now."""
    return (
        product.status == ORDERABLE_PRODUCT_STATUS
        and not product.taken_down
        and product.shop is not None
        and product.shop.status == ORDERABLE_SHOP_STATUS
        and not offers_hidden(product.shop)
    )


def offers_hidden(shop: Shop) -> bool:
    return shop.offers_hidden_until is not None and shop.offers_hidden_until > utcnow()


# The product page asks "may buyers see it?", which is the same rule.
is_visible_to_buyers = is_orderable


def products_for_seller(shop: Shop) -> sa.Select:
    return db.select(Product).where(Product.shop_id == shop.id)


@dataclass(frozen=True)
class CategoryNode:
    category: Category
    children: list[Category]


def category_tree(*, active_only: bool = True) -> list[CategoryNode]:
    """The two-level category tree in menu order, from one query."""
    stmt = db.select(Category).order_by(Category.position, Category.name)
    if active_only:
        stmt = stmt.where(Category.is_active.is_(True))
    rows = db.session.scalars(stmt).all()
    children: dict[int, list[Category]] = {}
    for row in rows:
        if row.parent_id is not None:
            children.setdefault(row.parent_id, []).append(row)
    return [CategoryNode(row, children.get(row.id, [])) for row in rows if row.parent_id is None]


def category_ids_under(category: Category) -> list[int]:
    """A category and its children: a top category's page lists its sub-categories' products."""
    child_ids = db.session.scalars(db.select(Category.id).where(Category.parent_id == category.id)).all()
    return [category.id, *child_ids]


def newest_products(limit: int) -> list[Product]:
    return db.session.scalars(
        products_for_buyers().order_by(Product.published_at.desc(), Product.id.desc()).limit(limit)
    ).all()


def popular_products(limit: int) -> list[Product]:
    """Best sellers; products nobody bought yet are not "popular"."""
    return db.session.scalars(
        products_for_buyers().where(Product.sold_count > 0)
        .order_by(Product.sold_count.desc(), Product.id.desc()).limit(limit)
    ).all()
