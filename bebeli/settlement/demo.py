"""Demo settlement: the demo seller (Keripik Bu Sari) has sales completed two weeks ago that a
paid-out batch sent to her account, a sale completed last week whose money is available for
the next payout, and the demo orders' fresh sale still inside its hold.

The orders go through the real services; only their dates are moved back afterwards (the
completion and the ledger entries it wrote), so the story has a past."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from bebeli import lifecycle
from bebeli.auth.models import User
from bebeli.catalog.models import Product
from bebeli.db import utcnow
from bebeli.extensions import db
from bebeli.notifications.services import request_context
from bebeli.orders.demo import shipped_demo_order
from bebeli.orders.models import SellerOrder
from bebeli.payments.models import Payment, PaymentEvent
from bebeli.settlement import payouts
from bebeli.settlement.models import LedgerEntry, PayoutBatch

BUYER = "siti.rahmawati@bebeli.test"
ADMIN = "admin@bebeli.test"
# (product, quantity, days ago the part completed)
SALES = [("Keripik Pisang Cokelat", 10, 16), ("Keripik Tempe Sagu", 6, 15), ("Keripik Pisang Cokelat", 4, 6)]
PAID_OUT_DAYS_AGO = 10


def _product(name: str) -> Product | None:
    return db.session.scalar(sa.select(Product).where(Product.name == name).limit(1))


def seed(accounts: list, password: str) -> None:
    if db.session.scalar(sa.select(PayoutBatch.id).limit(1)) is not None:
        return  # seeded before, or a real database with payouts
    buyer = db.session.scalar(sa.select(User).where(User.email == BUYER))
    admin = db.session.scalar(sa.select(User).where(User.email == ADMIN))
    products = [(_product(name), quantity, days) for name, quantity, days in SALES]
    if buyer is None or admin is None or any(p is None for p, _, _ in products):
        return
    now = utcnow()
    done = []
    for product, quantity, days in products:
        done.append((_completed_sale(buyer, product, quantity), now - timedelta(days=days)))
    for so, at in done[:2]:
        _move_back(so, at)
    with request_context():
        result = payouts.create_batch(period_key=payouts.period_of((now - timedelta(days=PAID_OUT_DAYS_AGO)).date()),
                                      actor=admin, now=now - timedelta(days=PAID_OUT_DAYS_AGO))
        for payout in result.batch.payouts:
            payouts.mark_paid(payout, bank_reference="BJB-DEMO-0001", actor=admin,
                              now=now - timedelta(days=PAID_OUT_DAYS_AGO - 1))
    so, at = done[2]
    _move_back(so, at)


def _completed_sale(buyer: User, product: Product, quantity: int) -> SellerOrder:
    [so] = shipped_demo_order(buyer, [(product, quantity)]).seller_orders
    lifecycle.confirm_receipt(so, buyer, note="Diterima lengkap.")
    db.session.flush()
    return so


def _move_back(so: SellerOrder, at) -> None:
    """The part completed at `at`: its completion and its ledger entries dated then, and the
    order placed and paid two days before (the gateway's records too, so the month's
    reconciliation reads the same story)."""
    shift = utcnow() - at
    paid = at - timedelta(days=2)
    so.received_at = at
    so.completed_at = at
    order = so.order
    order.created_at = order.paid_at = paid
    for payment in db.session.scalars(sa.select(Payment).where(Payment.order_id == order.id)):
        payment.created_at = payment.updated_at = paid
    for event in db.session.scalars(sa.select(PaymentEvent).where(PaymentEvent.order_id == order.id)):
        event.created_at = paid
    for entry in db.session.scalars(sa.select(LedgerEntry).where(LedgerEntry.seller_order_id == so.id)):
        entry.at = entry.at - shift
        entry.available_at = entry.available_at - shift
    db.session.flush()
