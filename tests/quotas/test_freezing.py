"""Closed months are frozen: the snapshot gives the same figures as the rules did, later
directory edits leave it alone, and policy or exemption edits reaching back thaw it."""
from datetime import date, datetime, timezone

import sqlalchemy as sa

from bebeli.extensions import db
from bebeli import lifecycle
from bebeli.quotas.models import ExemptionReason, QuotaFrozenMonth, QuotaMonth
from bebeli.quotas.obligations import Scope
from bebeli.quotas.reports import attainment_by_agency, below_minimum, people, trend
from bebeli.quotas.services import add_exemption, freeze_closed_months, obligation_for
from tests.factories import AgencyFactory, AsnFactory, ProductFactory
from tests.quotas.factories import buy, policy

MARCH, APRIL = date(2025, 3, 1), date(2025, 4, 1)


def figures(month):
    """The month's attainment and shortfalls, checking the dashboard's one-statement path
    gives the same as the separate queries."""
    agencies, below = attainment_by_agency(month, Scope()), below_minimum(month, Scope(), limit=10)
    together = people(month, Scope(), limit=10)
    assert (together[0].rows, together[1].rows, together[1].total) == (agencies.rows, below.rows, below.total)
    return agencies.rows, below.rows


def test_a_frozen_month_reads_the_same_as_the_rules(ctx):
    policy(effective_from=date(2025, 1, 1))
    agency = AgencyFactory()
    buyer = AsnFactory(agency=agency)
    AsnFactory(agency=agency, active_from=date(2025, 3, 17))
    AsnFactory(agency=agency, tpp_amount=None)
    buy(buyer.user, [(ProductFactory(price_amount=60_000), 1)], datetime(2025, 3, 3, tzinfo=timezone.utc))
    live = figures(MARCH)
    assert freeze_closed_months([MARCH, APRIL, date(2999, 1, 1)]) == [MARCH, APRIL]
    db.session.commit()
    assert figures(MARCH) == live
    assert freeze_closed_months([MARCH]) == []  # once


def test_directory_edits_after_freezing_leave_the_month_alone(ctx):
    policy(effective_from=date(2025, 1, 1))
    asn = AsnFactory()
    freeze_closed_months([MARCH])
    db.session.commit()
    asn.echelon, asn.agency = "ii", AgencyFactory(name="Dinas Baru")
    db.session.commit()
    row = obligation_for(asn.user_id, MARCH)
    assert row.minimum_amount == 50_000 and row.agency_id != asn.agency_id
    assert obligation_for(asn.user_id, APRIL).minimum_amount == 200_000  # not frozen: the rules now


def test_policy_and_exemption_edits_thaw_the_months_they_reach(ctx):
    first = policy(effective_from=date(2025, 1, 1))
    asn = AsnFactory()
    freeze_closed_months([MARCH, APRIL])
    db.session.commit()
    add_exemption(asn, starts_on=date(2025, 4, 1), ends_on=date(2025, 4, 15), reason=ExemptionReason.SICK,
                  note=None, actor=None)
    db.session.commit()
    assert set(db.session.scalars(sa.select(QuotaFrozenMonth.month))) == {MARCH}
    assert obligation_for(asn.user_id, APRIL).minimum_amount == 25_000

    policy(effective_from=date(2025, 3, 1), rank_amounts={e: 10_000 for e in ("staf", "iv", "iii", "ii", "i")})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(QuotaFrozenMonth)) == 0
    assert obligation_for(asn.user_id, MARCH).minimum_amount == 10_000
    assert first.id


def test_a_late_reduction_shows_in_a_frozen_month_and_its_trend(ctx):
    policy(effective_from=date(2025, 1, 1))
    asn = AsnFactory()
    order = buy(asn.user, [(ProductFactory(price_amount=70_000), 1)], datetime(2025, 3, 10, tzinfo=timezone.utc))
    freeze_closed_months([MARCH])
    db.session.commit()
    assert attainment_by_agency(MARCH, Scope()).footer["attained"] == 1
    lifecycle.cancel_seller_order(order.seller_orders[0], asn.user, "Batal")
    db.session.commit()
    assert attainment_by_agency(MARCH, Scope()).footer["attained"] == 0
    march = next(r for r in trend(APRIL, Scope()).rows if r["month"] == MARCH)
    assert (march["obligated"], march["attained"], march["counted"]) == (1, 0, 0)
    assert db.session.get(QuotaMonth, (asn.user_id, MARCH)).minimum_amount == 50_000
