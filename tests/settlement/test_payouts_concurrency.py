"""Payouts under real threads and transactions (PostgreSQL): two runs of the job make one batch,
and a refund racing a payout never lets refunded money be sent."""
from __future__ import annotations

import threading
import time

import pytest
import sqlalchemy as sa

from bebeli import lifecycle
from bebeli.extensions import db
from bebeli.orders.models import SellerOrder
from bebeli.settlement import payouts
from bebeli.settlement.models import Payout, PayoutBatch
from tests.conftest import TEST_DATABASE_URL, run_in_threads
from tests.factories import ShopFactory
from tests.settlement.payout_helpers import balance_row, completed_sale, entries_sum, no_hold

pytestmark = [
    pytest.mark.concurrent,
    pytest.mark.skipif(not (TEST_DATABASE_URL or "").startswith("postgresql"),
                       reason="row locks between connections: PostgreSQL (SQLite lets one writer in at a time)"),
]


def test_two_runs_of_the_job_at_once_make_one_batch(app, ctx):
    with no_hold():
        shops = [ShopFactory(delivery_fee_amount=0) for _ in range(3)]
        for shop in shops:
            completed_sale(shop, 30_000)
    start = threading.Barrier(2, timeout=10)
    outcomes: list[str] = []

    def run() -> None:
        with app.app_context():
            try:
                start.wait()
                result = payouts.create_batch(period_key="2026-W49")
                db.session.commit()
                outcomes.append("made" if result.batch is not None else "exists")
            except Exception as error:  # noqa: BLE001 - anything else fails below
                db.session.rollback()
                outcomes.append(repr(error))
            finally:
                db.session.remove()

    run_in_threads(run, [(), ()])
    assert sorted(outcomes) == ["exists", "made"]
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(PayoutBatch.id))) == 1
    assert db.session.scalar(sa.select(sa.func.count(Payout.id))) == 3
    for shop in shops:
        assert balance_row(shop.id) == entries_sum(shop.id) == 0


def _refund_holding(app, so_id: int, written: threading.Event, release: threading.Event, outcomes: list) -> None:
    """Refund part of the sale, then keep the transaction (and the balance row's lock) open."""
    with app.app_context():
        try:
            so = db.session.get(SellerOrder, so_id)
            lifecycle.refund(so.order, 40_000, reason="outside", key="race-refund", seller_order=so)
            db.session.flush()
            written.set()
            release.wait(10)
            db.session.commit()
            outcomes.append("refunded")
        except Exception as error:  # noqa: BLE001
            db.session.rollback()
            outcomes.append(repr(error))
            written.set()
        finally:
            db.session.remove()


def _payout(app, outcomes: list, hold: threading.Event | None = None, release: threading.Event | None = None):
    with app.app_context():
        try:
            result = payouts.create_batch()
            db.session.flush()
            if hold is not None:
                hold.set()
                release.wait(10)
            db.session.commit()
            outcomes.append(result.batch.total_amount)
        except Exception as error:  # noqa: BLE001
            db.session.rollback()
            outcomes.append(repr(error))
            if hold is not None:
                hold.set()
        finally:
            db.session.remove()


def test_a_payout_waits_for_a_refund_in_flight_and_never_sends_the_refunded_money(app, ctx):
    with no_hold():
        shop = ShopFactory(delivery_fee_amount=0)
        so = completed_sale(shop, 100_000)
    written, release = threading.Event(), threading.Event()
    refund_outcome: list = []
    payout_outcome: list = []
    refunder = threading.Thread(target=_refund_holding, args=(app, so.id, written, release, refund_outcome),
                                daemon=True)
    refunder.start()
    assert written.wait(10)
    payer = threading.Thread(target=_payout, args=(app, payout_outcome), daemon=True)
    payer.start()
    time.sleep(0.5)
    assert payer.is_alive() and payout_outcome == []     # waiting for the balance row
    release.set()
    refunder.join(10)
    payer.join(10)
    assert refund_outcome == ["refunded"] and payout_outcome == [60_000]
    db.session.expire_all()
    assert balance_row(shop.id) == entries_sum(shop.id) == 0


def test_a_refund_arriving_during_a_payout_leaves_a_negative_balance_for_the_next_one(app, ctx):
    with no_hold():
        shop = ShopFactory(delivery_fee_amount=0)
        so = completed_sale(shop, 100_000)
    hold, release, written = threading.Event(), threading.Event(), threading.Event()
    payout_outcome: list = []
    refund_outcome: list = []
    payer = threading.Thread(target=_payout, args=(app, payout_outcome, hold, release), daemon=True)
    payer.start()
    assert hold.wait(10)
    never = threading.Event()
    never.set()
    refunder = threading.Thread(target=_refund_holding, args=(app, so.id, written, never, refund_outcome),
                                daemon=True)
    refunder.start()
    time.sleep(0.5)
    assert refunder.is_alive() and refund_outcome == []   # waiting for the payout to be written
    release.set()
    payer.join(10)
    refunder.join(10)
    assert payout_outcome == [100_000] and refund_outcome == ["refunded"]
    db.session.expire_all()
    assert balance_row(shop.id) == entries_sum(shop.id) == -40_000
