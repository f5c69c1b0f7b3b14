"""Tax figures of agency purchases: PPN of PKP sellers, PPh 22 and PPN kept by the treasurer."""
from datetime import date

import pytest

from bebeli.procurement.tax import compute_taxes, rates_on

TODAY = date(2026, 11, 20)


def figures(dpp, pkp):
    t = compute_taxes(dpp, pkp=pkp, rates=rates_on(TODAY))
    return t.dpp_amount, t.ppn_amount, t.gross_amount, t.pph22_amount, t.ppn_withheld_amount, t.net_amount


def test_non_pkp_20_times_175_000(ctx):
    # 3.500.000, no PPN; PPh 22 = 1.5% = 52.500; the seller receives 3.447.500.
    assert figures(20 * 175_000, pkp=False) == (3_500_000, 0, 3_500_000, 52_500, 0, 3_447_500)


def test_pkp_10_000_000(ctx):
    # The invoice is 11.100.000; the treasurer keeps PPN 1.100.000 and PPh 22 150.000.
    assert figures(10_000_000, pkp=True) == (10_000_000, 1_100_000, 11_100_000, 150_000, 1_100_000, 9_850_000)


def test_1_900_000_has_no_pph22(ctx):
    assert figures(1_900_000, pkp=False) == (1_900_000, 0, 1_900_000, 0, 0, 1_900_000)
    # A PKP seller's 1.900.000 is a 2.109.000 payment: PPN collected, still no PPh 22.
    assert figures(1_900_000, pkp=True) == (1_900_000, 209_000, 2_109_000, 0, 209_000, 1_900_000)


@pytest.mark.parametrize("dpp,pph22", [(2_000_000, 0), (2_000_001, 30_000)])
def test_pph22_threshold_is_exclusive(ctx, dpp, pph22):
    assert compute_taxes(dpp, pkp=False, rates=rates_on(TODAY)).pph22_amount == pph22


def test_small_pkp_payment_keeps_its_ppn(ctx):
    # 1.800.000 + 198.000 PPN = 1.998.000 ≤ 2.000.000: the seller receives the PPN.
    assert figures(1_800_000, pkp=True) == (1_800_000, 198_000, 1_998_000, 0, 0, 1_998_000)


def test_a_new_rate_does_not_rewrite_past_documents(data_app, ctx):
    schedule = data_app.config["AGENCY_WITHHOLDING_SCHEDULE"]
    data_app.config["AGENCY_WITHHOLDING_SCHEDULE"] = schedule + (
        ("2027-01-01", {"pph22_bp": 250, "pph22_threshold_amount": 2_000_000,
                        "ppn_collection_threshold_amount": 2_000_000}),)
    try:
        assert compute_taxes(10_000_000, pkp=False, rates=rates_on(TODAY)).pph22_amount == 150_000
        assert compute_taxes(10_000_000, pkp=False, rates=rates_on(date(2027, 1, 1))).pph22_amount == 250_000
    finally:
        data_app.config["AGENCY_WITHHOLDING_SCHEDULE"] = schedule
