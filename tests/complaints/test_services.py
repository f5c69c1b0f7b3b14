"""Complaints through their services: the window, the holds, every way they end, the money
written once, the deadlines."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import current_app

from bebeli import lifecycle
from bebeli.complaints import services
from bebeli.complaints.models import Complaint, ComplaintStatus, Remedy
from bebeli.db import utcnow
from bebeli.errors import Conflict, NotAllowed, ValidationFailed
from bebeli.extensions import db
from bebeli.orders.models import FulfilmentStatus as F
from bebeli.orders.models import OrderEvent, SellerOrder
from bebeli.payments.models import PaymentEvent
from bebeli.settlement import ledger, payouts
from bebeli.settlement.models import EntryKind, LedgerEntry
from tests.complaints.helpers import delivered, opened
from tests.orders.factories import asn_buyer
from tests.procurement.factories import agency_paid


def _entries(so):
    return [(e.kind, e.amount) for e in db.session.scalars(
        sa.select(LedgerEntry).where(LedgerEntry.seller_order_id == so.id).order_by(LedgerEntry.id))]


def _refunds(so):
    return db.session.scalars(sa.select(PaymentEvent).where(PaymentEvent.seller_order_id == so.id,
                                                            PaymentEvent.kind == "refund")).all()


def _age(so, days):
    """Move the part's delivery (and completion) `days` into the past."""
    so.delivered_at = so.delivered_at - timedelta(days=days)
    if so.completed_at:
        so.completed_at = so.completed_at - timedelta(days=days)
    db.session.commit()


# --- opening -----------------------------------------------------------------------------------

def test_a_complaint_opens_within_the_window_and_not_after_it(ctx):
    so = delivered()
    days = current_app.config["COMPLAINT_WINDOW_DAYS"]
    _age(so, days + 1)
    with pytest.raises(ValidationFailed, match="Batas waktu"):
        services.open_complaint(so, so.order.buyer, kind="damaged", description="Rusak")
    db.session.rollback()
    so.delivered_at = so.delivered_at + timedelta(days=2)   # one day inside the window
    db.session.commit()
    complaint = services.open_complaint(so, so.order.buyer, kind="damaged", description="Rusak")
    db.session.commit()
    assert complaint.status == ComplaintStatus.AWAITING_SELLER
    with pytest.raises(Conflict):
        services.open_complaint(so, so.order.buyer, kind="damaged", description="Lagi")


def test_a_part_not_delivered_yet_or_someone_elses_cannot_be_complained_about(ctx):
    so = delivered()
    with pytest.raises(NotAllowed):
        services.open_complaint(so, asn_buyer(), kind="damaged", description="Bukan pesanan saya")
    db.session.rollback()
    from tests.factories import ProductFactory
    from tests.orders.factories import paid_order
    order = paid_order(asn_buyer(), (ProductFactory(stock=5), 1))
    with pytest.raises(ValidationFailed, match="setelah barang diterima"):
        services.open_complaint(order.seller_orders[0], order.buyer, kind="damaged", description="Belum sampai")


def test_an_open_complaint_holds_auto_completion_and_the_payout(ctx):
    so = delivered()
    complaint = opened(so)
    days = current_app.config["ORDER_AUTOCOMPLETE_DAYS"]
    assert lifecycle.autocomplete_delivered(now=utcnow() + timedelta(days=days + 1)) == 0
    # the buyer confirms anyway: the sale is credited but stays held past its hold period
    lifecycle.confirm_receipt(so, so.order.buyer)
    db.session.commit()
    later = utcnow() + timedelta(days=current_app.config["SETTLEMENT_HOLD_DAYS"] + 1)
    assert ledger.balance_of(so.shop_id, later).available_amount == 0
    assert payouts.available_by_shop([so.shop_id], later) == {so.shop_id: 0}
    services.answer_complaint(complaint, so.shop.owner, offer=Remedy.CONTEST, note="Barang dikirim utuh, ada video.")
    services.accept_offer(complaint, so.order.buyer)
    db.session.commit()
    assert not ledger.is_held(so)
    assert ledger.balance_of(so.shop_id, later).available_amount == so.total_amount


def test_auto_completion_resumes_after_the_complaint_ends(ctx):
    so = delivered()
    complaint = opened(so)
    services.answer_complaint(complaint, so.shop.owner, offer=Remedy.CONTEST, note="Tidak terbukti")
    services.accept_offer(complaint, so.order.buyer)
    db.session.commit()
    days = current_app.config["ORDER_AUTOCOMPLETE_DAYS"]
    assert lifecycle.autocomplete_delivered(now=utcnow() + timedelta(days=days + 1)) == 1


