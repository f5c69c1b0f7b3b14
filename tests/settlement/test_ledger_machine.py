"""The ledger balances at all times: a hypothesis state machine runs random sequences of
checkouts, payments, rejections, receipts (with refused items), completions, refunds, payouts,
transfers marked paid and returned, some of them delivered twice (a webhook again, a job run
twice), and checks after every step that

- each shop's ShopBalance equals the sum of its entries;
- every cause is on the ledger once: one sale and one fee per completed part, one refund entry
  per refund of a credited part, one entry per payout and per returned payout;
- the money the gateway holds for these orders (captured − refunded, from payment_events)
  equals what was paid out + the shops' balances + the platform's fees + what was paid for
  parts not completed yet.

`make test` runs 12 sequences of 12 steps (derandomized, so every run tries the same ones);
LEDGER_MACHINE_EXAMPLES=200 explores further before a release.
"""
from __future__ import annotations

import os
import secrets

import sqlalchemy as sa
from flask import current_app
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from bebeli import lifecycle
from bebeli.auth.models import User
from bebeli.errors import Conflict
from bebeli.extensions import db
from bebeli.orders.models import FulfilmentStatus as F
from bebeli.orders.models import Order, SellerOrder
from bebeli.payments.models import PaymentEvent
from bebeli.settlement import ledger, payouts
from bebeli.settlement.models import EntryKind, LedgerEntry, Payout, PayoutStatus, ShopBalance
from tests.factories import ProductFactory, ShopFactory, admin
from tests.orders.factories import asn_buyer, fill_cart, pay, place
from tests.settlement.payout_helpers import deliver

INDEX = st.integers(0, 1_000)


def _pick(items: list, index: int):
    return items[index % len(items)]


