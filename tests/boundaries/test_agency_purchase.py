"""Agency purchases at their money limits: the package limit and the "BEBELI first" limit (a
package of exactly the limit passes), the budget line's pagu, the negotiated price (strictly
below the list price), the goods refused at the BAST, and the treasurer's payment (at most the
net due, dated between the BAST and today)."""
from datetime import timedelta

import pytest

from bebeli.dates import jakarta_today
from bebeli.errors import BudgetExceeded, ValidationFailed
from bebeli.extensions import db
from bebeli import lifecycle
from bebeli.procurement import services
from bebeli.procurement.checkout import checkout_choices
from bebeli.procurement.limits import LimitExceeded, channel_limit_amount, check_channel_limit
from bebeli.procurement.models import Stage
from tests.factories import ProductFactory, ShopFactory
from tests.procurement.factories import BudgetLineFactory, agency_order, team

PACKAGE, FIRST = 200_000_000, 50_000_000


@pytest.fixture
def limits(config):
    config("AGENCY_PACKAGE_LIMIT_AMOUNT", PACKAGE)
    config("AGENCY_BEBELI_FIRST_LIMIT_AMOUNT", FIRST)
    config("AGENCY_ENFORCE_BEBELI_FIRST_LIMIT", False)
    return config


@pytest.mark.parametrize("amount,allowed", [(PACKAGE - 1, True), (PACKAGE, True), (PACKAGE + 1, False)])
def test_the_package_limit(ctx, limits, amount, allowed):
    assert channel_limit_amount() == PACKAGE
    if allowed:
        check_channel_limit(amount, "SP-1")
    else:
        with pytest.raises(LimitExceeded):
            check_channel_limit(amount, "SP-1")


@pytest.mark.parametrize("amount,allowed", [(FIRST - 1, True), (FIRST, True), (FIRST + 1, False)])
def test_the_bebeli_first_limit_when_enforced(ctx, limits, amount, allowed):
    limits("AGENCY_ENFORCE_BEBELI_FIRST_LIMIT", True)
    assert channel_limit_amount() == FIRST
    if allowed:
        check_channel_limit(amount, "SP-1")
    else:
        with pytest.raises(LimitExceeded):
            check_channel_limit(amount, "SP-1")


def test_the_lower_of_the_two_limits_applies(ctx, limits):
    limits("AGENCY_ENFORCE_BEBELI_FIRST_LIMIT", True)
    limits("AGENCY_BEBELI_FIRST_LIMIT_AMOUNT", PACKAGE + 1)
    assert channel_limit_amount() == PACKAGE


def ordered(price: int, quantity: int = 1, *, pagu: int = 100_000_000, pkp: bool = False, delivery: int = 0):
    t = team()
    line = BudgetLineFactory(agency=t.agency, pagu_amount=pagu)
    shop = ShopFactory(is_pkp=pkp, delivery_fee_amount=delivery)
    [purchase] = agency_order(t, line, [(ProductFactory(shop=shop, price_amount=price, stock=100), quantity)])
    return t, line, purchase


@pytest.mark.parametrize("limit,allowed", [(1_109_999, False), (1_110_000, True), (1_110_001, True)])
def test_the_ppk_approves_a_package_of_exactly_the_limit(ctx, limits, limit, allowed):
    t, _, purchase = ordered(1_000_000, pkp=True)   # 1.000.000 + PPN 110.000
    limits("AGENCY_PACKAGE_LIMIT_AMOUNT", limit)
    if allowed:
        services.approve_purchase(purchase, t.ppk)
        assert purchase.stage == Stage.APPROVED
    else:
        with pytest.raises(LimitExceeded):
            services.approve_purchase(purchase, t.ppk)


@pytest.mark.parametrize("pagu,allowed", [(999_999, False), (1_000_000, True), (1_000_001, True)])
def test_an_order_may_use_the_whole_pagu(ctx, pagu, allowed):
    if allowed:
        t, line, purchase = ordered(1_000_000, pagu=pagu)
        services.approve_purchase(purchase, t.ppk)
        db.session.refresh(line)
        assert line.remaining_amount == pagu - 1_000_000
        assert (line in checkout_choices(t.pp, t.agency.id, line.fiscal_year)[0]) == (pagu > 1_000_000)
    else:
        with pytest.raises(BudgetExceeded):
            ordered(1_000_000, pagu=pagu)


