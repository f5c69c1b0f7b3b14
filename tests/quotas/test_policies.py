"""Each kind of rule, as the monthly obligation of real ASN rows computed in SQL."""
from datetime import date

from bebeli.directory.models import Echelon
from bebeli.quotas.models import ExemptionReason, MinimumKind
from bebeli.quotas.obligations import Scope
from bebeli.quotas.reports import attainment_by_agency
from bebeli.quotas.services import add_exemption, obligation_for
from bebeli.extensions import db
from tests.factories import AgencyFactory, AsnFactory, ProductFactory
from tests.quotas.factories import buy, policy

NOV = date(2026, 11, 1)  # 30 days
DEC = date(2026, 12, 1)  # 31 days


def minimum(asn, month=NOV):
    row = obligation_for(asn.user_id, month)
    return None if row is None else row.minimum_amount


def test_fixed_amount_by_echelon(ctx):
    policy(rank_amounts={Echelon.STAF: 50_000, Echelon.IV: 75_000, Echelon.III: 150_000,
                         Echelon.II: 200_000, Echelon.I: 250_000})
    staff, head = AsnFactory(echelon=Echelon.STAF), AsnFactory(echelon=Echelon.III)
    assert (minimum(staff), minimum(head)) == (50_000, 150_000)


def test_percentage_of_tpp_rounds_half_up(ctx):
    policy(minimum_kind=MinimumKind.TPP_PERCENT, tpp_basis_points=250)  # 2,5 %
    assert minimum(AsnFactory(tpp_amount=4_000_000)) == 100_000
    assert minimum(AsnFactory(tpp_amount=3_333_340)) == 83_334  # 83 333,5 → 83 334
    assert minimum(AsnFactory(tpp_amount=None)) == 0


def test_ceiling_is_per_asn_and_not_pro_rated(ctx):
    policy(ceiling_amount=1_500_000)
    asn = AsnFactory(active_from=date(2026, 11, 16))
    row = obligation_for(asn.user_id, NOV)
    assert row.ceiling_amount == 1_500_000 and row.minimum_amount == 25_000


def test_agency_target_and_the_newest_policy_for_an_agency_wins(ctx):
    busy, quiet = AgencyFactory(name="Dinas Sibuk"), AgencyFactory(name="Dinas Sepi")
    policy(effective_from=date(2026, 1, 1), agency_target_amount=1_000_000)
    policy(effective_from=date(2026, 6, 1), agencies=[busy], agency_target_amount=300_000,
           rank_amounts={e: 10_000 for e in Echelon})
    buyer = AsnFactory(agency=busy)
    AsnFactory(agency=quiet)
    buy(buyer.user, [(ProductFactory(price_amount=150_000), 1)], paid_at=_at(2026, 11, 10))

    rows = {r["agency"]: r for r in attainment_by_agency(NOV, Scope()).rows}
    assert rows["Dinas Sibuk"]["target"] == 300_000 and rows["Dinas Sibuk"]["target_share"] == 5_000
    assert rows["Dinas Sepi"]["target"] == 1_000_000 and rows["Dinas Sepi"]["target_share"] == 0
    assert minimum(buyer) == 10_000  # the busy agency's own policy
    # Before the agency policy took effect, the all-ASN policy governed everyone.
    assert minimum(buyer, date(2026, 5, 1)) == 50_000
    # A newer policy for all ASN supersedes the older agency-specific one.
    policy(effective_from=DEC, rank_amounts={e: 20_000 for e in Echelon})
    assert minimum(buyer, DEC) == 20_000


def test_policy_takes_effect_from_its_month(ctx):
    policy(effective_from=DEC)
    asn = AsnFactory()
    assert minimum(asn, NOV) == 0 and minimum(asn, DEC) == 50_000


def test_appointed_on_the_16th_of_a_30_day_month_owes_half(ctx):
    policy()
    asn = AsnFactory(active_from=date(2026, 11, 16))
    assert minimum(asn) == 25_000  # 15 of 30 days
    assert minimum(asn, DEC) == 50_000
    assert obligation_for(asn.user_id, date(2026, 10, 1)) is None  # not yet in service


def test_deactivated_mid_month_is_pro_rated_and_then_owes_nothing(ctx):
    policy()
    asn = AsnFactory(active_until=date(2026, 12, 10), is_active=False)
    assert minimum(asn, DEC) == 16_129  # 50 000 × 10/31 = 16 129,03
    assert obligation_for(asn.user_id, date(2027, 1, 1)) is None


def test_exemptions_remove_their_days_even_across_months(ctx):
    policy()
    asn = AsnFactory()
    add_exemption(asn, starts_on=date(2026, 11, 21), ends_on=date(2026, 12, 5), reason=ExemptionReason.LEAVE,
                  note="Cuti tahunan", actor=None)
    db.session.commit()
    assert minimum(asn, NOV) == 33_333  # 20 of 30 days
    assert minimum(asn, DEC) == 41_935  # 26 of 31 days


def test_a_whole_month_exempt_owes_nothing_and_is_not_counted_as_obligated(ctx):
    policy()
    asn = AsnFactory()
    add_exemption(asn, starts_on=date(2026, 10, 20), ends_on=date(2026, 12, 3), reason=ExemptionReason.SICK,
                  note=None, actor=None)
    db.session.commit()
    assert minimum(asn, NOV) == 0
    assert attainment_by_agency(NOV, Scope()).footer["obligated"] == 0


def test_exemption_clipped_to_days_in_service(ctx):
    """Leave that starts before the appointment only removes days the ASN was in service."""
    policy()
    asn = AsnFactory(active_from=date(2026, 11, 16))
    add_exemption(asn, starts_on=date(2026, 11, 10), ends_on=date(2026, 11, 20), reason=ExemptionReason.TRANSFER,
                  note=None, actor=None)
    db.session.commit()
    assert minimum(asn) == 16_667  # 10 of 30 days in service and not on leave


def _at(year, month, day, hour=10):
    from datetime import datetime, timezone
    return datetime(year, month, day, hour, tzinfo=timezone.utc)
