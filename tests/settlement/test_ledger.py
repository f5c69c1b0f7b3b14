"""The shop ledger as the order lifecycle writes it: a completed sale with its fee, refunds
before and after completion, agency income settled outside, each written once."""
from __future__ import annotations

import sqlalchemy as sa
from flask import current_app

from bebeli import lifecycle
from bebeli.extensions import db
from bebeli.settlement import ledger
from bebeli.settlement.models import EntryKind, LedgerEntry, ShopBalance
from tests.factories import ProductFactory, ShopFactory
from tests.orders.factories import asn_buyer, paid_order
from tests.procurement.factories import agency_paid


def _entries(shop_id):
    return [(e.kind, e.amount) for e in db.session.scalars(
        sa.select(LedgerEntry).where(LedgerEntry.shop_id == shop_id).order_by(LedgerEntry.id))]


def _balance_row(shop_id):
    return db.session.scalar(sa.select(ShopBalance.balance_amount).where(ShopBalance.shop_id == shop_id))


def _deliver(so):
    lifecycle.accept_seller_order(so, so.shop.owner)
    lifecycle.ship_seller_order(so, so.shop.owner, courier="Kurir toko", tracking_number=None)
    db.session.commit()


def test_a_completed_sale_is_credited_once_with_its_fee_at_the_rate_frozen_at_checkout(ctx):
    current_app.config["PLATFORM_FEE_BP"] = 250   # 2.5% when the buyer checks out
    try:
        shop = ShopFactory(delivery_fee_amount=10_000)
        order = paid_order(asn_buyer(), (ProductFactory(shop=shop, price_amount=40_000, stock=9), 3))
    finally:
        current_app.config["PLATFORM_FEE_BP"] = 0  # changed before completion: the frozen rate holds
    [so] = order.seller_orders
    _deliver(so)
    lifecycle.confirm_receipt(so, order.buyer)
    db.session.commit()
    assert _entries(shop.id) == [(EntryKind.SALE, 130_000), (EntryKind.FEE, -3_000)]
    ledger.credit_sale(so)                           # reported again: nothing new
    db.session.commit()
    assert len(_entries(shop.id)) == 2 and _balance_row(shop.id) == 127_000
    balance = ledger.balance_of(shop.id)
    assert (balance.total_amount, balance.available_amount, balance.pending_amount) == (127_000, 0, 127_000)


def test_items_refused_at_receipt_are_debited_and_leave_the_fee(ctx):
    current_app.config["PLATFORM_FEE_BP"] = 1_000
    try:
        shop = ShopFactory(delivery_fee_amount=0)
        order = paid_order(asn_buyer(), (ProductFactory(shop=shop, price_amount=50_000, stock=9), 4))
    finally:
        current_app.config["PLATFORM_FEE_BP"] = 0
    [so] = order.seller_orders
    _deliver(so)
    lifecycle.confirm_receipt(so, order.buyer, rejected={so.lines[0].id: 1}, note="Satu rusak")
    db.session.commit()
    assert _entries(shop.id) == [(EntryKind.SALE, 200_000), (EntryKind.FEE, -15_000), (EntryKind.REFUND, -50_000)]
    assert _balance_row(shop.id) == sum(amount for _, amount in _entries(shop.id)) == 135_000


def test_a_part_rejected_before_completion_never_reaches_the_ledger(ctx):
    shop = ShopFactory()
    order = paid_order(asn_buyer(), (ProductFactory(shop=shop, price_amount=50_000, stock=9), 1))
    [so] = order.seller_orders
    lifecycle.reject_seller_order(so, shop.owner, "Stok habis")
    db.session.commit()
    assert _entries(shop.id) == [] and _balance_row(shop.id) is None


def test_money_the_treasurer_paid_outside_shows_as_income_and_nets_to_zero(ctx):
    purchase = agency_paid()
    shop_id = purchase.shop_id
    kinds = _entries(shop_id)
    assert [k for k, _ in kinds] == [EntryKind.OUTSIDE_SALE, EntryKind.OUTSIDE_PAID] * 2
    assert sum(a for k, a in kinds if k == EntryKind.OUTSIDE_SALE) == purchase.net_amount
    assert _balance_row(shop_id) == 0
