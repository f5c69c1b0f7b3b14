"""An administrator's correction of a shop's balance: a new entry with its reason, audited,
made through the page as a browser sends it."""
from __future__ import annotations

import sqlalchemy as sa

from bebeli.audit.models import AuditEvent
from bebeli.extensions import db
from bebeli.settlement.models import EntryKind, LedgerEntry
from tests.factories import ShopFactory, admin
from tests.pageforms import rendered_form
from tests.settlement.payout_helpers import balance_row, completed_sale, entries_sum, no_hold


def _url(shop):
    return f"/admin/pencairan/toko/{shop.id}/penyesuaian"


def test_an_admin_takes_money_off_a_balance_with_a_reason(ctx, client):
    with no_hold():
        shop = ShopFactory(delivery_fee_amount=0)
        completed_sale(shop, 50_000)
    boss = admin()
    client.login(boss)
    assert f'href="{_url(shop)}"' in client.get("/admin/pencairan/saldo").get_data(as_text=True)
    form = rendered_form(client.get(_url(shop)).get_data(as_text=True), _url(shop))
    form.choose("direction", "debit").fill("amount", "12.500").fill("reason", "Ongkir ganda pesanan BBL-1")
    response = client.post(_url(shop), data=form.data())
    assert response.status_code == 302 and response.location.endswith(f"/toko/penghasilan/{shop.id}")
    [entry] = db.session.scalars(sa.select(LedgerEntry).where(LedgerEntry.kind == EntryKind.ADJUSTMENT)).all()
    assert (entry.shop_id, entry.amount, entry.note, entry.actor_id) == (shop.id, -12_500, "Ongkir ganda pesanan BBL-1",
                                                                          boss.id)
    assert balance_row(shop.id) == entries_sum(shop.id) == 37_500
    audit = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "settlement.adjusted"))
    assert audit.actor_id == boss.id and audit.object_id == str(shop.id)


def test_an_adjustment_without_a_reason_or_amount_is_refused_and_writes_nothing(ctx, client):
    shop = ShopFactory()
    client.login(admin())
    form = rendered_form(client.get(_url(shop)).get_data(as_text=True), _url(shop))
    html = client.post(_url(shop), data=form.data()).get_data(as_text=True)   # nothing filled in
    assert html.count("Wajib diisi.") == 2          # the amount and the reason
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LedgerEntry)) == 0


def test_sellers_cannot_adjust_their_own_balance(ctx, client):
    shop = ShopFactory()
    client.login(shop.owner)
    assert client.get(_url(shop)).status_code in (403, 404)
