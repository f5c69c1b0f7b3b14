"""Placing orders and moving them through their lifecycle.

`place_order` turns the cart into one Order with one SellerOrder per shop in one transaction:
the order with its seller orders and line snapshots first (the order's unique idempotency key
makes a repeated submission find the first order), then the stock, taken with conditional
UPDATEs in product-id order, then `checkout_validating` for other modules' vetoes. Any failure
raises and the caller rolls the whole thing back. Every later move goes through
`orders.status.transition`; the ones that give money back call `payments.refunds.refund` in
the same transaction.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.util import identity_key

from bebeli.audit.services import record
from bebeli.cart.models import CartLine
from bebeli.cart.services import cart_key, cart_lines_for, clear_cart, line_problem, review_cart
from bebeli.catalog.models import Product
from bebeli.catalog.queries import orderable
from bebeli.dates import jakarta_today
from bebeli.db import utcnow
from bebeli.errors import Conflict, NotAllowed, OutOfStock, ValidationFailed
from bebeli.extensions import db
from bebeli.money import MAX_AMOUNT
from bebeli.notifications.services import notify_order_placed
from bebeli.orders.models import (
    Channel,
    FulfilmentMethod,
    FulfilmentStatus,
    Order,
    OrderLine,
    PaymentStatus,
    SellerOrder,
)
from bebeli.orders.status import Actor, record_event, transition
from bebeli.orders.totals import add_up, part_totals
from bebeli.payments.refunds import refund
from bebeli.signals import checkout_validating, seller_order_reduced
from bebeli.tax import ppn_amount

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


# --- checkout ------------------------------------------------------------------------------

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
        payment_status=PaymentStatus.UNPAID, idempotency_key=idempotency_key,
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
    _take_stock(lines)
    clear_cart(buyer, lines)
    checkout_validating.send(buyer, order=order)
    return order, True


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


def _take_stock(lines: list[CartLine]) -> None:
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


def _release_stock(so: SellerOrder) -> None:
    for line in sorted(so.lines, key=lambda l: l.product_id):
        db.session.execute(
            sa.update(Product)
            .where(Product.id == line.product_id)
            .values(stock=Product.stock + line.quantity,
                    sold_count=sa.case((Product.sold_count >= line.quantity, Product.sold_count - line.quantity), else_=0))
            .execution_options(synchronize_session=False)
        )
        _forget_stock(line.product_id)


def _forget_stock(product_id: int) -> None:
    """A product row already loaded in this session has stale stock after an UPDATE in SQL."""
    product = db.session.identity_map.get(identity_key(Product, product_id))
    if product is not None:
        db.session.expire(product, ["stock", "sold_count"])


def _seller_order(order_number: str, index: int, group, choice: ShopChoice, status: F, now: datetime) -> SellerOrder:
    shop = group.shop
    lines = [
        OrderLine(
            product_id=item.product.id, category_id=item.product.category_id, product_name=item.product.name,
            unit=item.product.unit, list_price_amount=item.line.price_seen_amount,
            unit_price_amount=item.line.price_seen_amount, quantity=item.line.quantity, amount=item.amount,
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


# --- orders that end before payment -----------------------------------------------------------

def _end_unpaid(order: Order, *, payment_status: PaymentStatus, to: F, reason: str, actor=None,
                actor_kind: Actor = Actor.SYSTEM, note: str | None = None, conditions=()) -> bool:
    """Close an unpaid order and give its stock back. False when it is no longer unpaid (a
    payment or another closing got there first): the conditional UPDATE decides, once."""
    now = utcnow()
    result = db.session.execute(
        sa.update(Order)
        .where(Order.id == order.id, Order.payment_status == PaymentStatus.UNPAID, *conditions)
        .values(payment_status=payment_status, updated_at=now)
    )
    if result.rowcount != 1:
        db.session.refresh(order)
        return False
    for so in order.seller_orders:
        if so.status in (F.AWAITING_PAYMENT, F.AWAITING_APPROVAL):
            transition(so, to, actor=actor, actor_kind=actor_kind, note=note)
            _release_stock(so)
            seller_order_reduced.send(so, amount=so.goods_amount, reason=reason, at=now)
    return True


def expire_order(order: Order, *, now: datetime | None = None, force: bool = False) -> bool:
    """Expire an unpaid order whose hold has run out (or, with `force`, whose payment session
    the gateway has closed) and give its stock back."""
    conditions = () if force else (Order.expires_at <= (now or utcnow()),)
    return _end_unpaid(order, payment_status=PaymentStatus.EXPIRED, to=F.EXPIRED, reason="expired",
                       note=str(_l("Batas waktu pembayaran terlewati; stok dikembalikan.")), conditions=conditions)


def fail_order(order: Order) -> bool:
    return _end_unpaid(order, payment_status=PaymentStatus.FAILED, to=F.CANCELLED, reason="cancelled",
                       note=str(_l("Pembayaran gagal; stok dikembalikan.")))


def cancel_unpaid_order(order: Order, buyer) -> bool:
    if order.channel == Channel.AGENCY and any(
            so.status not in (F.AWAITING_APPROVAL, F.CANCELLED, F.REJECTED, F.EXPIRED) for so in order.seller_orders):
        raise NotAllowed(_l("Sebagian pesanan instansi ini sudah disetujui PPK; batalkan per toko di menu Pengadaan."))
    return _end_unpaid(order, payment_status=PaymentStatus.CANCELLED, to=F.CANCELLED, reason="cancelled",
                       actor=buyer, actor_kind=Actor.BUYER, note=str(_l("Dibatalkan pembeli sebelum membayar.")))


def claim_overdue_order(now: datetime | None = None, *, skip: set[int] = frozenset()) -> Order | None:
    """Lock the oldest unpaid order whose hold has run out (other than `skip`), passing over
    any that another server is handling (SKIP LOCKED; SQLite serialises writers instead)."""
    stmt = (
        sa.select(Order.id)
        .where(Order.payment_status == PaymentStatus.UNPAID, Order.expires_at <= (now or utcnow()))
        .order_by(Order.id).limit(1).with_for_update(skip_locked=True)
    )
    if skip:
        stmt = stmt.where(Order.id.not_in(skip))
    order_id = db.session.scalar(stmt)
    return db.session.get(Order, order_id) if order_id is not None else None


def is_overdue(order: Order, now: datetime | None = None) -> bool:
    return (order.payment_status == PaymentStatus.UNPAID and order.expires_at is not None
            and order.expires_at <= (now or utcnow()))


# --- after payment -------------------------------------------------------------------------

def _refund_whole(so: SellerOrder, *, reason: str, actor) -> None:
    """Give back a seller order in full: its stock, the money paid for it, the quota's count."""
    _release_stock(so)
    if so.order.paid_at is not None:  # an agency order cancelled before approval owes nothing back
        refund(so.order, so.total_amount - so.refunded_amount, reason=reason, seller_order=so, actor=actor,
               key=f"{so.number}:{reason}")
    seller_order_reduced.send(so, amount=so.goods_amount - so.rejected_goods_amount, reason=reason, at=utcnow())


