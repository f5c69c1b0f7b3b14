"""The Dinas growth page and the CSV/XLSX export of each of its tables (administrators
only; agency admins see no seller figures). The page is read-only: it takes no form."""
from __future__ import annotations

from dataclasses import replace

from flask import Response, abort, current_app, render_template
from flask_babel import format_date, format_decimal, format_number
from flask_babel import gettext as _

from bebeli.auth.permissions import role_required
from bebeli.dates import jakarta_today
from bebeli.growth import bp
from bebeli.growth.figures import Board, growth_board
from bebeli.growth.queries import Window
from bebeli.money import percent, rupiah
from bebeli.quotas import charts, exports

PREVIEW_ROWS = 20  # long lists show their first rows; the download has them all
EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _board() -> Board:
    config = current_app.config
    window = Window.ending(jakarta_today(), config["GROWTH_ACTIVE_DAYS"])
    return growth_board(window, config["UMKM_CLASS_LIMITS"])


def _charts(board: Board) -> dict:
    t = board.tables
    months = [{"month": format_date(r["month"], "MMM yyyy"), "shops": r["shops"]} for r in t["toko-baru"].rows]
    return {
        "kelas": charts.bar_chart(t["kelas"].rows, label="class", value="shops", title=_("Toko per kelas"),
                                  fmt=format_number),
        "toko-baru": charts.bar_chart(months, label="month", value="shops", title=_("Toko baru per bulan"),
                                      fmt=format_number, alt=True),
        "kecamatan": charts.bar_chart(t["kecamatan"].rows, label="kecamatan", value="shops",
                                      title=_("Toko per kecamatan"), fmt=format_number),
        "penjualan-kecamatan": charts.bar_chart(t["penjualan-kecamatan"].rows, label="kecamatan", value="amount",
                                                title=_("Penjualan per kecamatan"), fmt=rupiah, alt=True),
        "penjualan-kategori": charts.bar_chart(t["penjualan-kategori"].rows, label="category", value="amount",
                                               title=_("Penjualan per kategori"), fmt=rupiah),
        "toko-teratas": charts.bar_chart(t["toko-teratas"].rows, label="shop", value="amount",
                                         title=_("Toko teratas"), fmt=rupiah, alt=True),
        "legalitas": charts.bar_chart(t["legalitas"].rows, label="item", value="share",
                                      title=_("Cakupan legalitas"), fmt=percent),
    }


@bp.get("")
@role_required("admin")
def dashboard():
    board = _board()
    shown = {name: replace(table, rows=table.rows[:PREVIEW_ROWS]) for name, table in board.tables.items()}
    gini = board.stats["gini"]
    return render_template("growth/dashboard.html", board=board, tables=shown, charts=_charts(board),
                           gini=None if gini is None else format_decimal(gini, "0.00"))


@bp.get("/ekspor/<name>.<fmt>")
@role_required("admin")
def export(name: str, fmt: str):
    if fmt not in EXPORT_TYPES:
        abort(404)
    board = _board()
    table = board.tables.get(name)
    if table is None:
        abort(404)
    w = board.window
    filters = [(_("Periode"), f"{w.months[0]:%Y-%m} – {w.months[-1]:%Y-%m}"), (_("Tanggal"), w.today.isoformat())]
    body = exports.to_csv(table) if fmt == "csv" else exports.to_xlsx(table, filters)
    filename = f"pertumbuhan-{name}-{w.today.isoformat()}.{fmt}"
    return Response(body, mimetype=EXPORT_TYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
