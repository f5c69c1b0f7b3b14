"""Revision 0018: agency seller orders stored with the personal channel's states (`paid` for
approved, `accepted` for the Surat Pesanan accepted, `completed` from the BAST on) move to the
agency's own states, their timeline with them; personal orders are left alone; the downgrade
puts the old states back."""
import importlib.util
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.operations import Operations

from bebeli.dates import jakarta_today
from bebeli.extensions import db
from bebeli import lifecycle
from bebeli.orders.models import OrderEvent, SellerOrder
from bebeli.procurement import services
from tests.factories import ProductFactory
from tests.orders.factories import asn_buyer, paid_order
from tests.procurement.factories import agency_order, buying_setup


def _revision_0018(app):
    path = Path(app.root_path).parent / "migrations/versions/0018_agency_states.py"
    spec = importlib.util.spec_from_file_location("revision_0018", path)
    revision = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(revision)
    return revision


def _run(app, step: str) -> None:
    db.session.commit()                  # the test's own reads end before the revision writes
    revision = _revision_0018(app)
    with app.app_context(), db.engine.begin() as conn, Operations.context(MigrationContext.configure(conn)):
        getattr(revision, step)()


def _set(so_id: int, status: str) -> None:
    """Store a seller order and its timeline as the code before revision 0018 wrote them."""
    db.session.execute(sa.update(SellerOrder).where(SellerOrder.id == so_id).values(status=status))


def _old_event_statuses(so_id: int, mapping: dict[str, str]) -> None:
    for column in (OrderEvent.from_status, OrderEvent.to_status):
        for new, old in mapping.items():
            db.session.execute(sa.update(OrderEvent).where(OrderEvent.seller_order_id == so_id, column == new)
                               .values({column.key: old}))


def _statuses() -> dict[int, str]:
    rows = db.session.execute(sa.text("SELECT id, status FROM seller_orders")).all()
    return {so_id: status for so_id, status in rows}


def _event_statuses(so_id: int) -> list[tuple]:
    rows = db.session.execute(sa.text("SELECT from_status, to_status FROM order_events WHERE seller_order_id = :id "
                                      "AND kind = 'status' ORDER BY id"), {"id": so_id}).all()
    return [tuple(row) for row in rows]


OLD = {"approved": "paid", "sp_accepted": "accepted", "received": "completed"}


@pytest.mark.usefixtures("ctx")
def test_agency_orders_move_to_their_own_states_and_back(app):
    t, line, shop, product = buying_setup(50_000_000, is_pkp=False, delivery_fee_amount=0, price_amount=100_000,
                                          stock=50)
    others = [ProductFactory(shop=shop, price_amount=100_000, stock=50) for _ in range(3)]
    waiting, = agency_order(t, line, [(product, 1)])
    approved, = agency_order(t, line, [(others[0], 1)])
    accepted, = agency_order(t, line, [(others[1], 1)])
    received, = agency_order(t, line, [(others[2], 1)])
    paid, = agency_order(t, line, [(product, 2)])
    for purchase in (approved, accepted, received, paid):
        services.approve_purchase(purchase, t.ppk)
    for purchase in (accepted, received, paid):
        services.accept_sp(purchase, shop.owner)
    for purchase in (received, paid):
        lifecycle.ship_seller_order(purchase.seller_order, shop.owner, courier="JNE", tracking_number=None)
        services.sign_bast(purchase, t.ppk, rejected={}, note=None)
    services.record_payment(paid, t.treasurer, paid_on=jakarta_today(), reference="SP2D-1",
                            amount=paid.outstanding_amount)
    personal = paid_order(asn_buyer(), (ProductFactory(price_amount=50_000), 1)).seller_orders[0]
    db.session.commit()
    ids = {name: p.seller_order_id for name, p in
           (("waiting", waiting), ("approved", approved), ("accepted", accepted), ("received", received),
            ("paid", paid))}
    # As stored before the revision: the borrowed states.
    for name in ("approved", "accepted", "received"):
        _set(ids[name], {"approved": "paid", "accepted": "accepted", "received": "completed"}[name])
        _old_event_statuses(ids[name], OLD)
    _old_event_statuses(ids["paid"], {"approved": "paid", "sp_accepted": "accepted"})
    db.session.commit()
    before = _statuses()
    assert before[ids["approved"]] == "paid" and before[ids["received"]] == "completed"

    _run(app, "upgrade")
    db.session.expire_all()
    after = _statuses()
    assert {name: after[so_id] for name, so_id in ids.items()} == {
        "waiting": "awaiting_approval", "approved": "approved", "accepted": "sp_accepted", "received": "received",
        "paid": "completed"}
    assert after[personal.id] == "paid"                                   # the personal channel is untouched
    assert _event_statuses(ids["received"])[-1] == ("shipped", "received")
    assert ("awaiting_approval", "approved") in _event_statuses(ids["accepted"])

    _run(app, "downgrade")
    db.session.expire_all()
    assert _statuses() == before
    assert _event_statuses(ids["received"])[-1] == ("shipped", "completed")
