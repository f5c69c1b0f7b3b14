"""Settlement pages (seller): "Penghasilan" — the shop's balance, held amounts and the next
payout day, every ledger entry with its order, the payouts, and the monthly statement
("Laporan penghasilan") on screen, as PDF and as CSV.

A seller sees their own shop's ledger only (another shop's is a 404, as if it did not exist);
administrators may open any shop's. Being personal and financial, these pages are never cached
(bebeli/security.py marks every signed-in response `no-store`)."""
from __future__ import annotations

import csv
import io
from typing import Callable

from flask import Response, abort, redirect, render_template, request, url_for
from flask_babel import format_date, format_datetime
from flask_babel import gettext as _
from flask_login import current_user

from bebeli.auth.permissions import get_or_404, is_admin, role_required
from bebeli.dates import parse_month, to_jakarta
from bebeli.db import utcnow
from bebeli.extensions import db
from bebeli.ids import page_of
from bebeli.money import rupiah
from bebeli.pdf import MUTED, Document
from bebeli.sellers.models import Shop
from bebeli.sellers.permissions import own_shop_or_404, owns_shop
from bebeli.settlement import bp
from bebeli.settlement.models import LedgerEntry
from bebeli.settlement.statements import (
    KIND_LABELS,
    PAYOUT_STATUS_BADGES,
    PAYOUT_STATUS_LABELS,
    Statement,
    entries_for,
    entry_reference,
    overview_of,
    payout_references,
    payouts_for,
    running_balances,
    statement_for,
    statement_months,
)

RECENT_PAYOUTS = 12
FILE_TYPES = {"csv": "text/csv; charset=utf-8", "pdf": "application/pdf"}


def can_view_ledger(user, shop: Shop) -> bool:
    """A shop's ledger: its owner, and administrators."""
    return owns_shop(user, shop) or is_admin(user)


def _shop(shop_id) -> Shop:
    return get_or_404(Shop, shop_id, check=can_view_ledger)


def _order_links(shop: Shop) -> Callable[[LedgerEntry], str | None]:
    """Where an entry's order opens for the person looking: the seller's order page for the
    shop's owner, the administrator's order page for an administrator."""
    owner = owns_shop(current_user, shop)

    def order_url(entry: LedgerEntry) -> str | None:
        if owner and entry.seller_order_id:
            return url_for("orders.seller_detail", so_id=entry.seller_order_id)
        if not owner and entry.order_id:
            return url_for("orders.admin_detail", order_id=entry.order_id)
        return None

    return order_url


@bp.get("/toko/penghasilan")
@role_required("seller")
def income():
    """The seller's own shop (the navigation's "Penghasilan")."""
    return redirect(url_for("settlement.balance", shop_id=own_shop_or_404().id))


@bp.get("/toko/penghasilan/<id:shop_id>")
@role_required("seller", "admin")
def balance(shop_id):
    shop = _shop(shop_id)
    page = page_of(entries_for(shop.id))
    payouts = db.session.scalars(payouts_for(shop.id).limit(RECENT_PAYOUTS)).all()
    return render_template(
        "settlement/seller_balance.html", shop=shop, overview=overview_of(shop.id), page=page,
        balances=running_balances(shop.id, page.items), entry_payouts=payout_references(page.items),
        payouts=payouts, kind_labels=KIND_LABELS, order_url=_order_links(shop), masked_account=masked_account,
        payout_labels=PAYOUT_STATUS_LABELS, payout_badges=PAYOUT_STATUS_BADGES, is_owner=owns_shop(current_user, shop))


def _statement(shop: Shop) -> Statement:
    """The statement of the month asked for: one with entries, or the current month."""
    months = statement_months(shop.id)
    asked = request.args.get("bulan")
    month = parse_month(asked)
    if month not in months:
        abort(404)
    report = statement_for(shop.id, month)
    report.months = months
    return report


@bp.get("/toko/penghasilan/<id:shop_id>/laporan")
@role_required("seller", "admin")
def statement(shop_id):
    shop = _shop(shop_id)
    report = _statement(shop)
    return render_template("settlement/seller_statement.html", shop=shop, statement=report,
                           kind_labels=KIND_LABELS, order_url=_order_links(shop), reference=entry_reference)


