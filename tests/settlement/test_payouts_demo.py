"""The demo data (`make run`) shows the whole payout flow for the demo seller."""
from datetime import timedelta

import sqlalchemy as sa

from bebeli.dates import jakarta_today, month_start
from bebeli.extensions import db
from bebeli.payments.gateway import get_gateway
from bebeli.sellers.models import Shop
from bebeli.settlement import ledger
from bebeli.settlement.models import Payout, PayoutBatch, PayoutStatus
from bebeli.settlement.reconciliation import reconcile
from tests.settlement.payout_helpers import balance_row, entries_sum


def test_the_demo_seller_has_a_paid_out_batch_and_a_balance_waiting(app, ctx):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    shop = db.session.scalar(sa.select(Shop).where(Shop.name == "Keripik Bu Sari"))
    [batch] = db.session.scalars(sa.select(PayoutBatch)).all()
    [payout] = batch.payouts
    assert (payout.shop_id, payout.status, payout.bank_code) == (shop.id, PayoutStatus.PAID, "110")
    balance = ledger.balance_of(shop.id)
    assert balance.available_amount > 0 and balance.pending_amount > 0
    assert balance_row(shop.id) == entries_sum(shop.id)
    # The story is consistent in time: every month so far reconciles with the gateway's records.
    with app.test_request_context("/"):
        for month in (month_start(jakarta_today(payout.paid_at - timedelta(days=3))), month_start(jakarta_today())):
            assert reconcile(month, get_gateway()).matches, month
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0, again.output
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Payout.id))) == 1
