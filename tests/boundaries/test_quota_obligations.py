"""An ASN's monthly obligation at its edges: attained exactly at the minimum (not one rupiah
below), who is obligated at all (a minimum of Rp 1), the rounding of a TPP percentage and of
pro-rating, and the month a payment counts in — through the quota functions and, for the
"attained" figure, through the rendered dashboard, for an open month and a frozen one."""
import re
from datetime import date, datetime, time, timedelta, timezone

import pytest

from bebeli.dates import JAKARTA, jakarta_today, month_start
from bebeli.directory.models import Echelon
from bebeli.extensions import db
from bebeli.quotas import reports, services
from bebeli.quotas.counting import counted_month
from bebeli.quotas.models import ExemptionReason, MinimumKind
from bebeli.quotas.obligations import EVERYONE
from bebeli.quotas.services import add_exemption, obligation_for, progress_for
from tests.factories import AgencyFactory, AsnFactory, ProductFactory, ShopFactory, admin
from tests.quotas.factories import RANK_TABLE, buy, policy

MINIMUM = 50_000  # staff (RANK_TABLE in tests/quotas/factories.py)
SUMMARY = re.compile(r'data-testid="attainment-rate">([^<]*)</p><p class="stat-note">([^<]*)</p>')


def this_month() -> date:
    return month_start(jakarta_today())


def last_month() -> date:
    return month_start(this_month() - timedelta(days=1))


def paid_in(month: date) -> datetime:
    """Noon on the 10th of `month`, Jakarta time."""
    return datetime.combine(month.replace(day=10), time(12), JAKARTA).astimezone(timezone.utc)


def asn_who_spent(amount: int, month: date, **kw):
    asn = AsnFactory(echelon=Echelon.STAF, user__name="Sari Belanja", **kw)
    if amount:
        buy(asn.user, [(ProductFactory(price_amount=amount, shop=ShopFactory(is_pkp=False)), 1)], paid_in(month))
    return asn


MONTHS = {"open": this_month, "closed": last_month}
CASES = [(MINIMUM - 1, False), (MINIMUM, True), (MINIMUM + 1, True)]


@pytest.mark.parametrize("which", MONTHS)
@pytest.mark.parametrize("spent,attained", CASES)
def test_attained_at_exactly_the_minimum(ctx, which, spent, attained):
    month = MONTHS[which]()
    policy(effective_from=date(2020, 1, 1))
    asn = asn_who_spent(spent, month)
    row = obligation_for(asn.user_id, month)
    assert (row.minimum_amount, row.counted_amount) == (MINIMUM, spent)

    services.dashboard(month, EVERYONE)          # freezes a closed month on the way
    db.session.commit()
    board = services.dashboard(month, EVERYONE)  # a closed month now read from its snapshot
    assert (board.summary["obligated"], board.summary["attained"]) == (1, int(attained))
    assert board.summary["shortfall"] == max(0, MINIMUM - spent)
    assert [r["name"] for r in board.tables["di-bawah-minimum"].rows] == ([] if attained else ["Sari Belanja"])
    assert board.tables["di-bawah-minimum"].total == int(not attained)
    below = reports.below_minimum(month, EVERYONE)
    assert [r["shortfall"] for r in below.rows] == ([] if attained else [1])
    members, _ = reports.agency_members(month, EVERYONE, only_below=True)
    assert len(members.rows) == int(not attained)
    everyone, _ = reports.agency_members(month, EVERYONE)
    assert everyone.rows[0]["shortfall"] == max(0, MINIMUM - spent)
    assert [r["user_id"] for r in reports.unreminded_shortfalls(month, 0, 10)] == ([] if attained else [asn.user_id])
    [trend] = [r for r in reports.trend(month, EVERYONE).rows if r["month"] == month]
    assert (trend["obligated"], trend["attained"]) == (1, int(attained))


@pytest.mark.parametrize("which", MONTHS)
@pytest.mark.parametrize("spent,attained", CASES)
def test_the_dashboard_shows_attained_at_exactly_the_minimum(client, ctx, which, spent, attained):
    month = MONTHS[which]()
    policy(effective_from=date(2020, 1, 1))
    asn_who_spent(spent, month)
    client.login(admin())
    for _ in range(2):  # the second view of a closed month reads what the first one froze
        html = client.get(f"/kuota/?bulan={month:%Y-%m}").get_data(as_text=True)
        rate, note = SUMMARY.search(html).groups()
        assert (rate, note) == (("100%", "1 ASN") if attained else ("0%", "0 ASN"))
        assert ("Sari Belanja" in html) is not attained  # named in the table of those below the minimum
        assert ("Semua ASN wajib telah memenuhi minimum bulan ini." in html) is attained


