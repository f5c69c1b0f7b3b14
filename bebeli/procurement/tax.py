"""Taxes on an agency purchase: PPN charged by PKP sellers, and what the treasurer withholds.

The treasurer withholds PPh 22 (1.5% of the price excluding PPN) on purchases above a
threshold, and as PPN collector keeps the PPN of payments above another threshold, paying
both to the state itself; the seller receives the rest (the net). Rates come from dated
configuration, and the figures are computed with the rates in force on the Surat Pesanan's
date, so a later change of rate never alters a document already issued.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import current_app

from bebeli.money import percent_of
from bebeli.orders.models import FulfilmentMethod
from bebeli.orders.totals import CheckoutQuote, quote_checkout
from bebeli.tax import entry_on, ppn_amount, ppn_rate_bp


@dataclass(frozen=True)
class WithholdingRates:
    ppn_bp: int                          # PPN charged by PKP sellers, effective rate
    pph22_bp: int
    pph22_threshold_amount: int          # purchases up to this (excluding PPN) carry no PPh 22
    ppn_collection_threshold_amount: int  # payments up to this (including PPN): seller keeps PPN


@dataclass(frozen=True)
class TaxBreakdown:
    dpp_amount: int            # dasar pengenaan pajak: the price of the goods excluding PPN
    ppn_amount: int
    ppn_rate_bp: int
    delivery_amount: int       # the seller's delivery fee, outside the goods' taxes
    pph22_amount: int
    pph22_rate_bp: int
    ppn_withheld_amount: int   # PPN the treasurer keeps as collector
    net_amount: int            # what the seller receives

    @property
    def gross_amount(self) -> int:
        """The invoice value: goods, PPN and delivery."""
        return self.dpp_amount + self.ppn_amount + self.delivery_amount

    @property
    def withheld_amount(self) -> int:
        return self.pph22_amount + self.ppn_withheld_amount


def pph22_applies(goods_amount: int, rates: WithholdingRates) -> bool:
    """Purchases up to the threshold (excluding PPN), not split, carry no PPh 22."""
    return goods_amount > rates.pph22_threshold_amount


def pph22_on(goods_amount: int, rates: WithholdingRates) -> int:
    """PPh 22 the treasurer withholds on goods worth `goods_amount` (before PPN) bought at once."""
    return percent_of(goods_amount, rates.pph22_bp) if pph22_applies(goods_amount, rates) else 0


def compute_taxes(goods_amount: int, *, pkp: bool, rates: WithholdingRates, delivery_amount: int = 0) -> TaxBreakdown:
    """The figures printed on the Surat Pesanan, the BAST and the invoice."""
    if goods_amount < 0 or delivery_amount < 0:
        raise ValueError("amounts cannot be negative")
    ppn_rate = rates.ppn_bp if pkp else 0
    ppn = ppn_amount(goods_amount, ppn_rate)
    gross = goods_amount + ppn + delivery_amount
    pph22 = pph22_on(goods_amount, rates)
    ppn_withheld = ppn if gross > rates.ppn_collection_threshold_amount else 0
    return TaxBreakdown(
        dpp_amount=goods_amount,
        ppn_amount=ppn,
        ppn_rate_bp=ppn_rate,
        delivery_amount=delivery_amount,
        pph22_amount=pph22,
        pph22_rate_bp=rates.pph22_bp if pph22_applies(goods_amount, rates) else 0,
        ppn_withheld_amount=ppn_withheld,
        net_amount=gross - ppn_withheld - pph22,
    )


def rates_on(day: date) -> WithholdingRates:
    entry = entry_on(current_app.config["AGENCY_WITHHOLDING_SCHEDULE"], day)
    if not entry:
        raise LookupError(f"no withholding rates configured for {day.isoformat()}")
    return WithholdingRates(
        ppn_bp=ppn_rate_bp(day, is_pkp=True),
        pph22_bp=int(entry["pph22_bp"]),
        pph22_threshold_amount=int(entry["pph22_threshold_amount"]),
        ppn_collection_threshold_amount=int(entry["ppn_collection_threshold_amount"]),
    )


@dataclass(frozen=True)
class AgencyQuote:
    """The agency checkout page's figures: the order's parts (per shop, for every way it
    offers) with each part's taxes as its purchase will carry them, and the sums for the ways chosen."""

    order: CheckoutQuote
    taxes: dict[int, dict[FulfilmentMethod, TaxBreakdown]]

    @property
    def chosen(self) -> list[TaxBreakdown]:
        return [self.taxes[shop_id][method] for shop_id, method in self.order.chosen.items()]

    @property
    def gross_amount(self) -> int:
        return sum(t.gross_amount for t in self.chosen)

    @property
    def pph22_amount(self) -> int:
        return sum(t.pph22_amount for t in self.chosen)

    @property
    def ppn_withheld_amount(self) -> int:
        return sum(t.ppn_withheld_amount for t in self.chosen)

    @property
    def net_amount(self) -> int:
        return sum(t.net_amount for t in self.chosen)


def quote_agency_checkout(groups, chosen: dict[int, FulfilmentMethod], day: date) -> AgencyQuote:
    """What each purchase of an agency checkout will carry, by the functions that compute it
    when the order is placed (`orders.totals`, then `compute_taxes` on each seller order)."""
    order = quote_checkout(groups, chosen)
    rates = rates_on(day)
    shops = {group.shop.id: group.shop for group in groups}
    taxes = {shop_id: {method: compute_taxes(part.goods_amount, pkp=shops[shop_id].is_pkp, rates=rates,
                                              delivery_amount=part.delivery_fee_amount)
                       for method, part in options.items()}
             for shop_id, options in order.options.items()}
    return AgencyQuote(order=order, taxes=taxes)


def taxes_for(so, day: date, *, accepted_only: bool = False) -> TaxBreakdown:
    """A seller order's figures at the rates of `day`; with `accepted_only`, without the goods
    refused at the BAST."""
    goods = so.goods_amount - (so.rejected_goods_amount if accepted_only else 0)
    return compute_taxes(goods, pkp=so.shop.is_pkp, rates=rates_on(day), delivery_amount=so.delivery_fee_amount)


def apply_taxes(purchase, taxes: TaxBreakdown) -> None:
    """Store the figures on the agency purchase."""
    purchase.dpp_amount = taxes.dpp_amount
    purchase.ppn_amount = taxes.ppn_amount
    purchase.ppn_rate_bp = taxes.ppn_rate_bp
    purchase.delivery_amount = taxes.delivery_amount
    purchase.pph22_amount = taxes.pph22_amount
    purchase.pph22_rate_bp = taxes.pph22_rate_bp
    purchase.ppn_withheld_amount = taxes.ppn_withheld_amount
    purchase.net_amount = taxes.net_amount
