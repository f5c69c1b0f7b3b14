"""The quota figures across several months and within a scope: each month keeps its own
purchases, exemptions and minimum, whether it is still open, closed, or frozen; an agency sees
only its own people and one person only their own months; and a frozen month's figures stay
those of the rules (not doubled by a second policy, not widened by people out of service,
brought up to date for one agency when goods come back late)."""
from calendar import monthrange
from datetime import date, datetime, time, timedelta, timezone

import pytest

from bebeli.dates import JAKARTA, jakarta_today, month_start
from bebeli.directory.models import Echelon
from bebeli.extensions import db
from bebeli.quotas import asn_reports, reports, services
from bebeli.quotas.models import ExemptionReason
from bebeli.quotas.obligations import EVERYONE, Scope
from tests.factories import AgencyFactory, AsnFactory, ProductFactory
from tests.quotas.factories import buy, policy, reduce

MINIMUM = 50_000


def this_month() -> date:
    return month_start(jakarta_today())


def last_month() -> date:
    return month_start(this_month() - timedelta(days=1))


def paid_in(month: date, day: int = 10) -> datetime:
    return datetime.combine(month.replace(day=day), time(12), JAKARTA).astimezone(timezone.utc)


def spend(asn, amount: int, month: date):
    return buy(asn.user, [(ProductFactory(price_amount=amount), 1)], paid_in(month))


def freeze_last_month() -> None:
    services.freeze_closed_months([last_month()])
    db.session.commit()


def test_an_agency_scope_keeps_to_its_agency(ctx):
    scope = Scope(frozenset({1, 2}))
    assert scope.narrowed_to(None) is scope
    assert scope.narrowed_to(2).agency_ids == frozenset({2})
    assert scope.narrowed_to(3).agency_ids == frozenset()          # another agency: nothing, not everything
    assert EVERYONE.narrowed_to(3).agency_ids == frozenset({3})
    person = Scope(None, user_id=7, asn_id=8).narrowed_to(3)
    assert (person.agency_ids, person.user_id, person.asn_id) == (frozenset({3}), 7, 8)


