"""The order lock every step that changes an order's money takes first."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import lazyload
from sqlalchemy.orm.util import identity_key

from bebeli.extensions import db
from bebeli.orders.models import Order


def lock_order(order_id: int) -> Order:
    """Re-read the order under a row lock (PostgreSQL; SQLite serialises writers anyway).

    One statement takes the lock and reads the row (FOR UPDATE OF orders only: the buyer is
    not locked, and not read either — it is loaded when used, usually from the session). Seller
    orders this session already holds for the order are read again with it, as before; when
    it holds none, they are loaded when first used, which is after the lock too.
    """
    known = db.session.identity_map.get(identity_key(Order, order_id))
    options = [lazyload(Order.buyer)]
    if known is None or "seller_orders" not in sa.inspect(known).dict:
        options.append(lazyload(Order.seller_orders))
    return db.session.scalars(
        sa.select(Order).where(Order.id == order_id).options(*options)
        .with_for_update(of=Order).execution_options(populate_existing=True)
    ).one()
