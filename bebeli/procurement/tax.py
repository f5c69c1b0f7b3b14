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


def compute_taxes(goods_amount: int, *, pkp: bool, rates: WithholdingRates, delivery_amount: int = 0) -> TaxBreakdown:
    """The figures printed on the Surat Pesanan, the BAST and the invoice."""
    if goods_amount < 0 or delivery_amount < 0:
        raise ValueError("amounts cannot be negative")
    ppn_rate = rates.ppn_bp if pkp else 0
    ppn = ppn_amount(goods_amount, ppn_rate)
    gross = goods_amount + ppn + delivery_amount
    pph22_applies = goods_amount > rates.pph22_threshold_amount
    pph22 = percent_of(goods_amount, rates.pph22_bp) if pph22_applies else 0
    ppn_withheld = ppn if gross > rates.ppn_collection_threshold_amount else 0
    return TaxBreakdown(
        dpp_amount=goods_amount,
        ppn_amount=ppn,
        ppn_rate_bp=ppn_rate,
        delivery_amount=delivery_amount,
        pph22_amount=pph22,
        pph22_rate_bp=rates.pph22_bp if pph22_applies else 0,
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
