"""Helpers for the payout tests: completed sales through the real lifecycle, balances read back."""
from __future__ import annotations

from contextlib import contextmanager

import sqlalchemy as sa
from flask import current_app

from bebeli import lifecycle
from bebeli.extensions import db
from bebeli.settlement.models import LedgerEntry, ShopBalance
from tests.factories import ProductFactory
from tests.orders.factories import asn_buyer, paid_order


@contextmanager
def no_hold():
    """Sales are available the moment they complete (SETTLEMENT_HOLD_DAYS = 0)."""
    before = current_app.config["SETTLEMENT_HOLD_DAYS"]
    current_app.config["SETTLEMENT_HOLD_DAYS"] = 0
    try:
        yield
    finally:
        current_app.config["SETTLEMENT_HOLD_DAYS"] = before


def deliver(so):
    lifecycle.accept_seller_order(so, so.shop.owner)
    lifecycle.ship_seller_order(so, so.shop.owner, courier="Kurir toko", tracking_number=None)
    db.session.commit()


def completed_sale(shop, price: int, quantity: int = 1, *, buyer=None, rejected: int = 0):
    """A personal order of `quantity` × `price` from `shop`, delivered and confirmed (with
    `rejected` units refused at receipt); returns its seller order."""
    product = ProductFactory(shop=shop, price_amount=price, stock=quantity + 5)
    order = paid_order(buyer or asn_buyer(), (product, quantity))
    [so] = order.seller_orders
    deliver(so)
    lifecycle.confirm_receipt(so, order.buyer, rejected={so.lines[0].id: rejected} if rejected else None,
                              note="Ada yang rusak" if rejected else None)
    db.session.commit()
    return so


def entries_sum(shop_id: int) -> int:
    return db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(LedgerEntry.amount), 0))
                             .where(LedgerEntry.shop_id == shop_id))


def balance_row(shop_id: int) -> int:
    return db.session.scalar(sa.select(ShopBalance.balance_amount).where(ShopBalance.shop_id == shop_id)) or 0
