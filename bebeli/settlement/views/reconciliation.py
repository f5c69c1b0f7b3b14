"""Settlement pages (reconciliation): the monthly report for administrators, on screen and as CSV."""
from __future__ import annotations

from datetime import date

from flask import Response, current_app, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination

from bebeli.auth.permissions import role_required
from bebeli.dates import parse_month
from bebeli.ids import page_arg
from bebeli.payments.gateway import get_gateway
from bebeli.settlement import bp
from bebeli.settlement.reconciliation import reconcile, to_csv

# The equation, term by term: (name on Terms, label, sign in the equation)
GATEWAY_TERMS = [("captured", _l("Diterima di gateway"), "+"), ("refunded", _l("Dikembalikan di gateway"), "−")]
RECORDED_TERMS = [
    ("paid_out", _l("Sudah dibayarkan ke toko"), "+"),
    ("in_payout", _l("Dalam proses transfer"), "+"),
    ("held", _l("Saldo yang ditahan toko"), "+"),
    ("fees", _l("Biaya platform"), "+"),
    ("in_transit", _l("Pesanan dibayar yang belum selesai"), "+"),
    ("adjustments", _l("Penyesuaian manual"), "−"),
    ("unassigned_refunds", _l("Pengembalian tanpa bagian toko"), "−"),
]


def _month() -> date:
    month = parse_month(request.args.get("bulan"))
    return month if 2000 <= month.year <= 2999 else parse_month(None)


class ListPagination(Pagination):
    """Flask-SQLAlchemy's pagination over a list already in memory."""

    def _query_items(self) -> list:
        return self._query_args["rows"][self._query_offset:self._query_offset + self.per_page]

    def _query_count(self) -> int:
        return len(self._query_args["rows"])


@bp.get("/admin/penyelesaian/rekonsiliasi")
@role_required("admin")
def reconciliation():
    month = _month()
    report = reconcile(month, get_gateway())
    page = ListPagination(page=page_arg(), per_page=current_app.config["PAGE_SIZE"], error_out=False,
                          rows=report.differences)
    return render_template("settlement/reconciliation.html", report=report, page=page, month=month,
                           gateway_terms=GATEWAY_TERMS,
                           recorded_terms=RECORDED_TERMS)


@bp.get("/admin/penyelesaian/rekonsiliasi.csv")
@role_required("admin")
def reconciliation_csv():
    month = _month()
    report = reconcile(month, get_gateway())
    labels = [(name, str(label)) for name, label, _sign in GATEWAY_TERMS] + \
        [("gateway_net", _("Bersih di gateway"))] + \
        [(name, str(label)) for name, label, _sign in RECORDED_TERMS] + \
        [("recorded_net", _("Tercatat di BEBELI")), ("difference", _("Selisih")),
         ("gateway_fees", _("Biaya gateway (di luar persamaan)"))]
    headers = [_("Pesanan"), _("Payment intent"), _("Diterima di gateway"), _("Dikembalikan di gateway"),
               _("Diterima menurut catatan pembayaran"), _("Dikembalikan menurut catatan pembayaran"),
               _("Menurut buku besar"), _("Selisih dengan catatan pembayaran"), _("Selisih dengan buku besar")]
    body = to_csv(report, labels, [_("Komponen"), month.strftime("%Y-%m"), _("Kumulatif")], headers)
    return Response(body, mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="rekonsiliasi-{month:%Y-%m}.csv"'})
