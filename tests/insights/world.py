"""A small world whose every figure is computed by hand in the tests' docstrings: two shops,
two buyers, personal and agency orders, a complaint refund, items refused at receipt and a
part rejected by the seller after payment."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from bebeli import lifecycle
from bebeli.dates import jakarta_today
from bebeli.extensions import db
from bebeli.insights.queries import last_months
from bebeli.orders.models import Channel
from tests.factories import AgencyFactory, AsnFactory, ProductFactory, ShopFactory
from tests.quotas.factories import pay, place_order

# The two months before this one (named for the months they were first written for), so that
# the seller's page, which shows the last twelve months, always shows them.
OCT, NOV, THIS = last_months(jakarta_today(), 3)


def utc(*args):
    return datetime(*args, tzinfo=timezone.utc)


def on(month, day, hour=3):
    return utc(month.year, month.month, day, hour)


@dataclass
class World:
    shop: object
    other_shop: object
    a1: object
    a2: object
    a3: object
    b1: object
    buyer1: object
    buyer2: object
    agency: object
    orders: list


def build() -> World:
    """Shop A sells A1 (10.000) and A2 (25.000); A3 never sells. Shop B sells B1 (7.000).

    1. buyer1, personal, paid on the 5th of OCT: A1×3 + A2×1 = 55.000; a complaint later refunds 5.000 of
       goods, shared over the lines 30.000:25.000 → A1 −2.727, A2 −2.273 → A1 27.273, A2 22.727.
    2. buyer1, personal, paid 3 Nov: A1×2 = 20.000; one item refused at receipt → 10.000, 1 unit.
    3. buyer2, personal, paid 10 Nov: A2×2 = 50.000; rejected by the seller now → nothing,
       taken out of November (the month of the sale).
    4. buyer2, agency purchase for their agency, paid 20 Nov: A1×5 = 50.000.
    5. buyer1, personal, paid 21 Nov at shop B: B1×1 = 7.000.
    """
    agency = AgencyFactory()
    shop, other_shop = ShopFactory(), ShopFactory()
    a1 = ProductFactory(shop=shop, price_amount=10_000, stock=100)
    a2 = ProductFactory(shop=shop, price_amount=25_000, stock=100)
    a3 = ProductFactory(shop=shop, price_amount=40_000, stock=100)
    b1 = ProductFactory(shop=other_shop, price_amount=7_000, stock=100)
    buyer1, buyer2 = AsnFactory().user, AsnFactory(agency=agency).user
    db.session.commit()
    o1 = pay(place_order(buyer1, [(a1, 3), (a2, 1)]), on(OCT, 5))
    o2 = pay(place_order(buyer1, [(a1, 2)]), on(NOV, 3))
    o3 = pay(place_order(buyer2, [(a2, 2)]), on(NOV, 10))
    o4 = pay(place_order(buyer2, [(a1, 5)], channel=Channel.AGENCY), on(NOV, 20))
    o5 = pay(place_order(buyer1, [(b1, 1)]), on(NOV, 21))

    so = o2.seller_orders[0]
    lifecycle.accept_seller_order(so, shop.owner)
    lifecycle.ship_seller_order(so, shop.owner, courier="JNE", tracking_number="JX1")
    lifecycle.confirm_receipt(so, buyer1, rejected={so.lines[0].id: 1}, note="Satu rusak")
    db.session.commit()
    lifecycle.reject_seller_order(o3.seller_orders[0], shop.owner, "Stok habis")
    db.session.commit()
    lifecycle.give_back(o1.seller_orders[0], 5_000, goods_amount=5_000, reason="complaint", key="uji:complaint:1",
                        actor=None)
    db.session.commit()
    return World(shop, other_shop, a1, a2, a3, b1, buyer1, buyer2, agency, [o1, o2, o3, o4, o5])
