"""Quota test data: policies through the real service, and orders built the way checkout
builds them, with the order signals sent as the order and payment code sends them."""
from __future__ import annotations

import itertools
from datetime import date, datetime

from bebeli import signals
from bebeli.db import utcnow
from bebeli.directory.models import Echelon
from bebeli.extensions import db
from bebeli.lifecycle.placing import check_placed
from bebeli.orders.models import Channel, FulfilmentStatus, Order, OrderLine, PaymentStatus, SellerOrder
from bebeli.quotas.models import MinimumKind
from bebeli.quotas.services import save_policy

RANK_TABLE = {Echelon.STAF: 50_000, Echelon.IV: 75_000, Echelon.III: 100_000, Echelon.II: 200_000,
              Echelon.I: 250_000}
_numbers = itertools.count(1)


def policy(*, effective_from: date = date(2024, 1, 1), minimum_kind=MinimumKind.BY_RANK, rank_amounts=None,
           tpp_basis_points=None, ceiling_amount=None, agency_target_amount=None, agencies=(), name="Kebijakan uji",
           actor=None):
    created = save_policy(
        None, actor=actor, name=name, effective_from=effective_from, minimum_kind=MinimumKind(minimum_kind),
        rank_amounts=dict(RANK_TABLE if rank_amounts is None else rank_amounts),
        tpp_basis_points=tpp_basis_points, ceiling_amount=ceiling_amount,
        agency_target_amount=agency_target_amount, applies_to_all=not agencies,
        agency_ids=[a.id for a in agencies],
    )
    db.session.commit()
    return created


def place_order(buyer, items, *, channel=Channel.PERSONAL) -> Order:
    """An unpaid order of `items` [(product, quantity)], one seller order per shop, validated
    through the checkout's own checks (`lifecycle.placing.check_placed`: a refusal raises and rolls back)."""
    n = next(_numbers)
    order = Order(number=f"UJI-{n:06d}", buyer_id=buyer.id, agency_id=buyer.asn.agency_id if buyer.asn else None,
                  channel=channel, idempotency_key=f"uji-{n}", payment_status=PaymentStatus.UNPAID)
    by_shop: dict[int, SellerOrder] = {}
    for product, quantity in items:
        seller_order = by_shop.get(product.shop_id)
        if seller_order is None:
            seller_order = SellerOrder(shop_id=product.shop_id, number=f"UJI-{n:06d}-{len(by_shop) + 1}",
                                       status=FulfilmentStatus.AWAITING_PAYMENT, goods_amount=0,
                                       delivery_fee_amount=product.shop.delivery_fee_amount)
            by_shop[product.shop_id] = seller_order
            order.seller_orders.append(seller_order)
        amount = product.price_amount * quantity
        seller_order.lines.append(OrderLine(
            product_id=product.id, category_id=product.category_id, product_name=product.name, unit=product.unit,
            list_price_amount=product.price_amount, unit_price_amount=product.price_amount, quantity=quantity,
            amount=amount))
        seller_order.goods_amount += amount
    for seller_order in order.seller_orders:
        seller_order.total_amount = seller_order.goods_amount + seller_order.delivery_fee_amount
    order.goods_amount = sum(so.goods_amount for so in order.seller_orders)
    order.delivery_amount = sum(so.delivery_fee_amount for so in order.seller_orders)
    order.total_amount = order.goods_amount + order.delivery_amount
    db.session.add(order)
    db.session.flush()
    try:
        check_placed(buyer, order)
    except Exception:
        db.session.rollback()
        raise
    db.session.commit()
    return order


def pay(order: Order, paid_at: datetime | None = None) -> Order:
    paid_at = paid_at or utcnow()
    order.payment_status = PaymentStatus.PAID
    order.paid_at = paid_at
    for seller_order in order.seller_orders:
        seller_order.status = FulfilmentStatus.PAID
    signals.order_paid.send(order, paid_at=paid_at)
    db.session.commit()
    return order


def buy(buyer, items, paid_at: datetime | None = None) -> Order:
    return pay(place_order(buyer, items), paid_at)


def reduce(seller_order: SellerOrder, amount: int, reason: str, *, status=None, at: datetime | None = None):
    """Take goods back as the order code does: change the seller order, then signal."""
    if status is not None:
        seller_order.status = status
    signals.seller_order_reduced.send(seller_order, amount=amount, reason=reason, at=at or utcnow())
    db.session.commit()


def checkout(buyer, items) -> Order:
    """A real checkout: the cart service, then `lifecycle.place_order` (pickup at each
    shop). A veto rolls the whole checkout back and raises."""
    from bebeli.cart.services import add_to_cart, cart_key
    from bebeli.orders.models import FulfilmentMethod
    from bebeli.lifecycle import ShopChoice, place_order

    try:
        for product, quantity in items:
            add_to_cart(buyer, product, quantity)
        db.session.flush()
        choices = [ShopChoice(shop_id, FulfilmentMethod.PICKUP) for shop_id in {p.shop_id for p, _ in items}]
        order, _ = place_order(buyer, choices, idempotency_key=cart_key(buyer))
    except Exception:
        db.session.rollback()
        raise
    db.session.commit()
    return order


def record_payment(order: Order) -> Order:
    """The payment code's own recording of a successful payment (paid now)."""
    from bebeli.lifecycle import mark_paid

    assert mark_paid(order, reference=f"uji-{order.number}", amount=order.total_amount) == "paid"
    db.session.commit()
    return order