@pytest.mark.parametrize("which", MONTHS)
@pytest.mark.parametrize("rank_amount,spent,obligated,attained", [
    (0, 0, False, False),
    (1, 0, True, False),
    (1, 1, True, True),     # a minimum of Rp 1 is a minimum, and Rp 1 attains it
])
def test_obligated_only_with_a_minimum_above_zero(ctx, which, rank_amount, spent, obligated, attained):
    month = MONTHS[which]()
    policy(effective_from=date(2020, 1, 1), rank_amounts={**RANK_TABLE, Echelon.STAF: rank_amount})
    asn_who_spent(spent, month)
    for _ in range(2):
        summary = services.dashboard(month, EVERYONE).summary
        db.session.commit()
        assert (summary["obligated"], summary["attained"]) == (int(obligated), int(attained))
        assert len(reports.below_minimum(month, EVERYONE).rows) == int(obligated and not attained)


def test_a_policy_without_a_minimum_obligates_nobody(ctx):
    home, elsewhere = AgencyFactory(), AgencyFactory()
    policy(effective_from=date(2020, 1, 1), minimum_kind=MinimumKind.NONE, ceiling_amount=300_000,
           agencies=[home])
    capped, free = AsnFactory(agency=home), AsnFactory(agency=elsewhere)   # no policy covers `free`
    for asn, ceiling in ((capped, 300_000), (free, None)):
        progress = progress_for(asn.user)
        assert (progress["minimum"], progress["left"], progress["ceiling"]) == (0, 0, ceiling)
        assert progress["reserved"] == 0 and progress["room"] == ceiling   # nothing bought, nothing held
    summary = reports.dashboard(this_month(), EVERYONE).summary
    assert (summary["obligated"], summary["attained"], summary["shortfall"]) == (0, 0, 0)


@pytest.mark.parametrize("tpp,basis_points,minimum", [
    (None, 5_000, 0),       # no TPP recorded: nothing owed
    (4_999, 1, 0),          # 0,4999 → 0
    (5_000, 1, 1),          # 0,5 → 1
])
def test_a_tpp_percentage_of_a_small_or_missing_tpp(ctx, tpp, basis_points, minimum):
    policy(effective_from=date(2020, 1, 1), minimum_kind=MinimumKind.TPP_PERCENT, tpp_basis_points=basis_points)
    asn = AsnFactory(tpp_amount=tpp)
    assert obligation_for(asn.user_id, this_month()).minimum_amount == minimum


@pytest.mark.parametrize("tpp,minimum", [
    (4, 0),            # 10% of 4 = 0,4 → 0: not obligated
    (5, 1),            # 0,5 → 1 (half up)
    (4_000_004, 400_000),
    (4_000_005, 400_001),
])
def test_a_tpp_percentage_rounds_half_up(ctx, tpp, minimum):
    policy(effective_from=date(2020, 1, 1), minimum_kind=MinimumKind.TPP_PERCENT, tpp_basis_points=1000)
    asn = AsnFactory(tpp_amount=tpp)
    assert obligation_for(asn.user_id, this_month()).minimum_amount == minimum


JUNE = date(2026, 6, 1)  # 30 days


@pytest.mark.parametrize("base,days_due,minimum", [
    (50_000, 30, 50_000),   # no exemption
    (50_000, 15, 25_000),   # exempt for half the month
    (15, 1, 1),             # 15 × 1/30 = 0,5 → 1 (half up)
    (14, 1, 0),             # 0,47 → 0
    (50_000, 0, 0),         # exempt all month
])
def test_pro_rating_rounds_half_up(ctx, base, days_due, minimum):
    policy(effective_from=date(2020, 1, 1), rank_amounts={**RANK_TABLE, Echelon.STAF: base})
    asn = AsnFactory(echelon=Echelon.STAF, active_from=date(2020, 1, 1))
    if days_due < 30:
        add_exemption(asn, starts_on=JUNE + timedelta(days=days_due), ends_on=date(2026, 6, 30),
                      reason=ExemptionReason.LEAVE, note=None, actor=None)
        db.session.commit()
    assert obligation_for(asn.user_id, JUNE).minimum_amount == minimum