# --- resolutions -------------------------------------------------------------------------------

def test_a_partial_refund_on_a_completed_card_order_refunds_once_and_debits_the_ledger_once(ctx):
    so = delivered(price=50_000, quantity=2, delivery_fee=10_000)
    lifecycle.confirm_receipt(so, so.order.buyer)
    db.session.commit()
    complaint = opened(so)
    with pytest.raises(ValidationFailed):   # more than the goods
        services.answer_complaint(complaint, so.shop.owner, offer=Remedy.PARTIAL_REFUND, amount=100_001)
    db.session.rollback()
    services.answer_complaint(complaint, so.shop.owner, offer=Remedy.PARTIAL_REFUND, amount=30_000, note="Maaf")
    services.accept_offer(complaint, so.order.buyer)
    db.session.commit()
    with pytest.raises(Conflict):          # accepted twice: nothing more
        services.accept_offer(complaint, so.order.buyer)
    db.session.rollback()
    [refund] = _refunds(so)
    assert (refund.amount, refund.reason, refund.idempotency_key) == (30_000, "complaint", f"complaint:{complaint.id}")
    assert refund.reference   # sent through the gateway that took the payment
    assert _entries(so) == [(EntryKind.SALE, 110_000), (EntryKind.REFUND, -30_000)]
    db.session.refresh(so)
    assert so.refunded_amount == 30_000 and so.order.payment_status.value == "partially_refunded"
    assert db.session.get(Complaint, complaint.id).outcome_amount == 30_000


def test_a_partial_refund_before_completion_is_debited_with_the_sale(ctx):
    so = delivered(price=50_000, quantity=2, delivery_fee=0)
    complaint = opened(so)
    services.answer_complaint(complaint, so.shop.owner, offer=Remedy.PARTIAL_REFUND, amount=20_000)
    services.accept_offer(complaint, so.order.buyer)
    db.session.commit()
    assert _entries(so) == []
    lifecycle.confirm_receipt(so, so.order.buyer)
    db.session.commit()
    assert _entries(so) == [(EntryKind.SALE, 100_000), (EntryKind.REFUND, -20_000)]


def test_a_full_refund_on_an_agency_order_is_owed_by_the_shop_and_shown_once(ctx):
    purchase = agency_paid()
    so = purchase.seller_order
    assert so.status == F.COMPLETED
    complaint = services.open_complaint(so, purchase.pp, kind="not_as_described", description="Spesifikasi beda")
    db.session.commit()
    assert Remedy.REPLACEMENT not in services.remedies_for(so)
    services.answer_complaint(complaint, so.shop.owner, offer=Remedy.FULL_REFUND)
    services.accept_offer(complaint, purchase.pp)
    db.session.commit()
    [refund] = _refunds(so)
    assert refund.status == "manual" and refund.amount == so.total_amount
    kinds = _entries(so)
    assert kinds[-2:] == [(EntryKind.OUTSIDE_SALE, -so.total_amount), (EntryKind.OUTSIDE_PAID, so.total_amount)]
    assert sum(a for k, a in kinds if k == EntryKind.OUTSIDE_SALE) == purchase.net_amount - so.total_amount
    ledger.debit_refund(so, refund)    # reported again: nothing new
    db.session.commit()
    assert _entries(so) == kinds


def test_a_partial_refund_on_an_agency_order_through_escalation(ctx):
    purchase = agency_paid()
    so = purchase.seller_order
    complaint = services.open_complaint(so, purchase.pp, kind="damaged", description="Dua unit rusak")
    services.answer_complaint(complaint, so.shop.owner, offer=Remedy.CONTEST, note="Rusak karena pemakaian")
    services.escalate(complaint, purchase.pp, "Rusak sejak diterima, ada foto BAST")
    db.session.commit()
    from tests.factories import admin
    the_admin = admin()
    services.decide(complaint, the_admin, outcome=Remedy.PARTIAL_REFUND, amount=200_000, note="Dua unit diganti uang")
    db.session.commit()
    assert [r.amount for r in _refunds(so)] == [200_000]
    assert _entries(so)[-2:] == [(EntryKind.OUTSIDE_SALE, -200_000), (EntryKind.OUTSIDE_PAID, 200_000)]