@bp.get("/toko/penghasilan/<id:shop_id>/laporan.<fmt>")
@role_required("seller", "admin")
def statement_file(shop_id, fmt: str):
    if fmt not in FILE_TYPES:
        abort(404)
    shop = _shop(shop_id)
    report = _statement(shop)
    body = statement_csv(report) if fmt == "csv" else statement_pdf(shop, report)
    filename = f"penghasilan-{shop.slug}-{report.month:%Y-%m}.{fmt}"
    disposition = "attachment" if fmt == "csv" else "inline"
    return Response(body, mimetype=FILE_TYPES[fmt],
                    headers={"Content-Disposition": f'{disposition}; filename="{filename}"',
                             "Cache-Control": "private, no-store"})


# --- the statement as files -------------------------------------------------------------------------

CSV_COLUMNS = ("tanggal", "jenis", "kode_jenis", "pesanan_atau_referensi", "keterangan", "jumlah", "saldo")


def _jakarta(value) -> str:
    return to_jakarta(value).strftime("%Y-%m-%d %H:%M")


def statement_csv(report: Statement) -> bytes:
    """One row per entry (integer rupiah, Jakarta time), between an opening and a closing row
    that carry only the balance: opening + the sum of `jumlah` = closing."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    start = report.month.strftime("%Y-%m-01")
    writer.writerow([start, _("Saldo awal (dibawa dari bulan sebelumnya)"), "saldo_awal", "", "", "",
                     report.opening_amount])
    for line in report.lines:
        entry = line.entry
        writer.writerow([_jakarta(entry.at), str(KIND_LABELS[entry.kind]), entry.kind.value,
                         entry_reference(entry, report.payouts), entry.note or "", entry.amount, line.balance_amount])
    writer.writerow(["", _("Saldo akhir"), "saldo_akhir", "", "", "", report.closing_amount])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM makes Excel read UTF-8


def statement_pdf(shop: Shop, report: Statement) -> bytes:
    month = format_date(report.month, "MMMM yyyy")
    title = _("LAPORAN PENGHASILAN")
    doc = Document(f"{title} {shop.name} {month}",
                   footer=_("Dokumen elektronik BEBELI. Dicetak %(at)s WIB.",
                            at=format_datetime(utcnow(), "d MMMM yyyy, HH:mm")))
    doc.heading(title)
    doc.fields([
        (_("Toko"), shop.name),
        (_("Pemilik"), shop.owner_name),
        (_("Periode"), month),
        (_("Rekening"), " · ".join(p for p in (shop.bank_name, masked_account(shop.bank_account_number),
                                                shop.bank_account_name) if p)),
    ])
    doc.ln(2)
    doc.totals([(_("Saldo awal (dibawa dari bulan sebelumnya)"), rupiah(report.opening_amount), True)])
    rows = [[_jakarta(line.entry.at), str(KIND_LABELS[line.entry.kind]),
             entry_reference(line.entry, report.payouts), rupiah(line.entry.amount), rupiah(line.balance_amount)]
            for line in report.lines]
    if rows:
        doc.grid([_("Tanggal (WIB)"), _("Jenis"), _("Pesanan / referensi"), _("Jumlah"), _("Saldo")], rows,
                 widths=(30, 50, 40, 30, 30), align=("LEFT", "LEFT", "LEFT", "RIGHT", "RIGHT"))
    else:
        doc.paragraph(_("Tidak ada transaksi pada bulan ini."), color=MUTED)
    doc.paragraph(_("Ringkasan per jenis"), size=11, bold=True)
    doc.totals([(str(label), rupiah(amount), False) for _kind, label, amount in report.subtotals]
               + [(_("Saldo akhir"), rupiah(report.closing_amount), True)])
    if report.closing_amount < 0:
        doc.paragraph(_("Saldo negatif dipotong dari penghasilan berikutnya sebelum pencairan."), size=8, color=MUTED)
    doc.paragraph(_("Pendapatan pengadaan instansi dibayar langsung oleh bendahara (SP2D) dan tidak ikut "
                    "dicairkan oleh BEBELI."), size=8, color=MUTED)
    return doc.render()


def masked_account(number: str | None) -> str | None:
    """An account number as printed on the seller's own pages: its last four digits."""
    return f"****{number[-4:]}" if number else None
