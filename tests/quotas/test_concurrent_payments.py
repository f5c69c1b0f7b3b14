"""Payments of two buyers of one agency, counted at the same moment, share the agency's spend
rows: written in one order, one waits for the other instead of deadlocking (PostgreSQL; SQLite
lets one writer in at a time anyway)."""
import threading

import pytest
import sqlalchemy as sa

from bebeli.extensions import db
from bebeli.orders.models import Order
from bebeli.lifecycle import mark_paid
from bebeli.quotas.models import QuotaSpend
from tests.conftest import run_in_threads
from tests.factories import AgencyFactory, AsnFactory, ProductFactory, ShopFactory
from tests.quotas.factories import place_order

pytestmark = pytest.mark.concurrent


def test_two_payments_over_the_same_shops_in_opposite_order_both_count(app, ctx):
    agency = AgencyFactory()
    east, west = ShopFactory(), ShopFactory()
    coffee, batik = ProductFactory(shop=east, price_amount=20_000), ProductFactory(shop=west, price_amount=30_000)
    # The same two shops, their seller orders made in opposite orders.
    order_ids = [place_order(AsnFactory(agency=agency).user, items).id
                 for items in ([(coffee, 1), (batik, 1)], [(batik, 1), (coffee, 1)])]

    # Each payment, after writing its first spend row, waits (up to a second) for the other to
    # have written its own first row too: the interleaving that deadlocks unordered writers.
    first_written = threading.Barrier(2, timeout=1)
    outcomes: list[str] = []

    def pay(order_id: int) -> None:
        spend_writes = 0

        def before(conn, cursor, statement, *args):
            nonlocal spend_writes
            if statement.startswith("INSERT INTO quota_spend"):
                spend_writes += 1
                if spend_writes == 2:
                    try:
                        first_written.wait()
                    except threading.BrokenBarrierError:
                        pass  # the other is waiting for our row lock: go on

        with app.app_context():
            connection = db.session.connection()
            sa.event.listen(connection, "before_cursor_execute", before)
            try:
                order = db.session.get(Order, order_id)
                outcomes.append(mark_paid(order, reference=f"ref-{order_id}", amount=order.total_amount))
                db.session.commit()
            except Exception as error:  # noqa: BLE001 - a deadlock (or anything else) fails below
                db.session.rollback()
                outcomes.append(repr(error))
            finally:
                db.session.remove()

    run_in_threads(pay, [(order_id,) for order_id in order_ids])

    assert outcomes == ["paid", "paid"]
    db.session.rollback()  # a fresh snapshot: what the payments committed
    spend = {row.shop_id: row.amount for row in db.session.scalars(sa.select(QuotaSpend))}
    assert spend == {east.id: 40_000, west.id: 60_000}
