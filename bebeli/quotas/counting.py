"""What counts toward an ASN's monthly quota — the rule, written once (the README repeats it).

- Purchases an ASN makes for themself (the personal channel); agency purchases never count.
- Only from shops that are local (`Shop.is_local`) and verified when the payment is recorded.
- The goods: line amounts before PPN. Delivery fees and tax never count.
- In the Asia/Jakarta month of the payment (`paid_at`), not of the order or the delivery.
- Seller orders that ended before payment (cancelled, expired, rejected) count nothing.
- Goods taken back later — a cancelled or rejected seller order, items rejected at receipt,
  a refund — come back out of the month the payment counted in, however late that is, and
  never more than was counted.
- Unpaid checkouts do not count; they only hold room under the ceiling until paid or ended.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm.util import identity_key

from bebeli.catalog.models import Category
from bebeli.dates import jakarta_today, month_start
from bebeli.extensions import db
from bebeli.orders.models import Channel, FulfilmentStatus
from bebeli.sellers.models import ShopStatus

ENDED = frozenset({FulfilmentStatus.CANCELLED, FulfilmentStatus.EXPIRED, FulfilmentStatus.REJECTED})
NO_CATEGORY = 0


def order_counts(order) -> bool:
    """Personal purchases of an ASN are the only ones a quota looks at."""
    return order.channel == Channel.PERSONAL and order.buyer is not None and order.buyer.asn is not None


def shop_counts(shop) -> bool:
    return bool(shop.is_local) and shop.status == ShopStatus.VERIFIED


def counted_month(paid_at: datetime) -> date:
    return month_start(jakarta_today(paid_at))


def top_category_ids(seller_orders) -> dict[int, int]:
    """{category id: its top category} for the lines of these seller orders (dashboards group by
    top category; a line's own category may be a child): categories the session holds are read
    from it, the others in one query (not one query per line)."""
    wanted = {line.category_id for so in seller_orders for line in so.lines if line.category_id is not None}
    tops, missing = {}, []
    for category_id in wanted:
        category = db.session.identity_map.get(identity_key(Category, category_id))
        if category is not None and "parent_id" in sa.inspect(category).dict:
            tops[category_id] = category.parent_id or category.id
        else:
            missing.append(category_id)
    if missing:
        rows = db.session.execute(sa.select(Category.id, Category.parent_id).where(Category.id.in_(missing)))
        tops.update({category_id: parent_id or category_id for category_id, parent_id in rows})
    return tops


def countable_goods(seller_order, tops: dict[int, int]) -> dict[int, int]:
    """Goods of one seller order that count, by top category (`tops` from `top_category_ids`;
    NO_CATEGORY for a line without one); empty when nothing does."""
    if seller_order.status in ENDED or not shop_counts(seller_order.shop):
        return {}
    amounts: dict[int, int] = defaultdict(int)
    for line in seller_order.lines:
        amounts[tops.get(line.category_id, NO_CATEGORY)] += line.amount
    return {k: v for k, v in amounts.items() if v > 0}
