"""Demo product views: the demo seller's published products were looked at on each of the last
60 Jakarta days (a few a day, more for the first products), so the insight page's "viewed and
ordered" table has figures on `make run`. Views are otherwise counted from real page views."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from bebeli.auth.models import User
from bebeli.catalog.models import Product, ProductStatus
from bebeli.dates import jakarta_today
from bebeli.extensions import db
from bebeli.insights.demo import SELLER
from bebeli.pageviews.models import ProductViewsDaily
from bebeli.sellers.models import Shop

DAYS = 60


def seed(accounts: list, password: str) -> None:
    products = db.session.scalars(
        sa.select(Product.id).join(Shop, Shop.id == Product.shop_id).join(User, User.id == Shop.owner_id)
        .where(User.email == SELLER, Product.status == ProductStatus.PUBLISHED).order_by(Product.id)).all()
    if not products or db.session.scalar(
            sa.select(ProductViewsDaily.product_id).where(ProductViewsDaily.product_id.in_(products)).limit(1)):
        return
    today = jakarta_today()
    db.session.add_all(
        ProductViewsDaily(product_id=product_id, day=today - timedelta(days=back),
                          views=3 + (back * 7 + rank * 5) % 11 + max(0, 8 - 2 * rank))
        for rank, product_id in enumerate(products) for back in range(DAYS))
    db.session.flush()
