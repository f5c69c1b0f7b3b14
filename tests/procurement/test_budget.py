"""Budget lines: set-up screens, scope, and atomic consumption (two approvals racing for the
last of a line: exactly one passes)."""
import threading

import pytest

from bebeli.errors import BudgetExceeded, Conflict
from bebeli.extensions import db
from bebeli.procurement import services
from bebeli.procurement.budget import charge_budget_line, release_budget_line
from bebeli.auth.models import User
from bebeli.procurement.models import AgencyPurchase, BudgetLine, Stage
from tests.conftest import run_in_threads
from tests.factories import AgencyFactory, ProductFactory, ShopFactory, UserFactory, admin, agency_admin
from tests.procurement.factories import BudgetLineFactory, agency_order, team


def test_charge_fits_exactly_and_refuses_one_rupiah_more(ctx):
    line = BudgetLineFactory(pagu_amount=1_000_000, used_amount=400_000)
    with pytest.raises(BudgetExceeded, match="sisa pagu"):
        charge_budget_line(line, 600_001)
    charge_budget_line(line, 600_000)
    db.session.commit()
    assert line.used_amount == 1_000_000 and line.remaining_amount == 0
    release_budget_line(line, 250_000)
    assert line.used_amount == 750_000


@pytest.mark.concurrent
def test_two_concurrent_approvals_on_the_last_of_a_line_only_one_passes(app, ctx):
    t = team()
    line = BudgetLineFactory(agency=t.agency, pagu_amount=1_500_000)
    shop = ShopFactory(delivery_fee_amount=0)
    first = agency_order(t, line, [(ProductFactory(shop=shop, price_amount=1_000_000), 1)])[0]
    second = agency_order(t, line, [(ProductFactory(shop=shop, price_amount=1_000_000), 1)])[0]
    ids = (first.id, second.id)
    start, outcomes = threading.Barrier(2), []

    def approve(purchase_id):
        with app.test_request_context():
            purchase, ppk = db.session.get(AgencyPurchase, purchase_id), db.session.get(User, t.ppk.id)
            db.session.rollback()            # start the race with no transaction open
            start.wait()
            try:
                services.approve_purchase(db.session.get(AgencyPurchase, purchase.id), ppk)
                db.session.commit()
                outcomes.append("approved")
            except BudgetExceeded:
                db.session.rollback()
                outcomes.append("refused")
            finally:
                db.session.remove()

    run_in_threads(approve, [(pid,) for pid in ids], timeout=30)
    assert sorted(outcomes) == ["approved", "refused"]
    db.session.rollback()                    # end the test's own read snapshot
    assert db.session.get(BudgetLine, line.id).used_amount == 1_000_000
    stages = {db.session.get(AgencyPurchase, pid).stage for pid in ids}
    assert stages == {Stage.APPROVED, Stage.AWAITING_APPROVAL}


def test_agency_admin_manages_own_lines_only(client, ctx):
    mine, other = AgencyFactory(), AgencyFactory()
    operator = agency_admin(mine)
    client.login(operator)
    response = client.post_form(f"/pengadaan/instansi/{mine.id}/anggaran",
                                {"code": "5.1.02.01.01.0024", "name": "ATK", "pagu": "Rp 150.000.000"})
    assert response.status_code == 302
    line = db.session.scalar(db.select(BudgetLine).where(BudgetLine.agency_id == mine.id))
    assert (line.code, line.pagu_amount, line.used_amount) == ("5.1.02.01.01.0024", 150_000_000, 0)
    # the same code twice in a year is refused with a message, not a 500
    again = client.post_form(f"/pengadaan/instansi/{mine.id}/anggaran",
                             {"code": "5.1.02.01.01.0024", "name": "ATK", "pagu": "1.000"})
    assert again.status_code == 200 and "sudah ada" in again.get_data(as_text=True)
    bad = client.post_form(f"/pengadaan/instansi/{mine.id}/anggaran", {"code": "X", "name": "Y", "pagu": "1,5 juta"})
    assert bad.status_code == 200 and "rupiah" in bad.get_data(as_text=True)
    assert client.get(f"/pengadaan/instansi/{other.id}/anggaran").status_code == 404
    client.logout()
    client.login(UserFactory(roles=["buyer"]))
    assert client.get(f"/pengadaan/instansi/{mine.id}/anggaran").status_code == 403


def test_pagu_cannot_drop_below_what_is_used(client, ctx):
    line = BudgetLineFactory(pagu_amount=10_000_000, used_amount=6_000_000)
    client.login(admin())
    url = f"/pengadaan/anggaran/{line.id}/ubah"
    refused = client.post_form(url, {"name": line.name, "pagu": "5.999.999", "is_active": "y"})
    assert refused.status_code == 200 and "sudah terpakai" in refused.get_data(as_text=True)
    assert client.post_form(url, {"name": "Baru", "pagu": "6.000.000", "is_active": "y"}).status_code == 302
    db.session.refresh(line)
    assert (line.name, line.pagu_amount) == ("Baru", 6_000_000)


def test_a_closed_line_cannot_be_charged(ctx):
    t = team()
    line = BudgetLineFactory(agency=t.agency)
    [purchase] = agency_order(t, line, [(ProductFactory(price_amount=10_000), 1)])
    line.is_active = False
    db.session.commit()
    with pytest.raises(Conflict, match="ditutup"):
        services.approve_purchase(purchase, t.ppk)