def test_a_replacement_reopens_shipping(ctx):
    so = delivered()
    lifecycle.confirm_receipt(so, so.order.buyer)
    db.session.commit()
    complaint = opened(so)
    services.answer_complaint(complaint, so.shop.owner, offer=Remedy.REPLACEMENT)
    services.accept_offer(complaint, so.order.buyer)
    db.session.commit()
    db.session.refresh(so)
    assert so.status == F.ACCEPTED
    lifecycle.ship_seller_order(so, so.shop.owner, courier="Kurir toko", tracking_number="R-1")
    lifecycle.confirm_receipt(so, so.order.buyer)
    db.session.commit()
    assert so.status == F.COMPLETED
    assert [k for k, _ in _entries(so)] == [EntryKind.SALE]   # credited once


def test_the_replacement_transition_is_the_systems_only(ctx):
    so = delivered()
    from bebeli.errors import InvalidTransition
    from bebeli.orders.status import Actor
    with pytest.raises(InvalidTransition):
        lifecycle.transition(so, F.ACCEPTED, actor=so.shop.owner, actor_kind=Actor.SELLER)


def test_escalation_and_the_admins_decision_not_upheld(ctx):
    so = delivered()
    complaint = opened(so)
    services.answer_complaint(complaint, so.shop.owner, offer=Remedy.PARTIAL_REFUND, amount=5_000)
    services.escalate(complaint, so.order.buyer, "Terlalu kecil")
    db.session.commit()
    from tests.factories import admin
    the_admin = admin()
    with pytest.raises(NotAllowed):
        services.decide(complaint, so.shop.owner, outcome=Remedy.CONTEST, amount=None, note="x")
    with pytest.raises(ValidationFailed):
        services.decide(complaint, the_admin, outcome=Remedy.CONTEST, amount=None, note="")
    services.decide(complaint, the_admin, outcome=Remedy.CONTEST, amount=None, note="Foto tidak menunjukkan kerusakan")
    db.session.commit()
    complaint = db.session.get(Complaint, complaint.id)
    assert complaint.status == ComplaintStatus.RESOLVED and not complaint.upheld and _refunds(so) == []
    notes = [e.note for e in db.session.scalars(sa.select(OrderEvent).where(
        OrderEvent.seller_order_id == so.id, OrderEvent.kind == "complaint").order_by(OrderEvent.id))]
    assert len(notes) == 4    # opened, answered, escalated, resolved
    from bebeli.audit.models import AuditEvent
    actions = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.object_type == "complaints")).all()
    assert "complaints.decided" in actions


def test_every_step_is_mailed_to_whoever_acts(ctx):
    from bebeli.mail.models import OutboundEmail
    so = delivered()
    complaint = opened(so)
    seller_mail = db.session.scalars(sa.select(OutboundEmail.to).where(OutboundEmail.kind == "complaint")).all()
    assert seller_mail == [so.shop.owner.email]
    services.answer_complaint(complaint, so.shop.owner, offer=Remedy.FULL_REFUND)
    db.session.commit()
    assert so.order.buyer.email in db.session.scalars(sa.select(OutboundEmail.to).where(
        OutboundEmail.kind == "complaint")).all()


# --- deadlines ---------------------------------------------------------------------------------

def test_the_deadlines_command_escalates_silent_sellers_and_accepts_offers_of_silent_buyers(app, ctx):
    from tests.factories import admin
    the_admin = admin()
    silent_seller = opened()
    silent_buyer = opened()
    services.answer_complaint(silent_buyer, silent_buyer.shop.owner, offer=Remedy.PARTIAL_REFUND, amount=7_000)
    db.session.commit()
    ids = (silent_seller.id, silent_buyer.id)
    result = app.test_cli_runner().invoke(args=["complaints-deadlines"])
    assert "0 escalated, 0 offer(s) accepted" in result.output
    db.session.execute(sa.update(Complaint).where(Complaint.id.in_(ids))
                       .values(due_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["complaints-deadlines"])
    assert result.exit_code == 0 and "1 escalated, 1 offer(s) accepted" in result.output, result.output
    db.session.expire_all()
    assert db.session.get(Complaint, ids[0]).status == ComplaintStatus.ESCALATED
    resolved = db.session.get(Complaint, ids[1])
    assert resolved.status == ComplaintStatus.RESOLVED and resolved.outcome_amount == 7_000
    assert [r.amount for r in _refunds(db.session.get(SellerOrder, resolved.seller_order_id))] == [7_000]
    from bebeli.notifications.models import Notification
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)
                             .where(Notification.user_id == the_admin.id)) == 1
    result = app.test_cli_runner().invoke(args=["complaints-deadlines"])
    assert "0 escalated, 0 offer(s) accepted" in result.output
