"""The agency channel's own transition table: the moves of the personal channel (the seller's
plain accept, the buyer's receipt, a cancellation after the Surat Pesanan) are refused by the
table or by the step itself, never by a signal receiver."""
import pytest
import sqlalchemy as sa

from bebeli.errors import InvalidTransition, NotAllowed
from bebeli.extensions import db
from bebeli import lifecycle
from bebeli.orders.models import FulfilmentStatus as F
from bebeli.orders.models import SellerOrder
from bebeli.orders.queries import seller_order_counts
from bebeli.lifecycle.fulfilment import AGENCY_TRANSITIONS, TRANSITIONS, can_move, seller_step, transition
from bebeli.orders.status import Actor
from bebeli.procurement import services
from bebeli.procurement.models import Stage
from tests.factories import admin
from tests.procurement.factories import agency_order, buying_setup

AGENCY_ONLY = {F.AWAITING_APPROVAL, F.APPROVED, F.SP_ACCEPTED, F.RECEIVED}


@pytest.fixture
def approved(ctx):
    t, line, shop, product = buying_setup(20_000_000, is_pkp=False, delivery_fee_amount=0, price_amount=100_000,
                                          stock=20)
    [purchase] = agency_order(t, line, [(product, 2)])
    services.approve_purchase(purchase, t.ppk)
    db.session.commit()
    return t, line, shop, purchase


def test_the_personal_table_knows_no_agency_state():
    assert not {state for move in TRANSITIONS for state in move} & AGENCY_ONLY
    assert {F.PAID, F.ACCEPTED} & {state for move in AGENCY_TRANSITIONS for state in move} == set()


def test_every_move_outside_the_agency_table_is_refused(approved):
    t, line, shop, purchase = approved
    so = purchase.seller_order
    for frm in F:
        db.session.execute(sa.update(SellerOrder).where(SellerOrder.id == so.id).values(status=frm))
        db.session.commit()
        db.session.refresh(so)
        for to in F:
            for actor in Actor:
                legal = actor in AGENCY_TRANSITIONS.get((frm, to), ())
                assert can_move(so, to, actor) == legal
                if legal:
                    continue
                savepoint = db.session.begin_nested()
                try:
                    with pytest.raises((InvalidTransition, NotAllowed)):
                        transition(so, to, actor=t.pp, actor_kind=actor)
                finally:
                    savepoint.rollback()
                    db.session.refresh(so)
                assert so.status == frm


def test_the_seller_cannot_use_the_personal_accept_on_a_surat_pesanan(approved):
    t, line, shop, purchase = approved
    assert seller_step(purchase.seller_order) == "answer_sp"
    assert seller_order_counts(shop.owner) == {"baru": 1, "proses": 0, "dikirim": 0}   # waits like a paid order
    with pytest.raises(InvalidTransition):
        lifecycle.accept_seller_order(purchase.seller_order, shop.owner)
    db.session.rollback()
    services.accept_sp(purchase, shop.owner)
    db.session.commit()
    db.session.refresh(purchase.seller_order)
    assert purchase.seller_order.status == F.SP_ACCEPTED and seller_step(purchase.seller_order) == "ship"
    assert seller_order_counts(shop.owner) == {"baru": 0, "proses": 1, "dikirim": 0}


def test_the_pp_cannot_confirm_receipt_and_the_bast_receives(approved):
    t, line, shop, purchase = approved
    so = purchase.seller_order
    services.accept_sp(purchase, shop.owner)
    lifecycle.ship_seller_order(so, shop.owner, courier="JNE", tracking_number=None)
    db.session.commit()
    with pytest.raises(NotAllowed, match="BAST yang ditandatangani PPK"):
        lifecycle.confirm_receipt(so, t.pp)
    db.session.rollback()
    services.sign_bast(purchase, t.ppk, rejected={}, note=None)
    db.session.commit()
    db.session.refresh(so)
    assert so.status == F.RECEIVED and so.received_at is not None and so.completed_at is None


def test_an_issued_surat_pesanan_is_cancelled_by_the_administrator_only(approved):
    t, line, shop, purchase = approved
    so = purchase.seller_order
    for user, kind in ((t.pp, Actor.BUYER), (shop.owner, Actor.SELLER)):
        with pytest.raises(NotAllowed, match="hanya dapat ditolak penjual atau dibatalkan administrator"):
            transition(so, F.CANCELLED, actor=user, actor_kind=kind)
        db.session.rollback()
    with pytest.raises(NotAllowed):
        lifecycle.cancel_seller_order(so, t.pp, "tidak jadi")
    db.session.rollback()
    transition(so, F.CANCELLED, actor=admin(), actor_kind=Actor.ADMIN, note="dibatalkan administrator")
    db.session.commit()
    db.session.refresh(purchase)
    db.session.refresh(line)
    assert purchase.stage == Stage.CANCELLED and line.used_amount == 0     # the follower releases the budget


def test_a_personal_order_cannot_be_received_with_a_bast(ctx):
    from tests.factories import ProductFactory
    from tests.orders.factories import asn_buyer, paid_order

    so = paid_order(asn_buyer(), (ProductFactory(), 1)).seller_orders[0]
    with pytest.raises(NotAllowed):
        lifecycle.record_bast_receipt(so, so.order.buyer, rejected={}, note=None)
