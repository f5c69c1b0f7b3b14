"""Placing an order: the buyer's whole cart becomes one Order with one SellerOrder per shop.

In one transaction: the order with its seller orders and line snapshots first (the order's
unique idempotency key makes a repeated submission find the first order), then the stock,
taken with conditional UPDATEs in product-id order, then the checks that may still refuse it:
the buyer's quota room (held until payment) and, for an agency purchase, the channel's value
limit per package. Any failure raises and the caller rolls the whole thing back.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from bebeli.cart.services import cart_key, cart_lines_for, clear_cart, review_cart
from bebeli.dates import jakarta_today
from bebeli.db import utcnow
from bebeli.errors import Conflict, OutOfStock, ValidationFailed
from bebeli.extensions import db
from bebeli.lifecycle.fulfilment import record_event
from bebeli.lifecycle.stock import take_stock
from bebeli.metrics.instruments import count_checkout
from bebeli.money import MAX_AMOUNT
from bebeli.notifications.services import notify_order_placed
from bebeli.orders.models import Channel, FulfilmentMethod, FulfilmentStatus, Order, OrderLine, SellerOrder
from bebeli.orders.status import Actor
from bebeli.orders.totals import add_up, part_totals
from bebeli.procurement.limits import check_channel_limit
from bebeli.quotas.services import reserve_for_checkout

F = FulfilmentStatus
_NUMBER_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read out over the phone


class CartNeedsReview(Conflict):
    code = "cart_changed"
    default_message = _l("Isi keranjang berubah sejak halaman ini dibuka. Periksa kembali keranjang Anda.")


class TotalChanged(ValidationFailed):
    """The order would cost other than the total the buyer was shown (a way of receiving
    changed after the page computed it, or a shop's delivery fee did)."""

    code = "total_changed"
    default_message = _l("Total pesanan berubah sesuai pilihan Anda. Periksa total yang baru, lalu buat pesanan lagi.")


@dataclass(frozen=True)
class ShopChoice:
    """How one shop's part of the order reaches the buyer."""

    shop_id: int
    method: FulfilmentMethod
    address: str | None = None
    note: str | None = None


def new_order_number(now: datetime | None = None) -> str:
    suffix = "".join(secrets.choice(_NUMBER_ALPHABET) for _ in range(6))
    return f"BBL-{jakarta_today(now):%y%m%d}-{suffix}"


def order_by_key(buyer, idempotency_key: str) -> Order | None:
    return db.session.scalar(
        sa.select(Order).where(Order.buyer_id == buyer.id, Order.idempotency_key == idempotency_key)
    )


def place_order(buyer, choices: list[ShopChoice], *, idempotency_key: str,
                channel: Channel = Channel.PERSONAL, now: datetime | None = None,
                expected_total: int | None = None) -> tuple[Order, bool]:
    """Check out the buyer's whole cart. Returns (order, created); a repeated submission of the
    same cart returns the first order with created=False. With `expected_total` (the total the
    checkout page showed), an order that would cost anything else is refused."""
    now = now or utcnow()
    existing = order_by_key(buyer, idempotency_key)
    if existing is not None:
        return existing, False
    lines = cart_lines_for(buyer, categories=True)
    same_cart = bool(lines) and cart_key(buyer, lines) == idempotency_key
    if not same_cart:
        # A submission of the same page may have committed its order (and emptied the cart)
        # between the look-up above and reading the cart: each statement sees what was
        # committed before it (PostgreSQL's READ COMMITTED), so this look-up finds it.
        existing = order_by_key(buyer, idempotency_key)
        if existing is not None:
            return existing, False
    if not lines:
        raise ValidationFailed(_l("Keranjang Anda kosong."))
    if not same_cart:
        raise CartNeedsReview()
    review = review_cart(buyer, lines)
    if review.problems:
        _refuse(review.problems[0])
    by_shop = _choices_for(review.groups, choices)

    initial = F.AWAITING_PAYMENT if channel == Channel.PERSONAL else F.AWAITING_APPROVAL
    number = new_order_number(now)
    order = Order(
        number=number, buyer_id=buyer.id, agency_id=_agency_id(buyer), channel=channel,
        idempotency_key=idempotency_key,
        expires_at=now + timedelta(minutes=current_app.config["ORDER_HOLD_MINUTES"]) if channel == Channel.PERSONAL else None,
        seller_orders=[_seller_order(number, index, group, by_shop[group.shop.id], initial, now)
                       for index, group in enumerate(review.groups, start=1)],
    )
    _add_up(order)
    if expected_total is not None and order.total_amount != expected_total:
        raise TotalChanged()
    if order.total_amount >= MAX_AMOUNT:
        raise ValidationFailed(_l("Nilai pesanan terlalu besar untuk satu kali pembayaran. Bagi menjadi beberapa pesanan."))
    try:
        with db.session.begin_nested():
            db.session.add(order)
    except IntegrityError:  # the same cart submitted at the same moment: the other one won
        existing = order_by_key(buyer, idempotency_key)
        if existing is None:
            raise
        return existing, False

    # Work that needs no product lock first, so the stock rows below stay locked briefly.
    for so in order.seller_orders:
        record_event(so, order_id=order.id, actor=buyer, actor_kind=Actor.BUYER, to_status=initial,
                     note=str(_l("Pesanan dibuat")))
    if channel == Channel.PERSONAL:
        notify_order_placed(order)
    take_stock(lines)
    clear_cart(buyer, lines)
    check_placed(buyer, order)
    count_checkout(order)  # counted when this transaction commits
    return order, True


def check_placed(buyer, order: Order) -> None:
    """The checks that need the placed order (flushed, stock taken): each refuses by raising,
    and the caller rolls the whole checkout back."""
    reserve_for_checkout(buyer, order)  # QuotaExceeded past the buyer's monthly ceiling; holds the room
    if order.channel == Channel.AGENCY:
        for so in order.seller_orders:
            check_channel_limit(so.total_amount, so.number)  # LimitExceeded: one package per SP


def same_choice_for_every_shop(buyer, method: FulfilmentMethod, address: str | None = None,
                               note: str | None = None) -> list[ShopChoice]:
    """One way of receiving for every shop in the cart (demo data and tests)."""
    return [ShopChoice(shop_id=group.shop.id, method=method, address=address, note=note)
            for group in review_cart(buyer).groups]


def office_address_for(buyer) -> str | None:
    """The default delivery address: the buyer's office (their agency's address)."""
    asn = getattr(buyer, "asn", None)
    agency = asn.agency if asn is not None else None
    if agency is None or not agency.address:
        return None
    return f"{agency.name}, {agency.address}"


def _agency_id(buyer) -> int | None:
    asn = getattr(buyer, "asn", None)
    return asn.agency_id if asn is not None else None


def _choices_for(groups, choices: list[ShopChoice]) -> dict[int, ShopChoice]:
    by_shop = {choice.shop_id: choice for choice in choices}
    for group in groups:
        shop, choice = group.shop, by_shop.get(group.shop.id)
        if choice is None:
            raise ValidationFailed(_l("Pilih cara pengiriman untuk %(shop)s.", shop=shop.name), shop_id=shop.id)
        offered = {FulfilmentMethod.PICKUP: shop.offers_pickup, FulfilmentMethod.DELIVERY: shop.offers_delivery}
        if not offered.get(choice.method):
            raise ValidationFailed(_l("%(shop)s tidak melayani cara pengiriman ini.", shop=shop.name), shop_id=shop.id)
        if choice.method == FulfilmentMethod.DELIVERY and not (choice.address or "").strip():
            raise ValidationFailed(_l("Isi alamat pengiriman untuk %(shop)s.", shop=shop.name), shop_id=shop.id)
    return by_shop


def _refuse(item) -> None:
    """Say which line stands in the way and why."""
    error = OutOfStock if item.problem in ("out_of_stock", "stock_short") else CartNeedsReview
    raise error(_l("%(name)s: %(why)s", name=item.product.name, why=item.message), product_id=item.product.id,
                problem=item.problem)


def _seller_order(order_number: str, index: int, group, choice: ShopChoice, status: F, now: datetime) -> SellerOrder:
    shop = group.shop
    lines = [
        OrderLine(
            product_id=item.product.id, category_id=item.product.category_id, product_name=item.product.name,
            unit=item.product.unit, list_price_amount=item.line.price_seen_amount,
            unit_price_amount=item.line.price_seen_amount, quantity=item.line.quantity, amount=item.amount,
            platform_fee_bp=current_app.config["PLATFORM_FEE_BP"],
        )
        for item in group.items
    ]
    part = part_totals(shop, sum(line.amount for line in lines), choice.method, now)
    delivery = choice.method == FulfilmentMethod.DELIVERY
    return SellerOrder(
        shop_id=shop.id, number=f"{order_number}-{index}", status=status, fulfilment_method=choice.method,
        delivery_address=choice.address.strip() if delivery else None, note=(choice.note or "").strip() or None,
        goods_amount=part.goods_amount, ppn_amount=part.ppn_amount, ppn_rate_bp=part.ppn_rate_bp,
        delivery_fee_amount=part.delivery_fee_amount, total_amount=part.total_amount, lines=lines,
    )


def _add_up(order: Order) -> None:
    totals = add_up(order.seller_orders)
    order.goods_amount, order.ppn_amount = totals.goods_amount, totals.ppn_amount
    order.delivery_amount, order.total_amount = totals.delivery_amount, totals.total_amount