def _required(text: str | None, message) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationFailed(message, field="reason")
    return text


def cancel_seller_order(so: SellerOrder, buyer, reason: str | None = None) -> None:
    """The buyer withdraws one shop's part before the seller accepted it: full refund."""
    reason = (reason or "").strip() or None
    transition(so, F.CANCELLED, actor=buyer, actor_kind=Actor.BUYER,
               note=reason or str(_l("Dibatalkan pembeli.")), status_reason=reason)
    _refund_whole(so, reason="cancelled", actor=buyer)


def reject_seller_order(so: SellerOrder, seller, reason: str, *, actor_kind: Actor = Actor.SELLER) -> None:
    reason = _required(reason, _l("Tuliskan alasan penolakan untuk pembeli."))
    transition(so, F.REJECTED, actor=seller, actor_kind=actor_kind, note=reason, status_reason=reason)
    _refund_whole(so, reason="rejected", actor=seller)
    record("orders.reject", actor=seller, obj=so, number=so.number, reason=reason)


def accept_seller_order(so: SellerOrder, seller) -> None:
    transition(so, F.ACCEPTED, actor=seller, actor_kind=Actor.SELLER)
    record("orders.accept", actor=seller, obj=so, number=so.number)


def ship_seller_order(so: SellerOrder, seller, *, courier: str | None, tracking_number: str | None) -> None:
    courier = (courier or "").strip()
    tracking_number = (tracking_number or "").strip() or None
    if so.fulfilment_method == FulfilmentMethod.DELIVERY:
        courier = _required(courier, _l("Isi nama kurir atau jasa pengiriman."))
        note = f"{courier} · {tracking_number}" if tracking_number else courier
    else:
        courier = courier or str(_l("Diambil di toko"))
        note = str(_l("Siap diambil di toko."))
    transition(so, F.SHIPPED, actor=seller, actor_kind=Actor.SELLER, note=note,
               courier=courier[:60], tracking_number=tracking_number[:80] if tracking_number else None)
    record("orders.ship", actor=seller, obj=so, number=so.number, courier=courier, tracking_number=tracking_number)