@pytest.mark.parametrize("frozen", [False, True])
def test_each_month_keeps_its_own_purchases_and_exemptions(ctx, frozen):
    policy(effective_from=date(2020, 1, 1))
    asn = AsnFactory(echelon=Echelon.STAF, active_from=date(2020, 1, 1))
    other = AsnFactory(echelon=Echelon.STAF, agency=asn.agency, active_from=date(2020, 1, 1))
    previous, current = last_month(), this_month()
    services.add_exemption(asn, starts_on=previous, ends_on=previous + timedelta(days=9),
                           reason=ExemptionReason.LEAVE, note=None, actor=None)
    services.add_exemption(asn, starts_on=current, ends_on=current + timedelta(days=2),
                           reason=ExemptionReason.SICK, note=None, actor=None)
    db.session.commit()
    spend(asn, 20_000, previous)
    spend(asn, 35_000, current)
    spend(other, 1_000, previous)
    if frozen:
        freeze_last_month()
    days, current_days = (current - previous).days, monthrange(current.year, current.month)[1]
    rows = {r["month"]: (r["minimum"], r["counted"]) for r in asn_reports.history(current, Scope(user_id=asn.user_id),
                                                                              months=2).rows}
    expected = {previous: (MINIMUM * (days - 10) + days // 2) // days,
                current: (MINIMUM * (current_days - 3) + current_days // 2) // current_days}
    assert rows == {previous: (expected[previous], 20_000), current: (expected[current], 35_000)}
    trend = {r["month"]: (r["obligated"], r["attained"], r["counted"]) for r in reports.trend(current, EVERYONE).rows}
    assert trend[previous] == (2, 0, 21_000) and trend[current] == (2, 0, 35_000)


@pytest.mark.parametrize("which", ["open", "closed"])
def test_an_agency_sees_only_its_own_people(ctx, which):
    month = this_month() if which == "open" else last_month()
    policy(effective_from=date(2020, 1, 1))
    home, other = AgencyFactory(name="Dinas Rumah"), AgencyFactory(name="Dinas Tetangga")
    mine = AsnFactory(agency=home, user__name="Rina Rumahan")
    theirs = AsnFactory(agency=other, user__name="Tono Tetangga")
    spend(mine, 10_000, month)
    spend(theirs, 20_000, month)
    scope = Scope(frozenset({home.id}))
    for _ in range(2):   # a closed month: first from the rules, then from its snapshot
        board = services.dashboard(month, scope)
        db.session.commit()
        assert (board.summary["obligated"], board.summary["counted"]) == (1, 10_000)
        assert [r["agency"] for r in board.tables["perangkat-daerah"].rows] == ["Dinas Rumah"]
        assert [r["name"] for r in board.tables["di-bawah-minimum"].rows] == ["Rina Rumahan"]
        assert [r["name"] for r in reports.agency_members(month, scope)[0].rows] == ["Rina Rumahan"]
        history = asn_reports.history(month, Scope(user_id=mine.user_id), months=1).rows
        assert [(r["minimum"], r["counted"]) for r in history] == [(MINIMUM, 10_000)]


def test_a_frozen_month_is_not_multiplied_by_older_policies_and_keeps_its_target(ctx):
    month = last_month()
    policy(effective_from=date(2020, 1, 1), agency_target_amount=1_000_000, name="Lama")
    policy(effective_from=date(2020, 6, 1), agency_target_amount=1_500_000, name="Tengah")
    policy(effective_from=date(2021, 1, 1), agency_target_amount=2_000_000, name="Baru")
    agency = AgencyFactory()
    spend(AsnFactory(agency=agency), MINIMUM, month)
    spend(AsnFactory(agency=agency), 1_000, month)
    figures = []
    for _ in range(2):
        board = services.dashboard(month, EVERYONE)
        db.session.commit()
        [row] = board.tables["perangkat-daerah"].rows
        figures.append((row["obligated"], row["attained"], row["counted"], row["shortfall"], row["target"]))
        assert len(reports.agency_members(month, EVERYONE)[0].rows) == 2
    assert figures == [(2, 1, 51_000, 49_000, 2_000_000)] * 2


def test_someone_out_of_service_in_a_frozen_month_is_left_out_of_it(ctx):
    month = last_month()
    policy(effective_from=date(2020, 1, 1))
    agency = AgencyFactory()
    spend(AsnFactory(agency=agency, user__name="Masih Dinas"), 10_000, month)
    gone = AsnFactory(agency=agency, user__name="Sudah Pindah", active_from=date(2020, 1, 1),
                      active_until=month - timedelta(days=1))
    spend(gone, 70_000, month)          # bought while out of service: nothing owed, nothing counted
    for _ in range(2):
        board = services.dashboard(month, EVERYONE)
        db.session.commit()
        assert (board.summary["obligated"], board.summary["counted"]) == (1, 10_000)
        assert [r["name"] for r in reports.agency_members(month, EVERYONE)[0].rows] == ["Masih Dinas"]


def test_goods_taken_back_late_update_only_their_agency_in_a_frozen_month(ctx):
    month = last_month()
    policy(effective_from=date(2020, 1, 1))
    home, other = AgencyFactory(name="Dinas A"), AgencyFactory(name="Dinas B")
    order = spend(AsnFactory(agency=home), 60_000, month)
    spend(AsnFactory(agency=other), 70_000, month)
    services.dashboard(month, EVERYONE)
    db.session.commit()
    reduce(order.seller_orders[0], 20_000, "refunded")
    rows = {r["agency"]: (r["attained"], r["counted"]) for r in
            services.dashboard(month, EVERYONE).tables["perangkat-daerah"].rows}
    assert rows == {"Dinas A": (0, 40_000), "Dinas B": (1, 70_000)}


def test_a_frozen_month_keeps_the_agency_a_person_had(ctx):
    month = last_month()
    policy(effective_from=date(2020, 1, 1))
    home, other = AgencyFactory(name="Dinas Rumah"), AgencyFactory(name="Dinas Tetangga")
    moving = AsnFactory(agency=home, user__name="Rina Pindah")
    freeze_last_month()
    moving.agency = other        # moved after the month closed
    db.session.commit()
    assert [r["name"] for r in reports.below_minimum(month, Scope(frozenset({home.id}))).rows] == ["Rina Pindah"]
    assert reports.below_minimum(month, Scope(frozenset({other.id}))).rows == []