@pytest.mark.parametrize("price,allowed", [(0, False), (1, True), (99_999, True), (100_000, False)])
def test_a_proposed_price_is_strictly_below_the_current_one(ctx, price, allowed):
    t, _, purchase = ordered(100_000)
    line_id = purchase.seller_order.lines[0].id
    if allowed:
        [offer] = services.propose_prices(purchase, t.pp, {line_id: price})
        assert offer.unit_price_amount == price
    else:
        with pytest.raises(ValidationFailed):
            services.propose_prices(purchase, t.pp, {line_id: price})


@pytest.mark.parametrize("price,allowed", [(80_000, False), (80_001, True), (99_999, True), (100_000, False)])
def test_a_counter_offer_lies_strictly_between_the_two_prices(ctx, price, allowed):
    t, _, purchase = ordered(100_000)
    [offer] = services.propose_prices(purchase, t.pp, {purchase.seller_order.lines[0].id: 80_000})
    if allowed:
        assert services.counter_offer(offer, purchase.shop.owner, price).unit_price_amount == price
    else:
        with pytest.raises(ValidationFailed):
            services.counter_offer(offer, purchase.shop.owner, price)


def shipped(price: int = 1_000_000, quantity: int = 3):
    t, _, purchase = ordered(price, quantity)
    services.approve_purchase(purchase, t.ppk)
    services.accept_sp(purchase, purchase.shop.owner)
    lifecycle.ship_seller_order(purchase.seller_order, purchase.shop.owner, courier="Kurir", tracking_number=None)
    db.session.commit()
    return t, purchase


@pytest.mark.parametrize("rejected,allowed", [(2, True), (3, False), (4, False)])
def test_a_bast_must_accept_something(ctx, rejected, allowed):
    t, purchase = shipped()
    line = purchase.seller_order.lines[0]
    if allowed:
        services.sign_bast(purchase, t.ppk, rejected={line.id: rejected}, note="rusak")
        assert purchase.dpp_amount == 1_000_000 and purchase.stage == Stage.RECEIVED
    else:
        with pytest.raises(ValidationFailed):
            services.sign_bast(purchase, t.ppk, rejected={line.id: rejected}, note="rusak")


def received():
    t, purchase = shipped()
    services.sign_bast(purchase, t.ppk, rejected={}, note=None)
    db.session.commit()
    return t, purchase


def pay(t, purchase, amount, paid_on=None):
    return services.record_payment(purchase, t.treasurer, paid_on=paid_on or jakarta_today(), reference="SP2D-1",
                                   amount=amount)


def test_a_payment_is_more_than_nothing_and_at_most_what_is_due(ctx):
    t, purchase = received()
    due = purchase.net_amount   # 3.000.000 less PPh 22 45.000
    assert due == 2_955_000
    for amount in (0, due + 1):
        with pytest.raises(ValidationFailed):
            pay(t, purchase, amount)
    pay(t, purchase, due - 1)
    assert (purchase.stage, purchase.outstanding_amount) == (Stage.RECEIVED, 1)
    with pytest.raises(ValidationFailed):
        pay(t, purchase, 2)
    pay(t, purchase, 1)
    assert (purchase.stage, purchase.outstanding_amount) == (Stage.PAID, 0)


@pytest.mark.parametrize("offset,allowed", [(-1, False), (0, True)])
def test_a_payment_is_dated_on_or_after_the_bast(ctx, offset, allowed):
    t, purchase = received()
    day = purchase.bast_date + timedelta(days=offset)
    if allowed:
        assert pay(t, purchase, 1, paid_on=day).paid_on == day
    else:
        with pytest.raises(ValidationFailed):
            pay(t, purchase, 1, paid_on=day)


@pytest.mark.parametrize("offset,allowed", [(0, True), (1, False)])
def test_a_payment_is_dated_today_at_the_latest(ctx, offset, allowed):
    t, purchase = received()
    day = jakarta_today() + timedelta(days=offset)
    if allowed:
        assert pay(t, purchase, 1, paid_on=day).paid_on == day
    else:
        with pytest.raises(ValidationFailed):
            pay(t, purchase, 1, paid_on=day)