@pytest.mark.parametrize("starts_on,ends_on,minimum", [
    (date(2026, 5, 20), date(2026, 5, 31), 50_000),   # ends the day before the month
    (date(2026, 5, 20), date(2026, 6, 1), 48_333),    # covers the month's first day: 29/30 of 50.000
    (date(2026, 6, 30), date(2026, 7, 10), 48_333),   # covers the month's last day
    (date(2026, 7, 1), date(2026, 7, 10), 50_000),    # starts the day after the month
    (date(2026, 7, 5), date(2026, 7, 10), 50_000),    # and later still: never more than the month's days
])
def test_an_exemption_counts_from_its_first_to_its_last_day(ctx, starts_on, ends_on, minimum):
    policy(effective_from=date(2020, 1, 1))
    asn = AsnFactory(echelon=Echelon.STAF, active_from=date(2020, 1, 1))
    colleague = AsnFactory(echelon=Echelon.STAF, agency=asn.agency, active_from=date(2020, 1, 1))
    add_exemption(asn, starts_on=starts_on, ends_on=ends_on, reason=ExemptionReason.LEAVE, note=None, actor=None)
    add_exemption(colleague, starts_on=date(2026, 6, 1), ends_on=date(2026, 6, 10), reason=ExemptionReason.SICK,
                  note=None, actor=None)   # another ASN's exemption is theirs alone
    db.session.commit()
    assert obligation_for(asn.user_id, JUNE).minimum_amount == minimum
    assert obligation_for(colleague.user_id, JUNE).minimum_amount == 33_333   # 20/30 of 50.000
    rows = {r["name"]: r["minimum"] for r in reports.agency_members(JUNE, EVERYONE)[0].rows}
    assert rows == {asn.user.name: minimum, colleague.user.name: 33_333}


@pytest.mark.parametrize("active_from,active_until,minimum", [
    (date(2026, 6, 30), None, 1_667),                # in service on the last day only: 50.000/30
    (date(2020, 1, 1), date(2026, 6, 1), 1_667),     # on the first day only
    (date(2020, 1, 1), date(2026, 5, 31), None),     # left before the month: no obligation at all
    (date(2020, 1, 1), "inactive", None),            # deactivated without an end date: none either
])
def test_a_single_day_in_service_owes_one_day(ctx, active_from, active_until, minimum):
    policy(effective_from=date(2020, 1, 1))
    inactive = active_until == "inactive"
    asn = AsnFactory(echelon=Echelon.STAF, active_from=active_from, active_until=None if inactive else active_until,
                     is_active=not inactive)
    row = obligation_for(asn.user_id, JUNE)
    assert (row.minimum_amount if row else None) == minimum


def test_a_policy_for_chosen_agencies_covers_only_them(ctx):
    named, other, unnamed = AgencyFactory(), AgencyFactory(), AgencyFactory()
    policy(effective_from=date(2020, 1, 1), rank_amounts={**RANK_TABLE, Echelon.STAF: 10_000}, name="Semua")
    policy(effective_from=date(2021, 1, 1), rank_amounts={**RANK_TABLE, Echelon.STAF: 30_000}, agencies=[other],
           name="Lain")
    policy(effective_from=date(2022, 1, 1), rank_amounts={**RANK_TABLE, Echelon.STAF: 20_000}, agencies=[named],
           name="Terpilih")
    minimum = {agency: obligation_for(AsnFactory(agency=agency, echelon=Echelon.STAF).user_id, JUNE).minimum_amount
               for agency in (named, other, unnamed)}
    assert minimum == {named: 20_000, other: 30_000, unnamed: 10_000}


@pytest.mark.parametrize("effective_from,applies", [
    (date(2026, 6, 1), True),     # a policy applies from its own month on
    (date(2026, 7, 1), False),    # not to the month before
])
def test_a_policy_applies_from_its_first_month(ctx, effective_from, applies):
    policy(effective_from=date(2020, 1, 1), rank_amounts={**RANK_TABLE, Echelon.STAF: 10_000}, name="Lama")
    policy(effective_from=effective_from, rank_amounts={**RANK_TABLE, Echelon.STAF: 20_000}, name="Baru")
    asn = AsnFactory(echelon=Echelon.STAF, active_from=date(2020, 1, 1))
    assert obligation_for(asn.user_id, JUNE).minimum_amount == (20_000 if applies else 10_000)


# --- the month a payment counts in: the Jakarta month of the payment ----------------------------

def test_a_payment_counts_in_its_jakarta_month(ctx):
    start = datetime(2026, 7, 1, tzinfo=JAKARTA).astimezone(timezone.utc)   # 30 June 17:00 UTC
    assert counted_month(start) == date(2026, 7, 1)
    assert counted_month(start - timedelta(microseconds=1)) == JUNE
    policy(effective_from=date(2020, 1, 1))
    before, at = AsnFactory(), AsnFactory()
    buy(before.user, [(ProductFactory(price_amount=MINIMUM), 1)], start - timedelta(seconds=1))
    buy(at.user, [(ProductFactory(price_amount=MINIMUM), 1)], start)
    assert obligation_for(before.user_id, JUNE).counted_amount == MINIMUM
    assert obligation_for(at.user_id, JUNE).counted_amount == 0
    assert obligation_for(at.user_id, date(2026, 7, 1)).counted_amount == MINIMUM
