"""The summaries follow every move of the hand-computed world (see `world.build`), and a rebuild
from the orders gives the same tables."""
import sqlalchemy as sa

from bebeli.extensions import db
from bebeli.insights import queries
from bebeli.insights.ledger import rebuild, split
from bebeli.insights.models import (
    InsightProductMonth,
    InsightSale,
    InsightSaleLine,
    InsightShopBuyer,
    InsightShopMonth,
)
from tests.insights.world import NOV, OCT, build, on
from tests.quotas.factories import pay


def _shop_months():
    return sorted((r.shop_id, r.month, r.channel, r.agency_id, r.revenue_amount, r.orders, r.units)
                  for r in db.session.scalars(sa.select(InsightShopMonth)) if r.revenue_amount or r.orders or r.units)


def _product_months():
    return sorted((r.product_id, r.month, r.revenue_amount, r.units, r.orders)
                  for r in db.session.scalars(sa.select(InsightProductMonth)) if r.revenue_amount or r.orders or r.units)


def _buyers():
    return sorted((r.shop_id, r.buyer_id, r.orders, r.first_paid_at, r.last_paid_at)
                  for r in db.session.scalars(sa.select(InsightShopBuyer)))


def _everything():
    db.session.expire_all()
    return _shop_months(), _product_months(), _buyers()


def test_shop_months_by_channel_and_agency(ctx):
    w = build()
    assert _shop_months() == sorted([
        (w.shop.id, OCT, "personal", 0, 50_000, 1, 4),      # order 1 less the 5.000 refund
        (w.shop.id, NOV, "personal", 0, 10_000, 1, 1),      # order 2 kept one; order 3 rejected
        (w.shop.id, NOV, "agency", w.agency.id, 50_000, 1, 5),
        (w.other_shop.id, NOV, "personal", 0, 7_000, 1, 1),
    ])


def test_product_months(ctx):
    w = build()
    assert _product_months() == sorted([
        (w.a1.id, OCT, 27_273, 3, 1),
        (w.a2.id, OCT, 22_727, 1, 1),
        (w.a1.id, NOV, 60_000, 6, 2),
        (w.b1.id, NOV, 7_000, 1, 1),
    ])


def test_buyers_and_repeat_share(ctx):
    w = build()
    assert _buyers() == sorted([
        (w.shop.id, w.buyer1.id, 2, on(OCT, 5), on(NOV, 3)),
        (w.shop.id, w.buyer2.id, 1, on(NOV, 20), on(NOV, 20)),
        (w.other_shop.id, w.buyer1.id, 1, on(NOV, 21), on(NOV, 21)),
    ])
    assert queries.buyer_figures(w.shop.id) == {"buyers": 2, "repeat": 1, "share_bp": 5_000}


def test_query_functions_for_shops_by_month(ctx):
    w = build()
    rows = db.session.execute(queries.shop_months(OCT, NOV, [w.shop.id])).all()
    assert sorted(tuple(r) for r in rows) == [(w.shop.id, OCT, 50_000, 1, 4), (w.shop.id, NOV, 60_000, 2, 6)]
    totals = {r.shop_id: (r.revenue, r.orders, r.units) for r in db.session.execute(queries.shop_totals(OCT, NOV))}
    assert totals == {w.shop.id: (110_000, 3, 10), w.other_shop.id: (7_000, 1, 1)}
    months = queries.month_totals(w.shop.id, [OCT, NOV])
    assert months[NOV] == {"revenue": 60_000, "orders": 2, "units": 6, "personal": 10_000, "agency": 50_000,
                           "aov": 30_000}
    assert [tuple(r) for r in queries.agency_totals(w.shop.id, OCT, NOV)] == [(w.agency.id, 50_000, 1, 5)]


def test_a_payment_signalled_twice_counts_once(ctx):
    w = build()
    before = _everything()
    pay(w.orders[0], on(OCT, 5))
    assert _everything() == before


def test_rebuild_gives_what_the_events_built(ctx):
    build()
    incremental = _everything()
    assert incremental[0]  # (the world is not empty)
    db.session.execute(sa.delete(InsightShopMonth))
    db.session.execute(sa.update(InsightSaleLine).values(revenue_amount=1))
    assert rebuild() == 5
    db.session.commit()
    assert _everything() == incremental
    # (the part rejected after payment leaves no sale behind when rebuilt)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(InsightSale)) == 4


def test_split_is_exact_in_integers():
    assert split(5_000, {"a": 30_000, "b": 25_000}) == {"a": 2_727, "b": 2_273}
    assert split(0, {"a": 0}) == {"a": 0}