class LedgerMachine(RuleBasedStateMachine):
    buyer_id: int
    admin_id: int   # one buyer and one administrator for every run (each run has its own shops)

    def __init__(self):
        super().__init__()
        self.tag = secrets.token_hex(3)
        self.shops = [ShopFactory(delivery_fee_amount=10_000),
                      ShopFactory(delivery_fee_amount=0, is_pkp=True, npwp="0012345678901000")]
        self.products = [ProductFactory(shop=self.shops[0], price_amount=25_000, stock=10_000),
                         ProductFactory(shop=self.shops[1], price_amount=40_000, stock=10_000)]
        self.buyer, self.admin = db.session.get(User, self.buyer_id), db.session.get(User, self.admin_id)
        self.shop_ids = [s.id for s in self.shops]
        self.order_ids: list[int] = []
        self.unpaid: list[int] = []
        self.steps = 0
        self.completed = False   # payouts wait for something to pay
        db.session.commit()

    # --- helpers --------------------------------------------------------------------------------

    def _parts(self, *statuses: F) -> list[int]:
        if not self.order_ids:
            return []
        return list(db.session.scalars(sa.select(SellerOrder.id).where(
            SellerOrder.order_id.in_(self.order_ids), SellerOrder.status.in_(statuses)).order_by(SellerOrder.id)))

    def _payouts(self, *statuses: PayoutStatus) -> list[int]:
        return list(db.session.scalars(sa.select(Payout.id).where(
            Payout.shop_id.in_(self.shop_ids), Payout.status.in_(statuses)).order_by(Payout.id)))

    def _key(self) -> str:
        self.steps += 1
        return f"m{self.tag}-{self.steps}"

    # --- the steps ----------------------------------------------------------------------------------

    @precondition(lambda self: len(self.order_ids) < 3)   # a few orders per run keep it quick
    @rule(items=st.lists(st.tuples(st.integers(0, 1), st.integers(1, 3)), min_size=1, max_size=2,
                         unique_by=lambda item: item[0]),
          fee_bp=st.sampled_from([0, 250]), paid=st.booleans())
    def checkout(self, items, fee_bp, paid):
        current_app.config["PLATFORM_FEE_BP"] = fee_bp      # frozen on the lines at checkout
        try:
            fill_cart(self.buyer, *[(self.products[i], quantity) for i, quantity in items])
            order = place(self.buyer)
        finally:
            current_app.config["PLATFORM_FEE_BP"] = 0
        self.order_ids.append(order.id)
        if paid:
            pay(order)
        else:
            self.unpaid.append(order.id)

    @precondition(lambda self: self.unpaid)
    @rule(index=INDEX, again=st.booleans())
    def payment(self, index, again):
        order = db.session.get(Order, self.unpaid.pop(index % len(self.unpaid)))
        pay(order)
        if again:  # the gateway reports it once more
            assert lifecycle.mark_paid(order, reference=order.payment_reference,
                                       amount=order.total_amount) == "already_paid"
            db.session.commit()

    @precondition(lambda self: len(self._parts(F.PAID)) >= 2)   # (leaves most parts to be received)
    @rule(index=INDEX)
    def rejection(self, index):
        so = db.session.get(SellerOrder, _pick(self._parts(F.PAID), index))
        lifecycle.reject_seller_order(so, so.shop.owner, "Stok habis")
        db.session.commit()

    @precondition(lambda self: self._parts(F.PAID))
    @rule(index=INDEX, refused=st.integers(0, 3), again=st.booleans())
    def receipt(self, index, refused, again):
        so = db.session.get(SellerOrder, _pick(self._parts(F.PAID), index))
        deliver(so)
        line = so.lines[0]
        refused = min(refused, line.quantity)
        lifecycle.confirm_receipt(so, so.order.buyer, rejected={line.id: refused} if refused else None,
                                  note="Sebagian rusak" if refused else None)
        db.session.commit()
        self.completed = True
        if again:  # the completion reported again
            ledger.on_seller_order_transitioned(so, F.DELIVERED, F.COMPLETED)
            db.session.commit()

    @precondition(lambda self: self._parts(F.COMPLETED))
    @rule(index=INDEX, share=st.integers(1, 100), again=st.booleans())
    def refund_after_completion(self, index, share, again):
        candidates = [so for so in db.session.scalars(sa.select(SellerOrder).where(
            SellerOrder.id.in_(self._parts(F.COMPLETED)))) if so.total_amount > so.refunded_amount]
        if not candidates:
            return
        so = _pick(candidates, index)
        amount = max(1, (so.total_amount - so.refunded_amount) * share // 100)
        key = self._key()
        for _ in range(2 if again else 1):
            lifecycle.refund(so.order, amount, reason="outside", key=key, seller_order=so)
            db.session.commit()

    @precondition(lambda self: self.completed or len(self.order_ids) >= 3)
    @rule(again=st.booleans())
    def payout_batch(self, again):
        key = self._key()
        assert payouts.create_batch(period_key=key, actor=self.admin).batch is not None
        db.session.commit()
        if again:  # a second server, the same period
            assert payouts.create_batch(period_key=key).batch is None
            db.session.commit()

    @precondition(lambda self: self.completed)
    @rule(index=INDEX)
    def pay_now(self, index):
        try:
            payouts.pay_shop_now(db.session.get(type(self.shops[0]), _pick(self.shop_ids, index)), actor=self.admin)
        except Conflict:
            db.session.rollback()
        else:
            db.session.commit()

    @precondition(lambda self: self._payouts(PayoutStatus.PENDING))
    @rule(index=INDEX)
    def transfer_paid(self, index):
        payout = db.session.get(Payout, _pick(self._payouts(PayoutStatus.PENDING), index))
        payouts.mark_paid(payout, bank_reference="REF-" + self._key(), actor=self.admin)
        db.session.commit()

    @precondition(lambda self: self._payouts(PayoutStatus.PENDING, PayoutStatus.PAID))
    @rule(index=INDEX, again=st.booleans())
    def transfer_returned(self, index, again):
        payout = db.session.get(Payout, _pick(self._payouts(PayoutStatus.PENDING, PayoutStatus.PAID), index))
        payouts.mark_returned(payout, reason="Rekening tidak aktif", actor=self.admin)
        db.session.commit()
        if again:
            try:
                payouts.mark_returned(payout, reason="Lagi", actor=self.admin)
                raise AssertionError("a transfer was returned twice")
            except Conflict:
                db.session.rollback()

    # --- what must hold after every step ---------------------------------------------------------

    def _sum(self, *kinds: EntryKind) -> int:
        return db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(LedgerEntry.amount), 0)).where(
            LedgerEntry.shop_id.in_(self.shop_ids), LedgerEntry.kind.in_(kinds))) or 0

    @invariant()
    def each_balance_is_the_sum_of_its_entries(self):
        db.session.expire_all()
        for shop_id in self.shop_ids:
            kept = db.session.scalar(sa.select(ShopBalance.balance_amount).where(ShopBalance.shop_id == shop_id)) or 0
            total = db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(LedgerEntry.amount), 0))
                                      .where(LedgerEntry.shop_id == shop_id)) or 0
            assert kept == total, (shop_id, kept, total)

    @invariant()
    def every_cause_is_written_once(self):
        per_cause = db.session.execute(
            sa.select(LedgerEntry.kind, LedgerEntry.seller_order_id, LedgerEntry.payout_id, sa.func.count())
            .where(LedgerEntry.shop_id.in_(self.shop_ids),
                   LedgerEntry.kind.in_([EntryKind.SALE, EntryKind.FEE, EntryKind.PAYOUT, EntryKind.PAYOUT_RETURNED]))
            .group_by(LedgerEntry.kind, LedgerEntry.seller_order_id, LedgerEntry.payout_id)).all()
        assert all(count == 1 for *_, count in per_cause), per_cause
        credited = sa.select(LedgerEntry.seller_order_id).where(LedgerEntry.kind == EntryKind.SALE,
                                                               LedgerEntry.shop_id.in_(self.shop_ids))
        refunds_of_credited = db.session.scalar(sa.select(sa.func.count(PaymentEvent.id)).where(
            PaymentEvent.kind == "refund", PaymentEvent.seller_order_id.in_(credited)))
        refund_entries = db.session.scalar(sa.select(sa.func.count(LedgerEntry.id)).where(
            LedgerEntry.shop_id.in_(self.shop_ids), LedgerEntry.kind == EntryKind.REFUND))
        assert refund_entries == refunds_of_credited

    @invariant()
    def gateway_money_is_paid_out_held_or_fees(self):
        if not self.order_ids:
            return
        events = dict(db.session.execute(sa.select(PaymentEvent.kind, sa.func.sum(PaymentEvent.amount))
                                         .where(PaymentEvent.order_id.in_(self.order_ids))
                                         .group_by(PaymentEvent.kind)).all())
        money_in = (events.get("captured") or 0) - (events.get("refund") or 0)
        paid_out = -self._sum(EntryKind.PAYOUT, EntryKind.PAYOUT_RETURNED)
        held = db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(ShopBalance.balance_amount), 0))
                                 .where(ShopBalance.shop_id.in_(self.shop_ids))) or 0
        fees = -self._sum(EntryKind.FEE)
        credited = set(db.session.scalars(sa.select(LedgerEntry.seller_order_id).where(
            LedgerEntry.kind == EntryKind.SALE, LedgerEntry.shop_id.in_(self.shop_ids))))
        not_completed = sum(
            so.total_amount - so.refunded_amount for so in db.session.scalars(
                sa.select(SellerOrder).join(Order).where(Order.id.in_(self.order_ids), Order.paid_at.is_not(None)))
            if so.id not in credited)
        assert money_in == paid_out + held + fees + not_completed, (money_in, paid_out, held, fees, not_completed)


def test_the_ledger_balances_after_every_step(ctx):
    before = current_app.config["SETTLEMENT_HOLD_DAYS"]
    current_app.config["SETTLEMENT_HOLD_DAYS"] = 0      # sales may be paid out as soon as they complete
    LedgerMachine.buyer_id, LedgerMachine.admin_id = asn_buyer().id, admin().id
    db.session.commit()
    try:
        run_state_machine_as_test(LedgerMachine, settings=settings(
            max_examples=int(os.environ.get("LEDGER_MACHINE_EXAMPLES", "12")), stateful_step_count=12,
            deadline=None, derandomize=True,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))
    finally:
        current_app.config["SETTLEMENT_HOLD_DAYS"] = before
