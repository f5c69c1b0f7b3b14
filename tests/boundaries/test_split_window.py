"""Package splitting ("pecah paket") at its edges: purchases of one agency from one seller in one
category are flagged when they fall within SPLIT_WINDOW_DAYS of the first, each is at or under a
threshold and together they pass it. Exactly the window apart is inside it; exactly the threshold
in total is not above it; a piece of exactly the threshold is one that could have been split."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from bebeli.db import utcnow
from bebeli.extensions import db
from bebeli.orders.models import Order
from bebeli.procurement.flags import splitting_flags
from tests.factories import CategoryFactory, ProductFactory, ShopFactory
from tests.procurement.factories import BudgetLineFactory, agency_order, team

THRESHOLD = 2_000_000   # the PPH 22 threshold (amounts before PPN)
WINDOW = 30


@pytest.fixture
def buying(ctx, config):
    """Place purchases of one agency from one shop in one category, each dated as asked."""
    config("SPLIT_WINDOW_DAYS", WINDOW)
    t = team()
    line = BudgetLineFactory(agency=t.agency, pagu_amount=500_000_000)
    shop, category = ShopFactory(delivery_fee_amount=0), CategoryFactory()
    start = utcnow() - timedelta(days=60)

    def place(amount: int, after: timedelta = timedelta(0)):
        product = ProductFactory(shop=shop, category=category, price_amount=amount, stock=10)
        [purchase] = agency_order(t, line, [(product, 1)])
        db.session.execute(sa.update(Order).where(Order.id == purchase.order_id).values(created_at=start + after))
        db.session.commit()
        return purchase
    return place


def pph22_flags():
    return [sorted(p.purchase_id for p in f.pieces) for f in splitting_flags() if f.kind == "pph22"]


@pytest.mark.parametrize("gap,flagged", [
    (timedelta(days=WINDOW) - timedelta(seconds=1), True),
    (timedelta(days=WINDOW), True),                         # exactly the window: inside it
    (timedelta(days=WINDOW) + timedelta(seconds=1), False),
])
def test_the_split_window(buying, gap, flagged):
    first, second = buying(1_500_000), buying(1_500_000, gap)
    assert pph22_flags() == ([sorted([first.id, second.id])] if flagged else [])


@pytest.mark.parametrize("second,flagged", [(499_999, False), (500_000, False), (500_001, True)])
def test_flagged_only_when_the_pieces_together_pass_the_threshold(buying, second, flagged):
    # 1.500.000 + 500.000 = exactly 2.000.000: one purchase of that size carries no PPh 22 either.
    pieces = [buying(1_500_000), buying(second, timedelta(days=1))]
    assert pph22_flags() == ([sorted(p.id for p in pieces)] if flagged else [])


@pytest.mark.parametrize("big,flagged", [(THRESHOLD - 1, True), (THRESHOLD, True), (THRESHOLD + 1, False)])
def test_a_piece_above_the_threshold_was_not_split_to_avoid_it(buying, big, flagged):
    pieces = [buying(big), buying(10_000, timedelta(days=1))]
    assert pph22_flags() == ([sorted(p.id for p in pieces)] if flagged else [])
