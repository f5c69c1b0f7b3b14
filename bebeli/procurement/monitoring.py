"""Per-agency figures for administrators: spending through BEBELI this fiscal year, budget
used, and the share of goods/services spending going to small businesses (target 40%); and
the integrity flags as a table for export."""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func

from bebeli.catalog.models import Category
from bebeli.directory.models import Agency
from bebeli.extensions import db
from bebeli.procurement.budget import current_fiscal_year
from bebeli.procurement.flags import SplitFlag, self_dealing_flags, splitting_flags
from bebeli.procurement.models import CHARGED_STAGES, AgencyBudget, AgencyPurchase, BudgetLine
from bebeli.quotas.reports import Column, Table


@dataclass
class AgencySpending:
    agency: Agency
    spent_amount: int      # Σ Surat Pesanan values (PPN included), net of goods refused
    paid_amount: int       # what the treasurer has paid so far
    pagu_amount: int       # Σ budget lines
    used_amount: int       # Σ charged to budget lines
    base_amount: int       # whole goods/services budget (or Σ pagu when not recorded)
    base_is_pagu: bool

    @property
    def used_bp(self) -> int | None:
        return self.used_amount * 10_000 // self.pagu_amount if self.pagu_amount else None

    @property
    def small_business_bp(self) -> int | None:
        # Every BEBELI seller is a verified micro or small business.
        return self.spent_amount * 10_000 // self.base_amount if self.base_amount else None

    @property
    def meets_target(self) -> bool:
        share = self.small_business_bp
        return share is not None and share >= current_app.config["SMALL_BUSINESS_TARGET_BP"]


def _sum_by_agency(stmt) -> dict[int, tuple]:
    return {row[0]: tuple(int(v or 0) for v in row[1:]) for row in db.session.execute(stmt)}


def agency_spending(fiscal_year: int, agency_ids=None) -> list[AgencySpending]:
    purchases = _sum_by_agency(
        db.select(AgencyPurchase.agency_id,
                  func.sum(AgencyPurchase.dpp_amount + AgencyPurchase.ppn_amount + AgencyPurchase.delivery_amount),
                  func.sum(AgencyPurchase.paid_amount))
        .join(BudgetLine, BudgetLine.id == AgencyPurchase.budget_line_id)
        .where(AgencyPurchase.stage.in_(CHARGED_STAGES), BudgetLine.fiscal_year == fiscal_year)
        .group_by(AgencyPurchase.agency_id))
    lines = _sum_by_agency(
        db.select(BudgetLine.agency_id, func.sum(BudgetLine.pagu_amount), func.sum(BudgetLine.used_amount))
        .where(BudgetLine.fiscal_year == fiscal_year).group_by(BudgetLine.agency_id))
    bases = _sum_by_agency(
        db.select(AgencyBudget.agency_id, AgencyBudget.goods_services_amount)
        .where(AgencyBudget.fiscal_year == fiscal_year))

    stmt = db.select(Agency).where(Agency.is_active).order_by(Agency.name)
    if agency_ids is not None:
        stmt = stmt.where(Agency.id.in_(agency_ids))
    rows = []
    for agency in db.session.scalars(stmt):
        spent, paid = purchases.get(agency.id, (0, 0))
        pagu, used = lines.get(agency.id, (0, 0))
        base = bases.get(agency.id, (0,))[0]
        rows.append(AgencySpending(agency, spent, paid, pagu, used, base or pagu, not base))
    return rows


@dataclass
class AdminPanel:
    """What the admin dashboard shows of the agency channel."""

    fiscal_year: int
    spent_amount: int
    agencies_meeting_target: int
    agencies_with_budget: int
    splits: list
    self_dealing: list


def admin_panel() -> AdminPanel:
    year = current_fiscal_year()
    rows = [row for row in agency_spending(year) if row.base_amount]
    return AdminPanel(year, sum(r.spent_amount for r in rows), sum(r.meets_target for r in rows), len(rows),
                      splitting_flags(), self_dealing_flags())


def split_flags_table(flags: list[SplitFlag]) -> Table:
    """The package-splitting flags as one row each, for the monitoring export (CSV/XLSX)."""
    category_ids = {f.category_id for f in flags if f.category_id is not None}
    names = db.select(Category.id, Category.name).where(Category.id.in_(category_ids))
    categories = {row.id: row.name for row in db.session.execute(names)} if category_ids else {}
    rows = []
    for flag in flags:
        first = flag.purchases[0] if flag.purchases else None
        rows.append({
            "kind": str(flag.kind_label),
            "agency": first.agency.name if first else None,
            "shop": first.shop.name if first else None,
            "category": categories.get(flag.category_id),
            "orders": ", ".join(p.sp_number or p.seller_order.number for p in flag.purchases),
            "count": len(flag.pieces),
            "first_at": flag.pieces[0].placed_at,
            "last_at": flag.pieces[-1].placed_at,
            "total": flag.total_amount,
            "threshold": flag.threshold_amount,
            "pph22_due": flag.pph22_due_amount,
        })
    return Table("pecah-paket", _l("Dugaan pecah paket"), [
        Column("kind", _l("Batas yang dihindari")),
        Column("agency", _l("Perangkat daerah")),
        Column("shop", _l("Penjual")),
        Column("category", _l("Kategori")),
        Column("orders", _l("Pesanan")),
        Column("count", _l("Jumlah pesanan"), "int"),
        Column("first_at", _l("Pesanan pertama"), "datetime"),
        Column("last_at", _l("Pesanan terakhir"), "datetime"),
        Column("total", _l("Jumlah nilai tanpa PPN (Rp)"), "money"),
        Column("threshold", _l("Batas (Rp)"), "money"),
        Column("pph22_due", _l("PPh 22 atas jumlahnya (Rp)"), "money"),
    ], rows)
