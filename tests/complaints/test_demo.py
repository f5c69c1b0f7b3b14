"""`flask seed-demo` brings a resolved complaint (a partial refund, on the shop's ledger) and an
open one for the demo seller to answer, once."""
import sqlalchemy as sa

from bebeli.complaints.models import Complaint, ComplaintStatus, Remedy
from bebeli.extensions import db
from bebeli.settlement.models import EntryKind, LedgerEntry


def test_the_demo_has_a_resolved_and_an_open_complaint(app, ctx):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    complaints = db.session.scalars(sa.select(Complaint).order_by(Complaint.id)).all()
    assert [(c.status, c.outcome) for c in complaints] == [(ComplaintStatus.RESOLVED, Remedy.PARTIAL_REFUND),
                                                           (ComplaintStatus.AWAITING_SELLER, None)]
    assert complaints[1].shop.owner.email == "seller@bebeli.test"
    refund = db.session.scalars(sa.select(LedgerEntry.amount).where(
        LedgerEntry.seller_order_id == complaints[0].seller_order_id, LedgerEntry.kind == EntryKind.REFUND)).all()
    assert refund == [-15_000]
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert db.session.scalar(sa.select(sa.func.count(Complaint.id))) == 2
