"""Tax thresholds and rates at their edges: PPh 22 (withheld above Rp 2.000.000 excluding PPN),
the treasurer's PPN collection (above Rp 2.000.000 including PPN), rounding to whole rupiah,
and the date a new rate starts — through the tax functions and through a real agency purchase."""
from datetime import date

import pytest

from bebeli.money import percent_of
from bebeli.procurement import services
from bebeli.procurement.tax import WithholdingRates, compute_taxes, rates_on
from bebeli.tax import entry_on, ppn_amount, ppn_rate_bp, rate_label
from tests.factories import ProductFactory, ShopFactory
from tests.procurement.factories import BudgetLineFactory, agency_order, team

DAY = date(2026, 11, 20)
THRESHOLD = 2_000_000


def rates(**kw) -> WithholdingRates:
    values = {"ppn_bp": 1100, "pph22_bp": 150, "pph22_threshold_amount": THRESHOLD,
              "ppn_collection_threshold_amount": THRESHOLD, **kw}
    return WithholdingRates(**values)


# --- PPh 22: purchases of at most Rp 2.000.000 (price excluding PPN) carry none -----------------

@pytest.mark.parametrize("goods,pph22,rate_bp", [
    (THRESHOLD - 1, 0, 0),
    (THRESHOLD, 0, 0),              # "at most Rp 2.000.000": no withholding
    (THRESHOLD + 1, 30_000, 150),   # 1.5% of 2.000.001 = 30.000,015
])
def test_pph22_threshold(ctx, goods, pph22, rate_bp):
    taxes = compute_taxes(goods, pkp=False, rates=rates_on(DAY))
    assert (taxes.pph22_amount, taxes.pph22_rate_bp) == (pph22, rate_bp)
    assert taxes.net_amount == goods - pph22


@pytest.mark.parametrize("goods", [THRESHOLD - 1, THRESHOLD, THRESHOLD + 1])
def test_pph22_compares_the_price_without_ppn_or_delivery(ctx, goods):
    # A PKP seller's invoice passes 2.000.000 with PPN and delivery; PPh 22 looks at the goods only.
    taxes = compute_taxes(goods, pkp=True, rates=rates(), delivery_amount=50_000)
    assert (taxes.pph22_amount > 0) == (goods > THRESHOLD)


# --- PPN collection: the treasurer keeps the PPN of payments above Rp 2.000.000 (PPN included) ----

@pytest.mark.parametrize("delivery,kept", [
    (1_999, 0),          # 1.800.000 + PPN 198.000 + 1.999 = 1.999.999
    (2_000, 0),          # exactly 2.000.000: the seller keeps the PPN
    (2_001, 198_000),    # 2.000.001: collected
])
def test_ppn_collection_threshold(ctx, delivery, kept):
    taxes = compute_taxes(1_800_000, pkp=True, rates=rates_on(DAY), delivery_amount=delivery)
    assert taxes.gross_amount == 1_998_000 + delivery
    assert taxes.ppn_withheld_amount == kept
    assert taxes.net_amount == taxes.gross_amount - kept
    assert taxes.withheld_amount == kept


def test_ppn_collection_has_its_own_threshold(ctx):
    # The two thresholds are separate settings: each decides only its own withholding.
    taxes = compute_taxes(1_000_000, pkp=True, rates=rates(ppn_collection_threshold_amount=1_110_000,
                                                           pph22_threshold_amount=999_999))
    assert taxes.gross_amount == 1_110_000 and taxes.ppn_withheld_amount == 0 and taxes.pph22_amount == 15_000
    taxes = compute_taxes(1_000_000, pkp=True, rates=rates(ppn_collection_threshold_amount=1_109_999,
                                                           pph22_threshold_amount=1_000_000))
    assert taxes.ppn_withheld_amount == 110_000 and taxes.pph22_amount == 0


def test_non_pkp_sellers_charge_no_ppn_whatever_the_amount(ctx):
    taxes = compute_taxes(THRESHOLD + 1, pkp=False, rates=rates())
    assert (taxes.ppn_amount, taxes.ppn_rate_bp, taxes.ppn_withheld_amount) == (0, 0, 0)
    assert compute_taxes(0, pkp=True, rates=rates()).gross_amount == 0


@pytest.mark.parametrize("goods,delivery", [(-1, 0), (0, -1)])
def test_negative_amounts_are_refused(ctx, goods, delivery):
    with pytest.raises(ValueError):
        compute_taxes(goods, pkp=True, rates=rates(), delivery_amount=delivery)


# --- rounding to whole rupiah: half up, once per document ----------------------------------------

