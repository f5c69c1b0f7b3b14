"""What an order costs: each shop's part (goods, PPN, delivery) and the order's sum.

One set of functions for the figures a placed order stores and the figures the checkout page
shows before it is placed, so the buyer sees exactly what the order will carry.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bebeli.dates import jakarta_today
from bebeli.orders.models import FulfilmentMethod
from bebeli.tax import ppn_amount, ppn_rate_bp


@dataclass(frozen=True)
class PartTotals:
    """One shop's part of an order."""

    goods_amount: int
    ppn_rate_bp: int
    ppn_amount: int
    delivery_fee_amount: int

    @property
    def total_amount(self) -> int:
        return self.goods_amount + self.ppn_amount + self.delivery_fee_amount


@dataclass(frozen=True)
class OrderTotals:
    goods_amount: int
    ppn_amount: int
    delivery_amount: int
    total_amount: int


def ppn_for(shop, goods_amount: int, at: datetime | None = None) -> tuple[int, int]:
    """(rate in basis points, PPN amount) a shop charges on `goods_amount` on that day."""
    rate = ppn_rate_bp(jakarta_today(at), is_pkp=shop.is_pkp)
    return rate, ppn_amount(goods_amount, rate)


def part_totals(shop, goods_amount: int, method: FulfilmentMethod, at: datetime | None = None) -> PartTotals:
    """A shop's part: its goods, the PPN it charges on them, and its delivery fee when it delivers."""
    rate, ppn = ppn_for(shop, goods_amount, at)
    fee = shop.delivery_fee_amount if method == FulfilmentMethod.DELIVERY else 0
    return PartTotals(goods_amount=goods_amount, ppn_rate_bp=rate, ppn_amount=ppn, delivery_fee_amount=fee)


def add_up(parts) -> OrderTotals:
    """The order's figures from its parts (PartTotals or SellerOrders alike)."""
    parts = list(parts)
    return OrderTotals(
        goods_amount=sum(p.goods_amount for p in parts),
        ppn_amount=sum(p.ppn_amount for p in parts),
        delivery_amount=sum(p.delivery_fee_amount for p in parts),
        total_amount=sum(p.total_amount for p in parts),
    )


@dataclass(frozen=True)
class CheckoutQuote:
    """The checkout page's figures: per shop for every way it offers, and the order's for the
    ways chosen."""

    options: dict[int, dict[FulfilmentMethod, PartTotals]]   # shop id → method → part
    chosen: dict[int, FulfilmentMethod]                        # shop id → method
    totals: OrderTotals


def offered_methods(shop) -> list[FulfilmentMethod]:
    return [m for m, offered in ((FulfilmentMethod.DELIVERY, shop.offers_delivery),
                                 (FulfilmentMethod.PICKUP, shop.offers_pickup)) if offered]


def quote_checkout(groups, chosen: dict[int, FulfilmentMethod], at: datetime | None = None) -> CheckoutQuote:
    """Figures for the cart's shop groups; a shop without a valid choice gets its first offered way."""
    options, picked = {}, {}
    for group in groups:
        shop = group.shop
        methods = offered_methods(shop) or [FulfilmentMethod.DELIVERY]
        options[shop.id] = {m: part_totals(shop, group.goods_amount, m, at) for m in methods}
        picked[shop.id] = chosen.get(shop.id) if chosen.get(shop.id) in methods else methods[0]
    return CheckoutQuote(options=options, chosen=picked,
                         totals=add_up(options[shop_id][method] for shop_id, method in picked.items()))
