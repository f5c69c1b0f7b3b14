"""The administrator's payout pages, used as a browser would: forms sent as rendered."""
from __future__ import annotations

import csv
import io

import sqlalchemy as sa

from bebeli.extensions import db
from bebeli.mail.models import OutboundEmail
from bebeli.settlement import ledger
from bebeli.settlement.models import BatchStatus, EntryKind, Payout, PayoutBatch, PayoutStatus
from tests.factories import ShopFactory, admin
from tests.pageforms import rendered_form
from tests.settlement.payout_helpers import balance_row, completed_sale, entries_sum, no_hold

BATCHES = "/admin/pencairan"


def _page(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_an_admin_makes_a_batch_downloads_its_files_and_marks_each_transfer(ctx, client):
    with no_hold():
        paid_shop = ShopFactory(delivery_fee_amount=0, name="Toko Lancar", bank_name="Bank BJB")
        completed_sale(paid_shop, 75_000, 2)
        odd_bank = ShopFactory(delivery_fee_amount=0, name="Toko Koperasi", bank_name="Koperasi Makmur")
        completed_sale(odd_bank, 40_000)
    client.login(admin())
    html = _page(client, BATCHES)
    assert "Belum ada batch pencairan" in html                       # the empty state
    form = rendered_form(html, f"{BATCHES}/buat")
    response = client.post(f"{BATCHES}/buat", data=form.data())
    assert response.status_code == 302
    batch = db.session.scalar(sa.select(PayoutBatch))
    assert response.location.endswith(f"{BATCHES}/{batch.id}")
    assert (batch.payout_count, batch.total_amount, batch.period_key) == (2, 190_000, None)

    html = _page(client, f"{BATCHES}/{batch.id}")
    assert "Toko Koperasi" in html and 'data-testid="unknown-bank"' in html
    csv_response = client.get(f"{BATCHES}/{batch.id}/transfer.csv")
    assert csv_response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(csv_response.get_data(as_text=True))))
    assert [(r[0], r[3]) for r in rows[1:]] == [("110", "150000"), ("", "40000")]
    pdf = client.get(f"{BATCHES}/{batch.id}/ringkasan.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")

    lancar, koperasi = db.session.scalars(sa.select(Payout).order_by(Payout.id)).all()
    paid = rendered_form(html, f"{BATCHES}/transfer/{lancar.id}/dibayar").fill(f"p{lancar.id}-bank_reference",
                                                                              "BJB-778899")
    assert client.post(f"{BATCHES}/transfer/{lancar.id}/dibayar", data=paid.data()).status_code == 302
    returned = rendered_form(html, f"{BATCHES}/transfer/{koperasi.id}/dikembalikan").fill(
        f"r{koperasi.id}-reason", "Nama bank tidak dikenal")
    assert client.post(f"{BATCHES}/transfer/{koperasi.id}/dikembalikan", data=returned.data()).status_code == 302

    db.session.expire_all()
    assert (lancar.status, lancar.bank_reference) == (PayoutStatus.PAID, "BJB-778899")
    assert koperasi.status == PayoutStatus.RETURNED
    assert db.session.get(PayoutBatch, batch.id).status == BatchStatus.CLOSED
    assert balance_row(odd_bank.id) == entries_sum(odd_bank.id) == 40_000
    assert balance_row(paid_shop.id) == 0
    assert db.session.scalar(sa.select(OutboundEmail).where(OutboundEmail.to == odd_bank.owner.email,
                                                            OutboundEmail.body.contains("Nama bank tidak dikenal")))
    html = _page(client, f"{BATCHES}/{batch.id}")
    assert "BJB-778899" in html and "/dibayar" not in html and "Selesai" in html
    assert "Nama bank tidak dikenal" in _page(client, f"{BATCHES}/dikembalikan")
    # Every transfer is marked: nothing left for the bank file.
    assert len(list(csv.reader(io.StringIO(client.get(f"{BATCHES}/{batch.id}/transfer.csv").get_data(as_text=True))))) == 1


def test_marking_without_a_bank_reference_changes_nothing(ctx, client):
    shop = ShopFactory()
    ledger.post(shop.id, EntryKind.ADJUSTMENT, 20_000, key="test:adj")
    client.login(admin())
    html = _page(client, f"{BATCHES}/saldo")
    form = rendered_form(html, f"{BATCHES}/toko/{shop.id}/bayar")
    response = client.post(f"{BATCHES}/toko/{shop.id}/bayar", data=form.data())
    payout = db.session.scalar(sa.select(Payout))
    assert response.status_code == 302 and response.location.endswith(f"{BATCHES}/{payout.batch_id}")
    assert (payout.amount, payout.batch.period_key) == (20_000, None)
    html = _page(client, f"{BATCHES}/{payout.batch_id}")
    form = rendered_form(html, f"{BATCHES}/transfer/{payout.id}/dibayar")   # reference left empty
    client.post(f"{BATCHES}/transfer/{payout.id}/dibayar", data=form.data())
    db.session.expire_all()
    assert db.session.get(Payout, payout.id).status == PayoutStatus.PENDING
    assert "Isi nomor referensi dari bank." in _page(client, f"{BATCHES}/{payout.batch_id}")


def test_the_balances_page_flags_shops_that_cannot_be_paid_and_pages_are_linked(ctx, client):
    from bebeli.sellers.models import ShopStatus

    pending = ShopFactory(status=ShopStatus.PENDING, name="Toko Belum Verifikasi")
    ledger.post(pending.id, EntryKind.ADJUSTMENT, 90_000, key="test:adj")
    client.login(admin())
    html = _page(client, f"{BATCHES}/saldo")
    assert "Toko Belum Verifikasi" in html and f"/toko/{pending.id}/bayar" not in html
    assert "Belum ada transfer yang dikembalikan" in _page(client, f"{BATCHES}/dikembalikan")
    assert BATCHES in _page(client, "/admin/")                        # the admin dashboard links here


def test_an_empty_batch_is_recorded_and_said_so(ctx, client):
    client.login(admin())
    form = rendered_form(_page(client, BATCHES), f"{BATCHES}/buat")
    client.post(f"{BATCHES}/buat", data=form.data())
    batch = db.session.scalar(sa.select(PayoutBatch))
    assert batch.status == BatchStatus.CLOSED and batch.payout_count == 0
    assert "batch kosong" in _page(client, BATCHES)
