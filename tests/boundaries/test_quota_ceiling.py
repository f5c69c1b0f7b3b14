"""The monthly ceiling and the quota's other limits at their edges: a checkout that reaches the
ceiling exactly passes and one rupiah more is refused; a policy's ceiling may equal its highest
minimum; a TPP percentage runs from 0,01% to 100%; an exemption may last one day and must not
touch another; goods taken back never uncount more than was counted."""
from datetime import date, datetime, timedelta, timezone

import pytest

from bebeli.dates import jakarta_today
from bebeli.directory.models import Echelon
from bebeli.errors import QuotaExceeded, ValidationFailed
from bebeli.extensions import db
from bebeli.quotas.counting import counted_month
from bebeli.quotas.models import ExemptionReason, MinimumKind, QuotaMonth
from bebeli.quotas.services import add_exemption, progress_for, quota_room_for
from tests.factories import AsnFactory, ProductFactory
from tests.quotas.factories import RANK_TABLE, buy, checkout, policy, record_payment, reduce

CEILING = 100_000


def month_row(user) -> tuple[int, int]:
    row = db.session.get(QuotaMonth, (user.id, counted_month(datetime.now(timezone.utc))), populate_existing=True)
    return (row.counted_amount, row.reserved_amount) if row else (0, 0)


@pytest.mark.parametrize("second,allowed", [(39_999, True), (40_000, True), (40_001, False)])
def test_a_checkout_may_reach_the_ceiling_but_not_pass_it(ctx, second, allowed):
    policy(minimum_kind=MinimumKind.NONE, ceiling_amount=CEILING)
    buyer = AsnFactory().user
    record_payment(checkout(buyer, [(ProductFactory(price_amount=30_000), 1)]))  # counted
    checkout(buyer, [(ProductFactory(price_amount=30_000), 1)])                  # held, unpaid
    if allowed:
        checkout(buyer, [(ProductFactory(price_amount=second), 1)])
        assert month_row(buyer) == (30_000, 30_000 + second)
        assert quota_room_for(buyer)["room"] == CEILING - 60_000 - second
    else:
        with pytest.raises(QuotaExceeded) as refused:
            checkout(buyer, [(ProductFactory(price_amount=second), 1)])
        assert refused.value.details["room_amount"] == 40_000
        assert month_row(buyer) == (30_000, 30_000)


def test_without_a_ceiling_nothing_is_refused(ctx):
    policy(minimum_kind=MinimumKind.BY_RANK)
    buyer = AsnFactory().user
    checkout(buyer, [(ProductFactory(price_amount=9_000_000), 1)])
    assert quota_room_for(buyer) is None and month_row(buyer) == (0, 9_000_000)


@pytest.mark.parametrize("ceiling,allowed", [(249_999, False), (250_000, True), (250_001, True)])
def test_a_ceiling_may_equal_the_highest_minimum(ctx, ceiling, allowed):
    # RANK_TABLE's highest minimum is echelon I's Rp 250.000.
    if allowed:
        assert policy(ceiling_amount=ceiling).ceiling_amount == ceiling
    else:
        with pytest.raises(ValidationFailed):
            policy(ceiling_amount=ceiling)


@pytest.mark.parametrize("basis_points,allowed", [(None, False), (0, False), (1, True), (10_000, True),
                                                  (10_001, False)])
def test_a_tpp_percentage_runs_from_above_zero_to_100(ctx, basis_points, allowed):
    if allowed:
        assert policy(minimum_kind=MinimumKind.TPP_PERCENT, tpp_basis_points=basis_points).tpp_basis_points \
            == basis_points
    else:
        with pytest.raises(ValidationFailed):
            policy(minimum_kind=MinimumKind.TPP_PERCENT, tpp_basis_points=basis_points)


def exempt(asn, starts_on, ends_on):
    exemption = add_exemption(asn, starts_on=starts_on, ends_on=ends_on, reason=ExemptionReason.LEAVE, note=None,
                              actor=None)
    db.session.commit()
    return exemption


@pytest.mark.parametrize("ends_on,allowed", [(date(2026, 3, 9), False), (date(2026, 3, 10), True),
                                             (date(2026, 3, 11), True)])
def test_an_exemption_may_last_a_single_day(ctx, ends_on, allowed):
    asn = AsnFactory()
    if allowed:
        assert exempt(asn, date(2026, 3, 10), ends_on).ends_on == ends_on
    else:
        with pytest.raises(ValidationFailed):
            exempt(asn, date(2026, 3, 10), ends_on)


@pytest.mark.parametrize("starts_on,allowed", [(date(2026, 3, 10), False), (date(2026, 3, 11), True)])
def test_exemptions_of_one_asn_never_touch(ctx, starts_on, allowed):
    asn = AsnFactory()
    exempt(asn, date(2026, 3, 1), date(2026, 3, 10))
    if allowed:
        exempt(asn, starts_on, date(2026, 3, 20))
    else:
        with pytest.raises(ValidationFailed):
            exempt(asn, starts_on, date(2026, 3, 20))
    with pytest.raises(ValidationFailed):  # ending on the other's first day touches it too
        exempt(asn, date(2026, 2, 20), date(2026, 3, 1))


@pytest.mark.parametrize("taken_back,left", [(29_999, 1), (30_000, 0), (30_001, 0)])
def test_goods_taken_back_never_uncount_more_than_was_counted(ctx, taken_back, left):
    policy()
    buyer = AsnFactory().user
    order = buy(buyer, [(ProductFactory(price_amount=30_000), 1)])
    reduce(order.seller_orders[0], taken_back, "refunded")
    assert month_row(buyer)[0] == left


@pytest.mark.parametrize("counted,left", [(49_999, 1), (50_000, 0), (50_001, 0)])
def test_what_is_left_to_buy_this_month(ctx, counted, left):
    policy(rank_amounts={**RANK_TABLE, Echelon.STAF: 50_000}, ceiling_amount=300_000)
    buyer = AsnFactory(echelon=Echelon.STAF).user
    buy(buyer, [(ProductFactory(price_amount=counted), 1)])
    progress = progress_for(buyer)
    assert (progress["left"], progress["room"]) == (left, 300_000 - counted)


def test_the_days_left_include_today(ctx):
    policy()
    buyer = AsnFactory().user
    today = jakarta_today()
    last = (today.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    assert progress_for(buyer, today=last)["days_left"] == 1
    assert progress_for(buyer, today=today.replace(day=1))["days_left"] == last.day
