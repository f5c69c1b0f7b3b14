"""Twelve months of sales history for the demo seller (Keripik Bu Sari), so the insight charts
mean something on `make run`: purchases by the agencies of Siti (Disdik) and Budi (Dinkes), paid
by their treasurers and completed, in each of the eleven months before this one, growing over
the year (personal purchases come from the other demo seeders). Written as paid, completed orders
with their payment history, counted by the same signal a payment sends. Agency purchases are
settled by the treasurer, outside the card gateway and the quota. They are not credited to the
shop's settlement ledger, whose balance pages keep the figures of the orders made through the
screens. Run once: later runs change nothing.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

import sqlalchemy as sa

from bebeli import signals
from bebeli.auth.models import User
from bebeli.catalog.models import Product, ProductStatus
from bebeli.dates import jakarta_today, month_start
from bebeli.extensions import db
from bebeli.insights.ledger import rebuild
from bebeli.insights.queries import last_months
from bebeli.orders.models import (
    Channel, FulfilmentMethod, FulfilmentStatus, Order, OrderLine, PaymentStatus, PaymentStatusEvent, SellerOrder,
)
from bebeli.lifecycle.payment_status import move_payment
from bebeli.orders.totals import part_totals
from bebeli.sellers.models import Shop

PREFIX = "RWY"
SELLER = "seller@bebeli.test"
BUYERS = ("siti.rahmawati@bebeli.test", "budi.santoso@bebeli.test")


def seed(accounts: list, password: str) -> None:
    if db.session.scalar(sa.select(Order.id).where(Order.number.like(f"{PREFIX}-%")).limit(1)) is not None:
        return
    shop = db.session.scalar(sa.select(Shop).join(User, User.id == Shop.owner_id).where(User.email == SELLER))
    buyers = [db.session.scalar(sa.select(User).where(User.email == email)) for email in BUYERS]
    if shop is None or not all(buyers):
        return
    products = db.session.scalars(sa.select(Product).where(
        Product.shop_id == shop.id, Product.status == ProductStatus.PUBLISHED).order_by(Product.id)).all()
    if not products:
        return
    months = last_months(month_start(jakarta_today()), 12)[:-1]
    n = 0
    for index, month in enumerate(months):
        # Sales grow over the year: more orders and larger ones in later months.
        for k in range(1 + index // 3):
            buyer = buyers[(index + k) % len(buyers)]
            items = [(products[(index + k + j) % len(products)], 5 + (index + j) % 4 * 3)
                     for j in range(1 + (k % 2))]
            n += 1
            _completed(shop, buyer, items, _at(month, 3 + 5 * k), n)
    db.session.flush()
    # The settlement demo moves its orders' payment dates back after paying them: the summaries
    # are recomputed once so that they follow the dates as stored.
    rebuild()


def _at(month, day: int) -> datetime:
    # 10:00 in Jakarta (03:00 UTC) on `day` of the month
    return datetime.combine(month.replace(day=min(day, 28)), time(3), tzinfo=timezone.utc)


def _completed(shop: Shop, buyer: User, items, paid_at: datetime, n: int) -> SellerOrder:
    number = f"{PREFIX}-{paid_at:%Y%m}-{n:03d}"
    agency_id = buyer.asn.agency_id if buyer.asn else None
    order = Order(number=number, buyer_id=buyer.id, agency_id=agency_id, channel=Channel.AGENCY,
                  idempotency_key=f"demo-history-{n}", created_at=paid_at - timedelta(minutes=20))
    goods = sum(p.price_amount * q for p, q in items)
    parts = part_totals(shop, goods, FulfilmentMethod.PICKUP, paid_at)
    done = paid_at + timedelta(days=3)
    so = SellerOrder(shop_id=shop.id, number=f"{number}-1", status=FulfilmentStatus.COMPLETED,
                     fulfilment_method=FulfilmentMethod.PICKUP, goods_amount=goods, ppn_rate_bp=parts.ppn_rate_bp,
                     ppn_amount=parts.ppn_amount, delivery_fee_amount=0, total_amount=parts.total_amount,
                     accepted_at=paid_at + timedelta(hours=2), shipped_at=paid_at + timedelta(days=1),
                     delivered_at=done, received_at=done, completed_at=done, created_at=order.created_at,
                     updated_at=done)
    for product, quantity in items:
        so.lines.append(OrderLine(product_id=product.id, category_id=product.category_id, product_name=product.name,
                                  unit=product.unit, list_price_amount=product.price_amount,
                                  unit_price_amount=product.price_amount, quantity=quantity,
                                  amount=product.price_amount * quantity))
    order.seller_orders.append(so)
    order.goods_amount, order.ppn_amount = goods, parts.ppn_amount
    order.delivery_amount, order.total_amount = 0, parts.total_amount
    db.session.add(order)
    db.session.flush()
    move_payment(order, PaymentStatus.PAID, reason="paid", frm=PaymentStatus.UNPAID, paid_at=paid_at,
                 payment_reference=f"demo-{number}")
    db.session.flush()
    db.session.execute(sa.update(PaymentStatusEvent).where(PaymentStatusEvent.order_id == order.id)
                       .values(at=paid_at))
    db.session.refresh(order)
    signals.order_paid.send(order, paid_at=paid_at)
    return so

