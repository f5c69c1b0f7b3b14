"""A delivered seller order to complain about, and a complaint opened on it."""
from __future__ import annotations

from bebeli import lifecycle
from bebeli.complaints import services
from bebeli.extensions import db
from tests.factories import ProductFactory, ShopFactory
from tests.orders.factories import asn_buyer, paid_order


def delivered(price: int = 50_000, quantity: int = 2, delivery_fee: int = 10_000, shop=None):
    """A card-paid ASN order of one shop, accepted, shipped and delivered."""
    shop = shop or ShopFactory(delivery_fee_amount=delivery_fee)
    order = paid_order(asn_buyer(), (ProductFactory(shop=shop, price_amount=price, stock=50), quantity))
    [so] = order.seller_orders
    lifecycle.accept_seller_order(so, shop.owner)
    lifecycle.ship_seller_order(so, shop.owner, courier="Kurir toko", tracking_number=None)
    lifecycle.mark_delivered(so, shop.owner)
    db.session.commit()
    return so


def opened(so=None, **kw):
    so = so or delivered(**kw)
    complaint = services.open_complaint(so, so.order.buyer, kind="damaged", description="Kemasan pecah, isi tumpah.")
    db.session.commit()
    return complaint
