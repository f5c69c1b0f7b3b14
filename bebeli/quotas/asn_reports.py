"""One ASN's reports: the purchases counted in a month, and their months with the minimum,
what they spent and the shortfall (also the months they were not in service).
"""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from bebeli.catalog.models import Category
from bebeli.directory.models import AsnProfile
from bebeli.extensions import db
from bebeli.orders.models import Order
from bebeli.quotas.models import QuotaEntry, QuotaMonth
from bebeli.quotas.obligations import Scope, last_months, obligations
from bebeli.quotas.tables import TREND_MONTHS, Column, Table, report_rows, ratio_bp
from bebeli.sellers.models import Shop


def asn_purchases(month: date, user_id: int) -> Table:
    stmt = (
        select(QuotaEntry.at, Order.number.label("order"), Shop.name.label("shop"),
               func.coalesce(Category.name, "").label("category"), QuotaEntry.reason, QuotaEntry.amount)
        .join(Order, Order.id == QuotaEntry.order_id)
        .join(Shop, Shop.id == QuotaEntry.shop_id)
        .outerjoin(Category, Category.id == QuotaEntry.category_id)
        .where(QuotaEntry.user_id == user_id, QuotaEntry.month == month)
        .order_by(QuotaEntry.at, QuotaEntry.id)
    )
    rows = report_rows(stmt)
    for row in rows:
        row["reason"] = REASON_LABELS.get(row["reason"], row["reason"])
    return Table("pembelian", _l("Pembelian yang dihitung"), [
        Column("at", _l("Waktu"), "datetime"), Column("order", _l("Pesanan")), Column("shop", _l("Toko")),
        Column("category", _l("Kategori")), Column("reason", _l("Keterangan")),
        Column("amount", _l("Nilai"), "money"),
    ], rows, footer={"order": _l("Total"), "amount": sum(r["amount"] for r in rows)})


REASON_LABELS = {
    "paid": _l("Dibayar"),
    "cancelled": _l("Dibatalkan"),
    "rejected": _l("Ditolak penjual"),
    "item_rejected": _l("Barang ditolak saat diterima"),
    "refunded": _l("Dikembalikan"),
    "expired": _l("Kedaluwarsa"),
}


def _with_months_out_of_service(rows: list[dict], months: list[date], scope: Scope) -> list[dict]:
    """Add the months the person was not in service (before they were registered or their
    `active_from`, after they left): no minimum and no shortfall, only what they bought."""
    seen = {row["month"] for row in rows}
    missing = [m for m in months if m not in seen]
    if not missing:
        return rows
    user_id = scope.user_id
    if user_id is None and scope.asn_id is not None:
        user_id = db.session.scalar(select(AsnProfile.user_id).where(AsnProfile.id == scope.asn_id))
    bought = {} if user_id is None else dict(db.session.execute(
        select(QuotaMonth.month, QuotaMonth.counted_amount)
        .where(QuotaMonth.user_id == user_id, QuotaMonth.month.in_(missing))).all())
    rows = rows + [{"month": m, "minimum": None, "counted": bought.get(m, 0), "ceiling": None,
                    "shortfall": None, "progress": None} for m in missing]
    return sorted(rows, key=lambda row: row["month"], reverse=True)


def history(month: date, scope: Scope, months: int = TREND_MONTHS) -> Table:
    """One person's months (scope names the user or the ASN), newest first."""
    ob = obligations(last_months(month, months), scope)
    stmt = select(ob.c.month, ob.c.minimum_amount.label("minimum"), ob.c.counted_amount.label("counted"),
                  ob.c.ceiling_amount.label("ceiling")).order_by(ob.c.month.desc())
    rows = report_rows(stmt)
    for row in rows:
        row["shortfall"] = max(0, row["minimum"] - row["counted"])
        row["progress"] = ratio_bp(min(row["counted"], row["minimum"]), row["minimum"])
    rows = _with_months_out_of_service(rows, last_months(month, months), scope)
    return Table("riwayat", _l("Riwayat bulanan"), [
        Column("month", _l("Bulan"), "month"), Column("minimum", _l("Minimum"), "money"),
        Column("counted", _l("Dibelanjakan"), "money"), Column("shortfall", _l("Kekurangan"), "money"),
        Column("progress", _l("Capaian"), "percent"),
    ], rows)
