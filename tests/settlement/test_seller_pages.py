"""What the seller sees of the ledger ("Penghasilan"), through the pages: the balance with what
is held, every entry with its order, the payouts, and the monthly statement on screen, as CSV
and as PDF, whose figures add up from one month to the next across Jakarta month boundaries."""
from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta, timezone

from flask import current_app

from bebeli import lifecycle
from bebeli.db import utcnow
from bebeli.extensions import db
from bebeli.money import rupiah
from bebeli.settlement import ledger
from bebeli.settlement.models import EntryKind, Payout, PayoutBatch, PayoutStatus
from bebeli.settlement.payouts import next_payout_date, period_of
from tests.factories import ProductFactory, ShopFactory, admin
from tests.orders.factories import asn_buyer, paid_order
from tests.procurement.factories import agency_paid

UTC = timezone.utc


def _completed_sale(shop, price: int, quantity: int = 1, rejected: int = 0):
    order = paid_order(asn_buyer(), (ProductFactory(shop=shop, price_amount=price, stock=99), quantity))
    [so] = order.seller_orders
    lifecycle.accept_seller_order(so, shop.owner)
    lifecycle.ship_seller_order(so, shop.owner, courier="Kurir toko", tracking_number=None)
    db.session.commit()
    if rejected:
        lifecycle.confirm_receipt(so, order.buyer, rejected={so.lines[0].id: rejected}, note="Rusak")
    else:
        lifecycle.confirm_receipt(so, order.buyer)
    db.session.commit()
    return so


_batches = iter(range(1, 10_000))


def _payout(shop, amount: int, *, status=PayoutStatus.PAID, at: datetime | None = None) -> Payout:
    """A payout as the payout service leaves it: the row, and its debit on the ledger (plus the
    credit back when the bank returned it)."""
    n = next(_batches)
    batch = PayoutBatch(number=f"PB-UJI-{n}", total_amount=amount, payout_count=1)
    payout = Payout(batch=batch, shop_id=shop.id, amount=amount, bank_name=shop.bank_name,
                    account_number=shop.bank_account_number, account_name=shop.bank_account_name,
                    reference=f"PO-UJI-{n}", status=status,
                    bank_reference="BJB-778899" if status == PayoutStatus.PAID else None,
                    paid_at=utcnow() if status == PayoutStatus.PAID else None)
    if status == PayoutStatus.RETURNED:
        payout.returned_at, payout.return_reason = utcnow(), "Rekening tidak aktif"
    db.session.add(payout)
    db.session.flush()
    ledger.post(shop.id, EntryKind.PAYOUT, -amount, key=f"payout:{payout.id}", payout_id=payout.id, at=at)
    if status == PayoutStatus.RETURNED:
        ledger.post(shop.id, EntryKind.PAYOUT_RETURNED, amount, key=f"payout-returned:{payout.id}",
                    payout_id=payout.id, at=at)
    db.session.commit()
    return payout


def _figure(html: str, testid: str) -> str:
    match = re.search(rf'data-testid="{testid}">([^<]*)<', html)
    assert match, testid
    return match.group(1).strip()


def _no_hold():
    current_app.config["SETTLEMENT_HOLD_DAYS"] = 0


def _restore_hold():
    current_app.config["SETTLEMENT_HOLD_DAYS"] = 3


# --- the balance page ---------------------------------------------------------------------------