def mark_delivered(so: SellerOrder, actor, *, actor_kind: Actor = Actor.SELLER) -> None:
    transition(so, F.DELIVERED, actor=actor, actor_kind=actor_kind)
    record("orders.delivered", actor=actor, obj=so, number=so.number)


def confirm_receipt(so: SellerOrder, buyer, *, rejected: dict[int, int] | None = None, note: str | None = None) -> int:
    """The buyer's receipt (the digital BAST): they received the goods, possibly refusing some
    items, which are refunded (goods and their PPN; delivery is not). Returns the refund."""
    if so.order.channel == Channel.AGENCY:
        raise NotAllowed(_l("Pesanan instansi selesai dengan BAST yang ditandatangani PPK."))
    return _receive(so, buyer, F.COMPLETED, rejected=rejected, note=note)


def record_bast_receipt(so: SellerOrder, ppk, *, rejected: dict[int, int] | None = None, note: str | None = None) -> int:
    """The PPK's BAST on an agency order: received, possibly refusing some items; the order
    waits for the treasurer (procurement's `sign_bast` calls this)."""
    if so.order.channel != Channel.AGENCY:
        raise NotAllowed()
    return _receive(so, ppk, F.RECEIVED, rejected=rejected, note=note)


def _receive(so: SellerOrder, buyer, to: F, *, rejected: dict[int, int] | None, note: str | None) -> int:
    rejected = {int(k): int(v) for k, v in (rejected or {}).items() if int(v)}
    lines = {line.id: line for line in so.lines}
    for line_id, quantity in rejected.items():
        if line_id not in lines or not 0 < quantity <= lines[line_id].quantity:
            raise ValidationFailed(_l("Jumlah barang yang ditolak tidak valid."), field="rejected")
    note = (note or "").strip() or None
    if rejected and not note:
        raise ValidationFailed(_l("Tuliskan alasan barang ditolak."), field="note")

    now = utcnow()
    if so.status == F.SHIPPED and to == F.COMPLETED:
        transition(so, F.DELIVERED, actor=buyer, actor_kind=Actor.BUYER, note=str(_l("Diterima pembeli.")))
    for line_id, quantity in rejected.items():
        lines[line_id].rejected_quantity = quantity
    rejected_goods = so.rejected_goods_amount
    summary = note or str(_l("Barang diterima lengkap dan sesuai."))
    transition(so, to, actor=buyer, actor_kind=Actor.BUYER, note=summary, received_at=now, receipt_note=note)
    if not rejected_goods:
        return 0
    kept_ppn = ppn_amount(so.goods_amount - rejected_goods, so.ppn_rate_bp)
    amount = rejected_goods + so.ppn_amount - kept_ppn
    refund(so.order, amount, reason="item_rejected", seller_order=so, actor=buyer, key=f"{so.number}:item_rejected")
    seller_order_reduced.send(so, amount=rejected_goods, reason="item_rejected", at=now)
    return amount


def autocomplete_delivered(*, now: datetime | None = None, limit: int = 200) -> int:
    """Complete seller orders delivered ORDER_AUTOCOMPLETE_DAYS ago that the buyer never
    confirmed. Rows are claimed with SKIP LOCKED so several servers may run this at once."""
    cutoff = (now or utcnow()) - timedelta(days=current_app.config["ORDER_AUTOCOMPLETE_DAYS"])
    claimed = db.session.scalars(
        sa.select(SellerOrder.id)
        .where(SellerOrder.status == F.DELIVERED, SellerOrder.delivered_at <= cutoff,
               # agency orders complete only with the PPK's BAST (procurement)
               SellerOrder.order_id.not_in(sa.select(Order.id).where(Order.channel == Channel.AGENCY)))
        .order_by(SellerOrder.id).limit(limit).with_for_update(skip_locked=True)
    ).all()
    note = ngettext("Selesai otomatis: pembeli tidak mengonfirmasi dalam %(num)d hari setelah barang sampai.",
                    "Selesai otomatis: pembeli tidak mengonfirmasi dalam %(num)d hari setelah barang sampai.",
                    current_app.config["ORDER_AUTOCOMPLETE_DAYS"])
    # The claimed rows are locked already: load them all at once, not one query per row.
    rows = db.session.scalars(sa.select(SellerOrder).where(SellerOrder.id.in_(claimed)).order_by(SellerOrder.id)).all()
    for so in rows:
        transition(so, F.COMPLETED, actor_kind=Actor.SYSTEM, note=note)
    return len(claimed)
