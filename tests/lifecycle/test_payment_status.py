"""The payment-status axis: its transition table, its one writer, an event for every move, and
`order_paid` sent exactly once for every order that becomes paid, personal or agency."""
from __future__ import annotations

import itertools

import pytest
import sqlalchemy as sa

from bebeli import lifecycle, signals
from bebeli.errors import InvalidTransition
from bebeli.extensions import db
from bebeli.lifecycle.payment_status import PAYMENT_TRANSITIONS, can_move_payment, move_payment
from bebeli.orders.models import Order, PaymentStatus, PaymentStatusEvent
from bebeli.orders.status import Actor
from tests.orders.factories import asn_buyer, fill_cart, paid_order, pay, place
from tests.factories import ProductFactory
from tests.procurement.factories import agency_paid

P = PaymentStatus


def _moves(order) -> list[tuple[str, str, str]]:
    return [(e.from_status, e.to_status, e.reason) for e in db.session.scalars(
        sa.select(PaymentStatusEvent).where(PaymentStatusEvent.order_id == order.id).order_by(PaymentStatusEvent.id))]


@pytest.fixture
def paid_signals():
    sent = []

    def receiver(order, paid_at, **_):
        sent.append(order.id)

    signals.order_paid.connect(receiver)
    yield sent
    signals.order_paid.disconnect(receiver)


def test_every_move_outside_the_table_is_refused(ctx):
    order = place(_buyer_with_cart())
    for frm, to in itertools.product(P, P):
        for actor in Actor:
            allowed = actor in PAYMENT_TRANSITIONS.get((frm, to), frozenset())
            assert can_move_payment(frm, to, actor) == allowed
            if not allowed:
                with pytest.raises(InvalidTransition):
                    move_payment(order, to, frm=frm, reason="test", actor_kind=actor)
    db.session.rollback()
    assert db.session.get(Order, order.id).payment_status == P.UNPAID and _moves(order) == []


def test_a_paid_order_never_goes_back_to_unpaid_and_an_unpaid_one_is_never_refunded():
    assert not any(can_move_payment(frm, P.UNPAID, actor) for frm in P for actor in Actor)
    assert not any(can_move_payment(P.UNPAID, to, actor) for to in (P.PARTIALLY_REFUNDED, P.REFUNDED)
                   for actor in Actor)


def test_a_move_from_a_status_the_order_left_changes_nothing(ctx):
    order = pay(place(_buyer_with_cart()))
    assert move_payment(order, P.CANCELLED, frm=P.UNPAID, reason="cancelled", actor_kind=Actor.BUYER) is False
    assert order.payment_status == P.PAID and _moves(order) == [("unpaid", "paid", "paid")]


def test_pay_then_refund_in_parts_records_each_move(ctx):
    buyer = asn_buyer()
    a, b = ProductFactory(price_amount=40_000, stock=5), ProductFactory(price_amount=60_000, stock=5)
    order = paid_order(buyer, (a, 1), (b, 1))
    first, second = order.seller_orders
    lifecycle.reject_seller_order(first, first.shop.owner, "Stok rusak")
    db.session.commit()
    assert db.session.get(Order, order.id).payment_status == P.PARTIALLY_REFUNDED
    lifecycle.reject_seller_order(second, second.shop.owner, "Toko tutup")
    db.session.commit()
    assert db.session.get(Order, order.id).payment_status == P.REFUNDED
    assert _moves(order) == [("unpaid", "paid", "paid"), ("paid", "partially_refunded", "refund:rejected"),
                             ("partially_refunded", "refunded", "refund:rejected")]


def test_orders_that_end_unpaid_record_why(ctx):
    cancelled = place(_buyer_with_cart())
    assert lifecycle.cancel_unpaid(cancelled, cancelled.buyer)
    expired = place(_buyer_with_cart())
    assert lifecycle.expire_order(expired, force=True)
    failed = place(_buyer_with_cart())
    assert lifecycle.fail_order(failed)
    db.session.commit()
    assert _moves(cancelled) == [("unpaid", "cancelled", "cancelled")]
    assert _moves(expired) == [("unpaid", "expired", "expired")]
    assert _moves(failed) == [("unpaid", "failed", "failed")]
    [event] = db.session.scalars(sa.select(PaymentStatusEvent).where(PaymentStatusEvent.order_id == cancelled.id))
    assert event.actor_id == cancelled.buyer_id and event.actor_kind == "buyer"


def test_order_paid_is_sent_once_for_a_personal_order(ctx, paid_signals):
    order = pay(place(_buyer_with_cart()))
    assert lifecycle.pay_without_screen(order) == "already_paid"   # a second report of the payment
    db.session.commit()
    assert paid_signals == [order.id]


def test_order_paid_is_sent_once_for_an_agency_order_when_the_treasurer_pays_the_last_part(ctx, paid_signals):
    def nothing_yet():
        assert paid_signals == []

    purchase = agency_paid(nothing_yet)
    order = db.session.get(Order, purchase.order_id)
    assert paid_signals == [order.id] and order.payment_status == P.PAID and order.paid_at is not None
    [event] = db.session.scalars(sa.select(PaymentStatusEvent).where(PaymentStatusEvent.order_id == order.id))
    assert (event.from_status, event.to_status, event.actor_id) == ("unpaid", "paid", purchase.team.treasurer.id)


def _buyer_with_cart():
    buyer = asn_buyer()
    fill_cart(buyer, (ProductFactory(price_amount=50_000, stock=5), 1))
    return buyer
