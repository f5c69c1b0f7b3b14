"""Stock taken at checkout and given back when a part of an order ends or is refused whole."""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.util import identity_key

from bebeli.cart.models import CartLine
from bebeli.cart.services import line_problem
from bebeli.catalog.models import Product
from bebeli.catalog.queries import orderable
from bebeli.errors import OutOfStock
from bebeli.extensions import db
from bebeli.orders.models import SellerOrder
from bebeli.signals import stock_changed


def take_stock(lines: list[CartLine]) -> None:
    """Take each line's quantity with a conditional UPDATE, in product-id order so that two
    checkouts lock rows in the same order and never deadlock. The price and availability are
    part of the condition: the buyer pays exactly the price they saw."""
    for line in sorted(lines, key=lambda l: l.product_id):
        result = db.session.execute(
            sa.update(Product)
            .where(Product.id == line.product_id, Product.stock >= line.quantity,
                   Product.price_amount == line.price_seen_amount,
                   *orderable())
            .values(stock=Product.stock - line.quantity, sold_count=Product.sold_count + line.quantity)
            .execution_options(synchronize_session=False)
        )
        db.session.expire(line.product, ["stock", "sold_count", "price_amount", "status", "taken_down"])
        if result.rowcount != 1:
            _, message = line_problem(line)
            raise OutOfStock(
                _l("%(name)s: %(why)s", name=line.product.name, why=message or _l("Stok tidak mencukupi.")),
                product_id=line.product_id,
            )
    stock_changed.send(None, product_ids=[line.product_id for line in lines])


def release_stock(so: SellerOrder) -> None:
    for line in sorted(so.lines, key=lambda l: l.product_id):
        db.session.execute(
            sa.update(Product)
            .where(Product.id == line.product_id)
            .values(stock=Product.stock + line.quantity,
                    sold_count=sa.case((Product.sold_count >= line.quantity, Product.sold_count - line.quantity), else_=0))
            .execution_options(synchronize_session=False)
        )
        _forget_stock(line.product_id)
    stock_changed.send(None, product_ids=[line.product_id for line in so.lines])


def _forget_stock(product_id: int) -> None:
    """A product row already loaded in this session has stale stock after an UPDATE in SQL."""
    product = db.session.identity_map.get(identity_key(Product, product_id))
    if product is not None:
        db.session.expire(product, ["stock", "sold_count"])
