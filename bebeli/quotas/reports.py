"""Monitoring queries: every figure is one aggregate query over the summaries.

Each report is a `Table` (columns with a kind, rows as dicts) so the page, the chart and
the CSV/XLSX export show the same numbers from the same query. Figures about people
(attainment, shortfalls) follow the directory: an ASN counts in the agency they belong to
now, or for a frozen month the one they belonged to then. Spending breakdowns (category,
kecamatan, seller) follow the agency recorded on each order when it was placed.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from bebeli.auth.models import User
from bebeli.catalog.models import Category
from bebeli.directory.models import Agency, AsnProfile
from bebeli.ids import page_arg
from bebeli.quotas.models import QuotaReminder, QuotaSpend
from bebeli.quotas.obligations import Scope, agency_figures, last_months, obligations
from bebeli.sqlfuncs import greatest, int_sum
from bebeli.quotas.tables import (
    TREND_MONTHS,
    Column,
    RowPagination,
    Table,
    execute_report,
    ratio_bp,
    report_count,
    report_rows,
)
from bebeli.sellers.models import Shop

TOP_SELLERS = 10


# --- people: attainment and shortfalls ----------------------------------------------------------

def _agencies(figures):
    return (
        select(Agency.id.label("agency_id"), Agency.name.label("agency"), figures.c.obligated, figures.c.attained,
               figures.c.counted, figures.c.shortfall, figures.c.target)
        .join(Agency, Agency.id == figures.c.agency_id)
    )


def _attainment_table(rows: list[dict]) -> Table:
    for row in rows:
        row["attainment"] = ratio_bp(row["attained"], row["obligated"])
        row["target_share"] = ratio_bp(row["counted"], row["target"] or 0)
    rows.sort(key=lambda r: (r["attainment"] is None, r["attainment"] or 0, r["agency"]))
    return Table("perangkat-daerah", _l("Capaian per perangkat daerah"), [
        Column("agency", _l("Perangkat daerah")),
        Column("obligated", _l("ASN wajib"), "int"),
        Column("attained", _l("Memenuhi minimum"), "int"),
        Column("attainment", _l("Capaian"), "percent"),
        Column("counted", _l("Belanja"), "money"),
        Column("shortfall", _l("Total kekurangan"), "money"),
        Column("target", _l("Target"), "money"),
        Column("target_share", _l("Capaian target"), "percent"),
    ], rows, footer=_attainment_footer(rows))


def attainment_by_agency(month: date, scope: Scope) -> Table:
    return _attainment_table(report_rows(_agencies(agency_figures([month], scope))))


def _attainment_footer(rows: list[dict]) -> dict:
    totals = {k: sum(r[k] or 0 for r in rows) for k in ("obligated", "attained", "counted", "shortfall")}
    return {"agency": _l("Semua"), **totals, "attainment": ratio_bp(totals["attained"], totals["obligated"])}


def _below(ob):
    shortfall = (ob.c.minimum_amount - ob.c.counted_amount).label("shortfall")
    return (
        select(
            ob.c.asn_id, User.name.label("name"), AsnProfile.nip, Agency.name.label("agency"),
            ob.c.minimum_amount.label("minimum"), ob.c.counted_amount.label("counted"), shortfall,
        )
        .join(AsnProfile, AsnProfile.id == ob.c.asn_id)
        .join(User, User.id == ob.c.user_id)
        .join(Agency, Agency.id == ob.c.agency_id)
        .where(ob.c.counted_amount < ob.c.minimum_amount)
        .order_by(shortfall.desc(), ob.c.asn_id)
    )


BELOW_COLUMNS = [
    Column("name", _l("Nama")),
    Column("nip", _l("NIP")),
    Column("agency", _l("Perangkat daerah")),
    Column("minimum", _l("Minimum"), "money"),
    Column("counted", _l("Dibelanjakan"), "money"),
    Column("shortfall", _l("Kekurangan"), "money"),
]


def below_minimum(month: date, scope: Scope, limit: int | None = None) -> Table:
    """ASN short of their minimum, largest shortfall first (the first `limit` of them)."""
    stmt = _below(obligations([month], scope))
    rows = report_rows(stmt.limit(limit) if limit else stmt)
    return _below_table(rows, len(rows) if limit is None else report_count(stmt))


def _below_table(rows: list[dict], total: int) -> Table:
    return Table("di-bawah-minimum", _l("ASN di bawah minimum"), list(BELOW_COLUMNS), rows, total=total)


def people(month: date, scope: Scope, limit: int) -> tuple[Table, Table]:
    """Attainment per agency and the `limit` largest shortfalls, from one statement: an open
    month's obligations are worked out once for both (the two parts are padded with NULLs to
    share one UNION, then told apart by `kind`)."""
    ob = obligations([month], scope)
    parts = {"agency": select(_agencies(agency_figures([month], scope, ob=ob)).subquery()),
             "asn": select(_below(ob).limit(limit).subquery())}
    keys = {kind: part.selected_columns.keys() for kind, part in parts.items()}
    names = list(dict.fromkeys(keys["agency"] + keys["asn"]))
    padded = [
        select(sa.literal(kind).label("kind"),
               *(part.selected_columns[n] if n in keys[kind] else sa.null().label(n) for n in names))
        for kind, part in parts.items()
    ]
    rows = {"agency": [], "asn": []}
    for row in report_rows(sa.union_all(*padded)):
        kind = row.pop("kind")
        rows[kind].append({k: row[k] for k in keys[kind]})
    table = _attainment_table(rows["agency"])
    short = sorted(rows["asn"], key=lambda r: (-r["shortfall"], r["asn_id"]))
    # Below the minimum means obligated and not attained: the count is already known.
    return table, _below_table(short, table.footer["obligated"] - table.footer["attained"])


def unreminded_shortfalls(month: date, after_user_id: int, batch: int) -> list[dict]:
    """ASN below their minimum not yet reminded this month, keyset-paged by user id."""
    ob = obligations([month])
    reminded = select(QuotaReminder.user_id).where(QuotaReminder.user_id == ob.c.user_id,
                                                   QuotaReminder.month == month)
    stmt = (
        select(ob.c.user_id, ob.c.minimum_amount.label("minimum"), ob.c.counted_amount.label("counted"))
        .where(ob.c.counted_amount < ob.c.minimum_amount, ob.c.user_id > after_user_id, ~reminded.exists())
        .order_by(ob.c.user_id)
        .limit(batch)
    )
    return report_rows(stmt)


MEMBER_COLUMNS = [
    Column("name", _l("Nama")),
    Column("nip", _l("NIP")),
    Column("echelon", _l("Eselon")),
    Column("minimum", _l("Minimum"), "money"),
    Column("counted", _l("Dibelanjakan"), "money"),
    Column("shortfall", _l("Kekurangan"), "money"),
    Column("progress", _l("Capaian"), "percent"),
]


def _members_stmt(month: date, scope: Scope, only_below: bool):
    ob = obligations([month], scope)
    shortfall = greatest(ob.c.minimum_amount - ob.c.counted_amount, 0)
    stmt = (
        select(
            ob.c.asn_id, User.name.label("name"), AsnProfile.nip, AsnProfile.echelon,
            ob.c.minimum_amount.label("minimum"), ob.c.counted_amount.label("counted"),
            shortfall.label("shortfall"),
        )
        .join(AsnProfile, AsnProfile.id == ob.c.asn_id)
        .join(User, User.id == ob.c.user_id)
        .order_by(shortfall.desc(), User.name, ob.c.asn_id)
    )
    return stmt.where(ob.c.counted_amount < ob.c.minimum_amount) if only_below else stmt


def _with_progress(rows: list[dict]) -> list[dict]:
    for row in rows:
        row["echelon"] = row["echelon"].value.upper() if hasattr(row["echelon"], "value") else row["echelon"]
        row["progress"] = ratio_bp(min(row["counted"], row["minimum"]), row["minimum"])
    return rows


def agency_members(month: date, scope: Scope, *, only_below: bool = False, per_page: int | None = None):
    """ASN of the scope with their month; a page of them when `per_page` is given."""
    stmt = _members_stmt(month, scope, only_below)
    if per_page:
        page = RowPagination(select=stmt, per_page=per_page, page=page_arg(), error_out=False)
        page.items = _with_progress(page.items)
        rows, total = page.items, page.total
    else:
        page, rows, total = None, _with_progress(report_rows(stmt)), None
    table = Table("asn", _l("ASN dan capaiannya"), list(MEMBER_COLUMNS), rows, total=total)
    return table, page


# --- spending: categories, kecamatan, sellers, trend --------------------------------------------

def _spend(month_filter, scope: Scope):
    stmt = select(int_sum(QuotaSpend.amount).label("amount")).where(month_filter)
    if scope.agency_ids is not None:
        stmt = stmt.where(QuotaSpend.agency_id.in_(scope.agency_ids))
    return stmt


def _with_share(rows: list[dict], total: int) -> list[dict]:
    for row in rows:
        row["share"] = ratio_bp(row["amount"], total)
    return rows


def spend_total(month: date, scope: Scope) -> int:
    return execute_report(_spend(QuotaSpend.month == month, scope)).scalar_one() or 0


def spend_by_category(month: date, scope: Scope) -> Table:
    """Spend per top category; its footer holds the month's total (every row has a category,
    0 standing for none), which the other breakdowns take their shares of."""
    stmt = (
        _spend(QuotaSpend.month == month, scope)
        .add_columns(Category.name.label("category"))
        .outerjoin(Category, Category.id == QuotaSpend.category_id)
        .group_by(QuotaSpend.category_id, Category.name)
        .having(int_sum(QuotaSpend.amount) != 0)
        .order_by(int_sum(QuotaSpend.amount).desc())
    )
    rows = report_rows(stmt)
    total = sum(r["amount"] for r in rows)
    for row in _with_share(rows, total):
        row["category"] = row["category"] or _("Tanpa kategori")
    return Table("kategori", _l("Belanja per kategori"), [
        Column("category", _l("Kategori")), Column("amount", _l("Belanja"), "money"),
        Column("share", _l("Porsi"), "percent"),
    ], rows, footer={"category": _l("Total"), "amount": total, "share": ratio_bp(total, total)})


def spend_by_kecamatan(month: date, scope: Scope, total: int) -> Table:
    stmt = (
        _spend(QuotaSpend.month == month, scope)
        .add_columns(Shop.kecamatan.label("kecamatan"))
        .join(Shop, Shop.id == QuotaSpend.shop_id)
        .group_by(Shop.kecamatan)
        .having(int_sum(QuotaSpend.amount) != 0)
        .order_by(int_sum(QuotaSpend.amount).desc())
    )
    return Table("kecamatan", _l("Belanja per kecamatan penjual"), [
        Column("kecamatan", _l("Kecamatan")), Column("amount", _l("Belanja"), "money"),
        Column("share", _l("Porsi"), "percent"),
    ], _with_share(report_rows(stmt), total))


def top_sellers(month: date, scope: Scope, total: int, limit: int = TOP_SELLERS) -> Table:
    per_shop = (
        _spend(QuotaSpend.month == month, scope)
        .add_columns(QuotaSpend.shop_id)
        .group_by(QuotaSpend.shop_id)
        .having(int_sum(QuotaSpend.amount) > 0)
        .subquery()
    )
    stmt = (
        # The window counts every seller before the LIMIT keeps the top ones.
        select(Shop.name.label("shop"), Shop.kecamatan, per_shop.c.amount, func.count().over().label("sellers"))
        .join(Shop, Shop.id == per_shop.c.shop_id)
        .order_by(per_shop.c.amount.desc(), Shop.id)
        .limit(limit)
    )
    rows = _with_share(report_rows(stmt), total)
    sellers = rows[0]["sellers"] if rows else 0
    top = sum(r["amount"] for r in rows)
    return Table("penjual", _l("Penjual teratas"), [
        Column("shop", _l("Toko")), Column("kecamatan", _l("Kecamatan")),
        Column("amount", _l("Belanja"), "money"), Column("share", _l("Porsi"), "percent"),
    ], rows, total=sellers, footer={"shop": _l("%(n)d teratas", n=len(rows)), "amount": top,
                                    "share": ratio_bp(top, total)})


def trend(month: date, scope: Scope, months: int = TREND_MONTHS, known: dict | None = None) -> Table:
    """Attainment and spend for the `months` months up to `month`; `known` may give the
    figures of `month` itself (the dashboard has just computed them)."""
    span = last_months(month, months)
    found = {month: {"month": month, **known}} if known else {}
    missing = [m for m in span if m not in found]
    if missing:
        f = agency_figures(missing, scope)
        stmt = select(f.c.month, *(int_sum(f.c[k]).label(k) for k in ("obligated", "attained", "counted")))
        found.update((r["month"], r) for r in report_rows(stmt.group_by(f.c.month)))
    rows = []
    for m in span:
        row = found.get(m) or {"month": m, "obligated": 0, "attained": 0, "counted": 0}
        row["attainment"] = ratio_bp(row["attained"], row["obligated"])
        rows.append(row)
    return Table("tren", _l("Tren 12 bulan"), [
        Column("month", _l("Bulan"), "month"), Column("obligated", _l("ASN wajib"), "int"),
        Column("attained", _l("Memenuhi"), "int"), Column("attainment", _l("Capaian"), "percent"),
        Column("counted", _l("Belanja"), "money"),
    ], rows)


# --- the dashboard ------------------------------------------------------------------------------

@dataclass
class Dashboard:
    month: date
    summary: dict
    tables: dict[str, Table] = field(default_factory=dict)


def dashboard(month: date, scope: Scope, below_limit: int = 20) -> Dashboard:
    agencies, below = people(month, scope, below_limit)
    categories = spend_by_category(month, scope)
    total = categories.footer["amount"]
    sellers = top_sellers(month, scope, total)
    figures = agencies.footer
    tables = [
        agencies,
        below,
        categories,
        spend_by_kecamatan(month, scope, total),
        sellers,
        trend(month, scope, known={k: figures[k] for k in ("obligated", "attained", "counted")}),
    ]
    summary = {**figures, "spend": total, "sellers": sellers.total, "top_share": sellers.footer["share"]}
    return Dashboard(month, summary, {t.name: t for t in tables})


def full_table(name: str, month: date, scope: Scope, *, only_below: bool = False) -> Table | None:
    """Every row of a dashboard or drill-down table, for export."""
    if name == "di-bawah-minimum":
        return below_minimum(month, scope)
    if name == "asn":
        return agency_members(month, scope, only_below=only_below)[0]
    builders = {
        "perangkat-daerah": lambda: attainment_by_agency(month, scope),
        "kategori": lambda: spend_by_category(month, scope),
        "kecamatan": lambda: spend_by_kecamatan(month, scope, spend_total(month, scope)),
        "penjual": lambda: top_sellers(month, scope, spend_total(month, scope), limit=None),
        "tren": lambda: trend(month, scope),
    }
    build = builders.get(name)
    return build() if build else None