def test_a_completed_sale_is_held_then_shown_with_its_order_and_the_day_it_frees(ctx, client):
    shop = ShopFactory(delivery_fee_amount=0)
    so = _completed_sale(shop, 75_000, 2)
    client.login(shop.owner)
    response = client.get("/toko/penghasilan")
    assert response.status_code == 302 and response.location.endswith(f"/toko/penghasilan/{shop.id}")
    response = client.get(f"/toko/penghasilan/{shop.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "no-store" in response.headers["Cache-Control"]
    assert _figure(html, "total") == rupiah(150_000) == _figure(html, "pending")
    assert _figure(html, "available") == rupiah(0)
    releases = html.split('data-testid="releases"')[1].split("</ul>")[0]
    assert rupiah(150_000) in releases                  # with when the held amount frees
    assert f'href="/pesanan/toko/{so.id}"' in html      # the entry links to the seller's order page
    assert "Penjualan" in html and 'data-testid="next-payout"' in html


def test_balance_with_a_refund_an_agency_payment_a_payout_and_a_returned_payout(ctx, client):
    _no_hold()
    try:
        purchase = agency_paid()
        shop = purchase.seller_order.shop
        _completed_sale(shop, 100_000, 3, rejected=1)          # 300.000 sold, 100.000 refused and refunded
    finally:
        _restore_hold()
    paid = _payout(shop, 150_000)
    _payout(shop, 40_000, status=PayoutStatus.RETURNED)
    ledger.post(shop.id, EntryKind.REFUND, -80_000, key="refund:uji-after-payout", note="Komplain")
    db.session.commit()
    # 300.000 − 100.000 − 150.000 (paid) − 40.000 + 40.000 (returned) − 80.000 (late refund) = −30.000
    client.login(shop.owner)
    html = client.get(f"/toko/penghasilan/{shop.id}").get_data(as_text=True)
    assert _figure(html, "total") == rupiah(-30_000) == _figure(html, "available")
    assert _figure(html, "pending") == rupiah(0)
    assert "negatif" in html                                   # the carry-forward is said, not hidden
    payouts = html.split('data-testid="payouts"')[1]
    assert paid.reference in payouts and "BJB-778899" in payouts and "Terkirim" in payouts
    assert "Dikembalikan bank" in payouts and "Rekening tidak aktif" in payouts
    assert shop.bank_account_number not in html                # only the last digits are shown
    for label in ("Pendapatan pengadaan instansi", "Dibayar langsung oleh bendahara (SP2D)",
                  "Pengembalian dana ke pembeli", "Pencairan ke rekening", "Pencairan dikembalikan bank"):
        assert label in html
    # the running balance of the newest entry is the balance
    entries = html.split('data-testid="entries"')[1]
    assert re.findall(r'data-testid="entry-balance">([^<]*)<', entries)[0] == rupiah(-30_000)


def test_an_empty_ledger_has_an_empty_state_and_a_statement_of_this_month(ctx, client):
    shop = ShopFactory()
    client.login(shop.owner)
    html = client.get(f"/toko/penghasilan/{shop.id}").get_data(as_text=True)
    assert "Belum ada transaksi" in html and "Belum ada pencairan" in html
    assert _figure(html, "total") == rupiah(0)
    response = client.get(f"/toko/penghasilan/{shop.id}/laporan")
    assert response.status_code == 200 and "Tidak ada transaksi pada bulan ini" in response.get_data(as_text=True)


def test_the_entries_are_paginated_newest_first_with_a_running_balance(ctx, client):
    shop = ShopFactory()
    start = datetime(2026, 10, 1, 3, tzinfo=UTC)
    for n in range(30):
        ledger.post(shop.id, EntryKind.ADJUSTMENT, 1_000 * (n + 1), key=f"adj:{n}", at=start + timedelta(hours=n),
                    note=f"Koreksi {n}")
    db.session.commit()
    client.login(shop.owner)
    first = client.get(f"/toko/penghasilan/{shop.id}").get_data(as_text=True)
    second = client.get(f"/toko/penghasilan/{shop.id}?page=2").get_data(as_text=True)
    assert "Koreksi 29" in first and "Koreksi 0<" not in first and "Koreksi 0<" in second
    entries = second.split('data-testid="entries"')[1]
    amounts = re.findall(r'data-testid="entry-amount">([^<]*)<', entries)
    balances = re.findall(r'data-testid="entry-balance">([^<]*)<', entries)
    assert len(amounts) == len(balances) == 5
    # the oldest entry on page two is the first ever: its balance is its own amount
    assert amounts[-1] == balances[-1] == rupiah(1_000)
    assert balances[-2] == rupiah(1_000 + 2_000) and balances[0] == rupiah(sum(range(1, 6)) * 1_000)


def test_the_next_payout_day_follows_the_weekly_schedule(ctx, monkeypatch):
    monkeypatch.setitem(current_app.config, "PAYOUT_WEEKDAY", 3)
    thursday = datetime(2026, 12, 3).date()
    assert next_payout_date(thursday) == thursday
    db.session.add(PayoutBatch(number="PO-UJI-1", period_key=period_of(thursday)))   # today's batch is made
    db.session.flush()
    assert next_payout_date(thursday) == thursday + timedelta(days=7)
    monkeypatch.setitem(current_app.config, "PAYOUT_WEEKDAY", 0)
    assert next_payout_date(thursday) == thursday + timedelta(days=4)
    db.session.rollback()


# --- the monthly statement ------------------------------------------------------------------------

def _month_entries(shop):
    """October: a sale; November: a payout and a refund (negative at the end of the month);
    30 November 17:30 UTC is already 1 December in Jakarta."""
    posts = [
        (EntryKind.SALE, 500_000, datetime(2026, 10, 20, 2, tzinfo=UTC)),
        (EntryKind.FEE, -5_000, datetime(2026, 10, 20, 2, tzinfo=UTC)),
        (EntryKind.PAYOUT, -495_000, datetime(2026, 11, 5, 4, tzinfo=UTC)),
        (EntryKind.REFUND, -60_000, datetime(2026, 11, 30, 16, 59, tzinfo=UTC)),   # 23:59 WIB, 30 Nov
        (EntryKind.SALE, 90_000, datetime(2026, 11, 30, 17, 30, tzinfo=UTC)),      # 00:30 WIB, 1 Dec
        (EntryKind.OUTSIDE_SALE, 250_000, datetime(2026, 12, 1, 3, tzinfo=UTC)),
        (EntryKind.OUTSIDE_PAID, -250_000, datetime(2026, 12, 1, 3, tzinfo=UTC)),
    ]
    for n, (kind, amount, at) in enumerate(posts):
        ledger.post(shop.id, kind, amount, key=f"uji:{shop.id}:{n}", at=at)
    db.session.commit()


def _statement_csv(client, shop, month):
    response = client.get(f"/toko/penghasilan/{shop.id}/laporan.csv?bulan={month}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0]["kode_jenis"] == "saldo_awal" and rows[-1]["kode_jenis"] == "saldo_akhir"
    return int(rows[0]["saldo"]), rows[1:-1], int(rows[-1]["saldo"])


def test_statements_carry_each_closing_balance_into_the_next_month(ctx, client):
    shop = ShopFactory()
    _month_entries(shop)
    client.login(shop.owner)
    expected = {"2026-10": (0, 495_000), "2026-11": (495_000, -60_000), "2026-12": (-60_000, 30_000)}
    previous_closing = 0
    for month, (opening, closing) in expected.items():
        opened, rows, closed = _statement_csv(client, shop, month)
        assert (opened, closed) == (opening, closing)
        assert opened + sum(int(r["jumlah"]) for r in rows) == closed          # the CSV adds up
        assert opened == previous_closing                                     # carried forward
        assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", r["tanggal"]) for r in rows)
        previous_closing = closed
        html = client.get(f"/toko/penghasilan/{shop.id}/laporan?bulan={month}").get_data(as_text=True)
        assert "Saldo awal (dibawa dari bulan sebelumnya)" in html
        assert _row_amount(html, "opening") == rupiah(opening) and _row_amount(html, "closing") == rupiah(closing)


def _row_amount(html: str, testid: str) -> str:
    row = html.split(f'data-testid="{testid}"')[1].split("</tr>")[0]
    return re.findall(r"<strong>([^<]*)</strong>", row)[-1]


def test_an_entry_after_17_00_utc_on_the_last_day_belongs_to_the_next_jakarta_month(ctx, client):
    shop = ShopFactory()
    _month_entries(shop)
    client.login(shop.owner)
    _opening, november, _closing = _statement_csv(client, shop, "2026-11")
    _opening, december, _closing = _statement_csv(client, shop, "2026-12")
    assert [(r["kode_jenis"], r["tanggal"]) for r in november] == [
        ("payout", "2026-11-05 11:00"), ("refund", "2026-11-30 23:59")]
    assert december[0]["kode_jenis"] == "sale" and december[0]["tanggal"] == "2026-12-01 00:30"
    html = client.get(f"/toko/penghasilan/{shop.id}/laporan?bulan=2026-12").get_data(as_text=True)
    subtotals = html.split('data-testid="subtotals"')[1]
    assert re.search(r'data-kind="sale"><th scope="row">Penjualan</th><td class="num">' + re.escape(rupiah(90_000)),
                     subtotals)
    assert re.search(r'data-kind="outside_sale">.*?' + re.escape(rupiah(250_000)), subtotals)


def test_the_month_picker_offers_months_with_entries_and_this_month_only(ctx, client):
    shop = ShopFactory()
    ledger.post(shop.id, EntryKind.ADJUSTMENT, 5_000, key="uji:sep", at=datetime(2026, 9, 10, tzinfo=UTC))
    db.session.commit()
    client.login(shop.owner)
    html = client.get(f"/toko/penghasilan/{shop.id}/laporan").get_data(as_text=True)
    assert 'value="2026-09"' in html and 'value="2026-08"' not in html
    assert client.get(f"/toko/penghasilan/{shop.id}/laporan?bulan=2026-08").status_code == 404
    assert client.get(f"/toko/penghasilan/{shop.id}/laporan?bulan=9999-12").status_code == 404
    assert client.get(f"/toko/penghasilan/{shop.id}/laporan?bulan=bukan-bulan").status_code == 200  # this month


def test_the_statement_pdf_is_a_pdf(ctx, client):
    shop = ShopFactory()
    _month_entries(shop)
    client.login(shop.owner)
    response = client.get(f"/toko/penghasilan/{shop.id}/laporan.pdf?bulan=2026-11")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF") and "no-store" in response.headers["Cache-Control"]
    assert client.get(f"/toko/penghasilan/{shop.id}/laporan.xls").status_code == 404


# --- who may look -------------------------------------------------------------------------------------

def test_another_seller_gets_404_and_an_administrator_sees_any_shop(ctx, client, other_client):
    shop, other = ShopFactory(), ShopFactory()
    _month_entries(shop)
    other_client.login(other.owner)
    for path in ("", "/laporan", "/laporan?bulan=2026-11", "/laporan.csv?bulan=2026-11", "/laporan.pdf"):
        assert other_client.get(f"/toko/penghasilan/{shop.id}{path}").status_code == 404, path
    assert other_client.get("/toko/penghasilan").location.endswith(f"/toko/penghasilan/{other.id}")
    client.login(admin())
    html = client.get(f"/toko/penghasilan/{shop.id}").get_data(as_text=True)
    assert _figure(html, "total") == rupiah(30_000)
    opened, rows, closed = _statement_csv(client, shop, "2026-11")
    assert (opened, closed) == (495_000, -60_000)


def test_the_navigation_shows_sellers_their_income(ctx, client):
    shop = ShopFactory()
    client.login(shop.owner)
    assert 'href="/toko/penghasilan"' in client.get("/toko/").get_data(as_text=True)


def test_an_administrator_reaches_a_shops_income_from_the_shop_page(ctx, client):
    shop = ShopFactory()
    client.login(admin())
    html = client.get(f"/toko/admin/{shop.id}").get_data(as_text=True)
    assert f'href="/toko/penghasilan/{shop.id}"' in html