@pytest.mark.parametrize("amount,bp,expected", [
    (5_000, 1, 1),       # 0,5 → 1 (half up)
    (4_999, 1, 0),       # 0,4999 → 0
    (50, 100, 1),
    (49, 100, 0),
    (150, 100, 2),       # 1,5 → 2
    (149, 100, 1),
    (10_000, 1100, 1_100),
    (0, 1100, 0),
])
def test_percent_of_rounds_half_up(amount, bp, expected):
    assert percent_of(amount, bp) == expected


def test_ppn_on_goods(ctx):
    assert ppn_amount(1_000_000, 1100) == 110_000
    assert ppn_amount(5, 1100) == 1             # 0,55 → 1
    assert ppn_amount(4, 1100) == 0             # 0,44 → 0
    assert ppn_amount(1_000_000, 0) == 0


@pytest.mark.parametrize("bp,label", [(1100, "11%"), (1150, "11,5%"), (1125, "11,25%"), (150, "1,5%"), (0, "0%")])
def test_the_rate_printed_on_documents(bp, label):
    assert rate_label(bp) == label


# --- a dated rate applies from its first day on ----------------------------------------------------

SCHEDULE = (("2025-01-01", {"ppn_bp": 1200}), ("2022-04-01", {"ppn_bp": 1100}))


@pytest.mark.parametrize("day,rate", [
    (date(2022, 3, 31), None),       # before the first entry: nothing in force
    (date(2022, 4, 1), 1100),
    (date(2024, 12, 31), 1100),
    (date(2025, 1, 1), 1200),        # the new entry's first day
    (date(2025, 1, 2), 1200),
])
def test_the_entry_in_force_on_a_day(day, rate):
    assert entry_on(SCHEDULE, day).get("ppn_bp") == rate


def test_dates_may_be_given_as_dates_and_a_later_entry_of_the_same_day_wins():
    schedule = ((date(2025, 1, 1), {"ppn_bp": 1200}), ("2025-01-01", {"ppn_bp": 1100}))
    assert entry_on(schedule, date(2025, 1, 1)) == {"ppn_bp": 1100}    # a correction appended later
    assert entry_on(schedule[:1], date(2025, 1, 1)) == {"ppn_bp": 1200}


def test_ppn_rate_of_a_day_and_of_a_seller(ctx, config):
    config("PPN_SCHEDULE", SCHEDULE)
    assert ppn_rate_bp(date(2024, 12, 31), is_pkp=True) == 1100
    assert ppn_rate_bp(date(2025, 1, 1), is_pkp=True) == 1200
    assert ppn_rate_bp(date(2025, 1, 1), is_pkp=False) == 0
    assert ppn_rate_bp(date(2022, 3, 31), is_pkp=True) == 0


def test_withholding_rates_start_on_their_day(ctx, config):
    config("AGENCY_WITHHOLDING_SCHEDULE", (
        ("2022-04-01", {"pph22_bp": 150, "pph22_threshold_amount": 2_000_000, "ppn_collection_threshold_amount": 2_000_000}),
        ("2027-01-01", {"pph22_bp": 250, "pph22_threshold_amount": 5_000_000, "ppn_collection_threshold_amount": 3_000_000}),
    ))
    assert rates_on(date(2026, 12, 31)).pph22_bp == 150
    new = rates_on(date(2027, 1, 1))
    assert (new.pph22_bp, new.pph22_threshold_amount, new.ppn_collection_threshold_amount) == (250, 5_000_000, 3_000_000)
    with pytest.raises(LookupError):
        rates_on(date(2022, 3, 31))


# --- through a real agency purchase: what the Surat Pesanan records ---------------------------------

@pytest.mark.parametrize("price,pph22", [(THRESHOLD - 1, 0), (THRESHOLD, 0), (THRESHOLD + 1, 30_000)])
def test_the_surat_pesanan_withholds_pph22_above_the_threshold(ctx, price, pph22):
    t = team()
    shop = ShopFactory(is_pkp=False, delivery_fee_amount=0)
    [purchase] = agency_order(t, BudgetLineFactory(agency=t.agency), [(ProductFactory(shop=shop, price_amount=price), 1)])
    assert purchase.pph22_amount == pph22                      # at checkout
    services.approve_purchase(purchase, t.ppk)
    assert (purchase.dpp_amount, purchase.pph22_amount, purchase.net_amount) == (price, pph22, price - pph22)


@pytest.mark.parametrize("delivery,kept", [(1_999, 0), (2_000, 0), (2_001, 198_000)])
def test_the_surat_pesanan_collects_ppn_above_the_threshold(ctx, delivery, kept):
    t = team()
    shop = ShopFactory(is_pkp=True, delivery_fee_amount=delivery)
    [purchase] = agency_order(t, BudgetLineFactory(agency=t.agency),
                              [(ProductFactory(shop=shop, price_amount=1_800_000), 1)])
    services.approve_purchase(purchase, t.ppk)
    assert purchase.gross_amount == 1_998_000 + delivery
    assert purchase.ppn_withheld_amount == kept
