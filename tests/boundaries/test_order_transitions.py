"""The one function that moves an order: what it writes and announces on a legal move (who, from,
to, why), and what it says when a move is refused (illegal, or someone moved the order first)."""
import pytest
import sqlalchemy as sa

from bebeli.errors import InvalidTransition
from bebeli.extensions import db
from bebeli.orders.models import FulfilmentMethod, OrderEvent, SellerOrder
from bebeli.orders.models import FulfilmentStatus as F
from bebeli.lifecycle.fulfilment import record_event, transition
from bebeli.orders.status import Actor, status_label
from bebeli.signals import seller_order_transitioned
from tests.factories import ProductFactory
from tests.orders.factories import asn_buyer, fill_cart, paid_order, pay, place


@pytest.fixture
def paid(ctx):
    product = ProductFactory()
    so = paid_order(asn_buyer(), (product, 1)).seller_orders[0]
    return so, product.shop.owner


@pytest.fixture
def announced():
    seen = []

    def receiver(so, **kw):
        seen.append((so.id, kw["from_status"], kw["to_status"], getattr(kw["actor"], "id", None), kw["note"]))

    seller_order_transitioned.connect(receiver)
    yield seen
    seller_order_transitioned.disconnect(receiver)


def test_a_move_is_written_and_announced_with_who_from_and_to(paid, announced):
    so, seller = paid
    transition(so, F.ACCEPTED, actor=seller, actor_kind=Actor.SELLER, note="siap")
    db.session.commit()
    event = db.session.scalars(sa.select(OrderEvent).where(OrderEvent.seller_order_id == so.id,
                                                           OrderEvent.to_status == "accepted")).one()
    assert (event.actor_id, event.actor_kind, event.kind, event.from_status, event.to_status, event.note) == \
        (seller.id, "seller", "status", "paid", "accepted", "siap")
    assert announced == [(so.id, F.PAID, F.ACCEPTED, seller.id, "siap")]
    assert db.session.get(SellerOrder, so.id).accepted_at is not None


def test_a_timeline_note_keeps_its_kind_and_plain_statuses(paid):
    so, seller = paid
    record_event(so, order_id=so.order_id, actor=seller, actor_kind=Actor.SELLER, kind="payment",
                 from_status="paid", to_status="accepted", note="catatan")
    db.session.commit()
    event = db.session.scalars(sa.select(OrderEvent).where(OrderEvent.note == "catatan")).one()
    assert (event.actor_id, event.kind, event.from_status, event.to_status) == (seller.id, "payment", "paid", "accepted")


@pytest.fixture
def collected(ctx):
    """A pickup order the shop has made ready: its statuses read the pickup way."""
    product = ProductFactory()
    buyer = asn_buyer()
    fill_cart(buyer, (product, 1))
    so = pay(place(buyer, method=FulfilmentMethod.PICKUP)).seller_orders[0]
    seller = product.shop.owner
    transition(so, F.ACCEPTED, actor=seller, actor_kind=Actor.SELLER)
    db.session.commit()
    return so, seller


def test_an_illegal_move_says_what_and_from_where(paid):
    so, seller = paid
    with pytest.raises(InvalidTransition) as refused:
        transition(so, F.COMPLETED, actor=seller, actor_kind=Actor.SELLER)
    assert refused.value.details == {"from_status": "paid", "to_status": "completed"}
    assert str(refused.value.message) == \
        f"Pesanan {so.number} tidak dapat diubah dari “Dibayar, menunggu penjual” menjadi “Selesai”."


def test_an_illegal_move_names_the_statuses_as_this_order_reads_them(collected):
    so, seller = collected
    with pytest.raises(InvalidTransition) as refused:
        transition(so, F.DELIVERED, actor=seller, actor_kind=Actor.SELLER)
    assert str(refused.value.message) == f"Pesanan {so.number} tidak dapat diubah dari “{status_label(F.ACCEPTED, so)}” " \
                                         f"menjadi “{status_label(F.DELIVERED, so)}”."
    assert str(status_label(F.DELIVERED, so)) == "Sudah diambil"
    transition(so, F.SHIPPED, actor=seller, actor_kind=Actor.SELLER)
    with pytest.raises(InvalidTransition) as refused:
        transition(so, F.ACCEPTED, actor=seller, actor_kind=Actor.SELLER)
    assert "dari “Siap diambil” menjadi “Diproses penjual”" in str(refused.value.message)


def test_a_move_someone_else_made_first_is_refused_with_the_status_now(collected):
    so, seller = collected
    db.session.execute(sa.update(SellerOrder).where(SellerOrder.id == so.id).values(status=F.SHIPPED)
                       .execution_options(synchronize_session=False))
    assert so.status == F.ACCEPTED   # the page still shows the order as it was
    with pytest.raises(InvalidTransition) as refused:
        transition(so, F.SHIPPED, actor=seller, actor_kind=Actor.SELLER)
    assert str(refused.value.message) == \
        f"Status pesanan {so.number} baru saja berubah menjadi “Siap diambil”. Muat ulang halaman."
