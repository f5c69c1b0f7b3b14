"""Payout batches as services: who is paid how much, once per period; what the bank did."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from flask import current_app

from bebeli import lifecycle
from bebeli.audit.models import AuditEvent
from bebeli.db import utcnow
from bebeli.errors import Conflict, ValidationFailed
from bebeli.extensions import db
from bebeli.mail.models import OutboundEmail
from bebeli.notifications.models import Notification
from bebeli.sellers.models import ShopStatus
from bebeli.settlement import ledger, payouts
from bebeli.settlement.banks import bank_code, transfer_csv
from bebeli.settlement.models import BatchStatus, EntryKind, LedgerEntry, Payout, PayoutStatus
from tests.factories import ShopFactory, admin
from tests.settlement.payout_helpers import balance_row, completed_sale, entries_sum, no_hold


def _payouts_of(shop_id):
    return db.session.scalars(sa.select(Payout).where(Payout.shop_id == shop_id).order_by(Payout.id)).all()


def test_a_batch_pays_each_available_balance_once_to_the_verified_account(ctx):
    with no_hold():
        shop = ShopFactory(delivery_fee_amount=0, bank_name="bank bjb")
        completed_sale(shop, 40_000, 3)
        small = ShopFactory(delivery_fee_amount=0)
        completed_sale(small, 5_000)                   # below PAYOUT_MINIMUM_AMOUNT (10.000)
    result = payouts.create_batch(period_key="2026-W49", actor=admin())
    db.session.commit()
    batch = result.batch
    assert (batch.payout_count, batch.total_amount, batch.status) == (1, 120_000, BatchStatus.OPEN)
    [payout] = batch.payouts
    assert (payout.shop_id, payout.amount, payout.bank_code, payout.account_number, payout.account_name) == (
        shop.id, 120_000, "110", shop.bank_account_number, shop.bank_account_name)
    entry = db.session.scalar(sa.select(LedgerEntry).where(LedgerEntry.key == f"payout:{payout.id}"))
    assert (entry.kind, entry.amount, entry.payout_id) == (EntryKind.PAYOUT, -120_000, payout.id)
    assert balance_row(shop.id) == entries_sum(shop.id) == 0
    assert balance_row(small.id) == 5_000 and _payouts_of(small.id) == []
    # The same period again (a second run, another server): nothing new.
    assert payouts.create_batch(period_key="2026-W49").batch is None
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "settlement.batch_created"))


def test_money_still_inside_its_hold_waits(ctx):
    shop = ShopFactory(delivery_fee_amount=0)
    completed_sale(shop, 50_000)                       # SETTLEMENT_HOLD_DAYS = 3
    assert payouts.create_batch().batch.payout_count == 0
    later = utcnow() + timedelta(days=3, minutes=1)
    result = payouts.create_batch(now=later)
    assert [(p.shop_id, p.amount) for p in result.batch.payouts] == [(shop.id, 50_000)]


def test_shops_not_verified_or_without_bank_details_are_skipped_and_listed(ctx):
    suspended = ShopFactory(status=ShopStatus.SUSPENDED)
    no_account = ShopFactory(bank_account_number="  ")
    for shop in (suspended, no_account):
        ledger.post(shop.id, EntryKind.ADJUSTMENT, 30_000, key=f"test:{shop.id}")
    result = payouts.create_batch()
    assert result.batch.payout_count == 0
    assert {s.id for s in result.skipped} == {suspended.id, no_account.id}
    with pytest.raises(ValidationFailed):
        payouts.pay_shop_now(suspended, actor=admin())


def test_a_refund_after_a_payout_is_netted_by_the_next_payout(ctx):
    with no_hold():
        shop = ShopFactory(delivery_fee_amount=0)
        so = completed_sale(shop, 60_000)
        payouts.create_batch()
        db.session.commit()
        lifecycle.refund(so.order, 20_000, reason="outside", key="test-refund", seller_order=so)
        db.session.commit()
        assert balance_row(shop.id) == -20_000
        completed_sale(shop, 25_000)                   # 25.000 − 20.000 = 5.000: below the minimum
        assert payouts.create_batch().batch.payout_count == 0
        completed_sale(shop, 30_000)
    result = payouts.create_batch()
    assert [(p.shop_id, p.amount) for p in result.batch.payouts] == [(shop.id, 35_000)]
    assert balance_row(shop.id) == entries_sum(shop.id) == 0
    assert sum(p.amount for p in _payouts_of(shop.id)) == 60_000 - 20_000 + 25_000 + 30_000


def test_marking_a_transfer_paid_closes_the_batch_and_tells_the_seller(ctx):
    the_admin = admin()
    shop = ShopFactory()
    ledger.post(shop.id, EntryKind.ADJUSTMENT, 80_000, key="test:adj")
    payout = payouts.pay_shop_now(shop, actor=the_admin)
    with pytest.raises(ValidationFailed):
        payouts.mark_paid(payout, bank_reference=" ", actor=the_admin)
    payouts.mark_paid(payout, bank_reference="BJB123456", actor=the_admin)
    db.session.commit()
    assert (payout.status, payout.bank_reference, payout.marked_by_id) == (PayoutStatus.PAID, "BJB123456",
                                                                          the_admin.id)
    assert payout.batch.status == BatchStatus.CLOSED
    with pytest.raises(Conflict):
        payouts.mark_paid(payout, bank_reference="again", actor=the_admin)
    mail = db.session.scalar(sa.select(OutboundEmail).where(OutboundEmail.to == shop.owner.email))
    assert mail is not None and "80.000" in mail.body
    assert db.session.scalar(sa.select(Notification).where(Notification.user_id == shop.owner_id,
                                                           Notification.kind == "payout"))


def test_a_returned_transfer_puts_the_money_back_once_and_tells_the_seller(ctx):
    the_admin = admin()
    shop = ShopFactory()
    ledger.post(shop.id, EntryKind.ADJUSTMENT, 45_000, key="test:adj")
    payout = payouts.pay_shop_now(shop, actor=the_admin)
    payouts.mark_paid(payout, bank_reference="REF1", actor=the_admin)
    assert balance_row(shop.id) == 0
    with pytest.raises(ValidationFailed):
        payouts.mark_returned(payout, reason="", actor=the_admin)
    payouts.mark_returned(payout, reason="Rekening ditutup", actor=the_admin)
    db.session.commit()
    assert payout.status == PayoutStatus.RETURNED and payout.return_reason == "Rekening ditutup"
    assert balance_row(shop.id) == entries_sum(shop.id) == 45_000
    with pytest.raises(Conflict):
        payouts.mark_returned(payout, reason="lagi", actor=the_admin)
    assert balance_row(shop.id) == 45_000
    assert db.session.scalars(sa.select(Payout).where(Payout.status == PayoutStatus.RETURNED)).all() == [payout]
    mails = db.session.scalars(sa.select(OutboundEmail).where(OutboundEmail.to == shop.owner.email)).all()
    assert any("Rekening ditutup" in m.body for m in mails)
    actions = set(db.session.scalars(sa.select(AuditEvent.action)))
    assert {"settlement.shop_paid_now", "settlement.payout_paid", "settlement.payout_returned"} <= actions
    # Back on the balance: the next payout sends it again.
    assert payouts.create_batch().batch.total_amount == 45_000


def test_pay_now_needs_an_available_balance(ctx):
    shop = ShopFactory()
    with pytest.raises(Conflict):
        payouts.pay_shop_now(shop, actor=admin())


@pytest.mark.parametrize("name, code", [
    ("Bank BJB", "110"), ("bjb", "110"), ("BANK JABAR BANTEN", "110"), ("BRI", "002"), ("Bank Rakyat Indonesia", "002"),
    ("PT Bank Mandiri (Persero) Tbk", "008"), ("BNI 46", "009"), ("bca kcp lippo cikarang", "014"),
    ("Permata", "013"), ("Danamon", "011"), ("CIMB Niaga", "022"), ("BTN", "200"), ("Bank Syariah Indonesia", "451"),
    ("Bank Antah Berantah", None), ("", None), (None, None),
])
def test_bank_names_are_matched_leniently(name, code):
    assert bank_code(name) == code


def test_the_bank_file_has_one_row_per_shop_in_integer_rupiah(ctx):
    shops = [ShopFactory(bank_name="BCA"), ShopFactory(bank_name="Koperasi Sejahtera", bank_account_name="=SUM(A1)")]
    for n, shop in enumerate(shops):
        ledger.post(shop.id, EntryKind.ADJUSTMENT, 1_250_000 + n, key=f"test:{n}")
    batch = payouts.create_batch().batch
    rows = list(csv.reader(io.StringIO(transfer_csv(batch.payouts).decode())))
    assert rows[0] == ["kode_bank", "no_rekening", "nama_rekening", "jumlah", "referensi"]
    assert rows[1:] == [
        ["014", shops[0].bank_account_number, shops[0].bank_account_name, "1250000", batch.payouts[0].reference],
        ["", shops[1].bank_account_number, "SUM(A1)", "1250001", batch.payouts[1].reference],
    ]


def test_the_schedule_opens_one_period_a_week(ctx):
    current_app.config["PAYOUT_WEEKDAY"] = 1      # Tuesday
    tuesday = date(2026, 12, 1)
    assert payouts.period_key_for(tuesday) == "2026-W49"
    assert payouts.period_key_for(tuesday + timedelta(days=1)) is None
    assert payouts.next_payout_date(tuesday + timedelta(days=1)) == date(2026, 12, 8)
    assert payouts.next_payout_date(tuesday) == tuesday
    at_tuesday = datetime(2026, 12, 1, 3, tzinfo=timezone.utc)
    assert payouts.create_scheduled_batch(now=at_tuesday + timedelta(days=1)) is None
    assert payouts.create_scheduled_batch(now=at_tuesday).batch.period_key == "2026-W49"
    assert payouts.create_scheduled_batch(now=at_tuesday).batch is None


def test_the_command_makes_one_batch_per_period(app, ctx):
    shop = ShopFactory()
    ledger.post(shop.id, EntryKind.ADJUSTMENT, 30_000, key="test:adj")
    db.session.commit()
    runner = app.test_cli_runner()
    first = runner.invoke(args=["payouts", "create", "--any-day"])
    assert first.exit_code == 0 and "1 transfer(s)" in first.output, first.output
    second = runner.invoke(args=["payouts", "create", "--any-day"])
    assert second.exit_code == 0 and "exists already" in second.output, second.output
    db.session.expire_all()
    assert [p.amount for p in _payouts_of(shop.id)] == [30_000]
