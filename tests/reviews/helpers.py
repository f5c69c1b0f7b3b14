"""Orders in every state a review cares about, through the real lifecycle services."""
from __future__ import annotations

from bebeli import lifecycle
from bebeli.extensions import db
from bebeli.orders.models import OrderLine
from bebeli.procurement import services as procurement
from tests.orders.factories import asn_buyer, paid_order
from tests.procurement.factories import agency_order, buying_setup


def personal_line(stage: str = "completed", *, buyer=None, product=None, rejected: bool = False) -> OrderLine:
    """An ASN's order line whose seller order reached `stage`: paid, accepted, shipped,
    delivered, completed (the buyer's receipt) or autocompleted."""
    from tests.factories import ProductFactory

    buyer = buyer or asn_buyer()
    product = product or ProductFactory(price_amount=20_000, stock=100)
    order = paid_order(buyer, (product, 2))
    so = order.seller_orders[0]
    owner = so.shop.owner
    if stage != "paid":
        lifecycle.accept_seller_order(so, owner)
    if stage not in ("paid", "accepted"):
        lifecycle.ship_seller_order(so, owner, courier="Kurir toko", tracking_number=None)
    if stage in ("delivered", "autocompleted"):
        lifecycle.mark_delivered(so, owner)
    if stage == "completed":
        line = so.lines[0]
        lifecycle.confirm_receipt(so, buyer, rejected={line.id: line.quantity} if rejected else None,
                                  note="Rusak semua" if rejected else None)
    db.session.commit()
    if stage == "autocompleted":
        from datetime import timedelta

        from bebeli.db import utcnow

        assert lifecycle.autocomplete_delivered(now=utcnow() + timedelta(days=30)) >= 1
        db.session.commit()
    return db.session.get(OrderLine, so.lines[0].id)


def agency_line(stage: str = "received"):
    """(PP, order line) of an agency purchase at `stage`: approved, shipped, received (BAST)."""
    t, budget, shop, product = buying_setup(20_000_000, is_pkp=False, delivery_fee_amount=0,
                                            price_amount=100_000, stock=50)
    [purchase] = agency_order(t, budget, [(product, 3)])
    procurement.approve_purchase(purchase, t.ppk)
    if stage != "approved":
        procurement.accept_sp(purchase, shop.owner)
        lifecycle.ship_seller_order(purchase.seller_order, shop.owner, courier="Kurir toko", tracking_number=None)
    if stage == "received":
        procurement.sign_bast(purchase, t.ppk, rejected={}, note=None)
    db.session.commit()
    return t.pp, db.session.get(OrderLine, purchase.seller_order.lines[0].id)
