"""Budget lines (pagu): setting them up, and drawing on them atomically.

`charge_budget_line` is the only way a line's `used_amount` grows: one conditional UPDATE
that succeeds only while the line has room, so two concurrent approvals can never both
spend the last rupiah (PostgreSQL re-checks the WHERE clause after the first commits;
SQLite serialises writers). The CHECK constraint on the table is the backstop.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from bebeli.audit.services import record
from bebeli.dates import jakarta_today
from bebeli.errors import BudgetExceeded, Conflict, ValidationFailed
from bebeli.extensions import db
from bebeli.money import rupiah
from bebeli.procurement.models import AgencyBudget, BudgetLine


def current_fiscal_year() -> int:
    """Indonesian fiscal years are calendar years (Jakarta time)."""
    return jakarta_today().year


def budget_lines_for_agency(agency_id: int, fiscal_year: int, *, active_only: bool = False):
    stmt = db.select(BudgetLine).where(BudgetLine.agency_id == agency_id, BudgetLine.fiscal_year == fiscal_year)
    if active_only:
        stmt = stmt.where(BudgetLine.is_active)
    return stmt.order_by(BudgetLine.code)


def _check_amount(amount: int) -> None:
    if amount <= 0:
        raise ValidationFailed(_l("Pagu harus lebih dari nol."), field="pagu_amount")


def create_budget_line(agency, *, fiscal_year: int, code: str, name: str, pagu_amount: int, actor) -> BudgetLine:
    code = code.strip()
    _check_amount(pagu_amount)
    exists = db.session.scalar(db.select(BudgetLine.id).where(
        BudgetLine.agency_id == agency.id, BudgetLine.fiscal_year == fiscal_year, BudgetLine.code == code))
    if exists:
        raise ValidationFailed(_l("Kode anggaran ini sudah ada untuk tahun %(year)d.", year=fiscal_year), field="code")
    line = BudgetLine(agency_id=agency.id, fiscal_year=fiscal_year, code=code, name=name.strip(),
                      pagu_amount=pagu_amount, used_amount=0)
    db.session.add(line)
    db.session.flush()
    record("procurement.budget_line_created", actor=actor, obj=line, agency_id=agency.id,
           fiscal_year=fiscal_year, code=code, pagu=pagu_amount)
    return line


def update_budget_line(line: BudgetLine, *, name: str, pagu_amount: int, is_active: bool, actor) -> BudgetLine:
    """Rename, re-size or close a line; the pagu may not drop below what is already used."""
    _check_amount(pagu_amount)
    result = db.session.execute(
        sa.update(BudgetLine)
        .where(BudgetLine.id == line.id, BudgetLine.used_amount <= pagu_amount)
        .values(name=name.strip(), pagu_amount=pagu_amount, is_active=is_active)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(line)
    if result.rowcount != 1:
        raise ValidationFailed(
            _l("Pagu tidak boleh lebih kecil dari yang sudah terpakai (%(used)s).", used=rupiah(line.used_amount)),
            field="pagu_amount",
        )
    record("procurement.budget_line_updated", actor=actor, obj=line, name=line.name, pagu=pagu_amount,
           active=is_active)
    return line


def charge_budget_line(line: BudgetLine, amount: int) -> None:
    """Draw `amount` from the line, or raise BudgetExceeded without changing anything."""
    if amount < 0:
        raise ValueError("a charge cannot be negative")
    result = db.session.execute(
        sa.update(BudgetLine)
        .where(BudgetLine.id == line.id, BudgetLine.is_active,
               BudgetLine.used_amount + amount <= BudgetLine.pagu_amount)
        .values(used_amount=BudgetLine.used_amount + amount)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(line)
    if result.rowcount != 1:
        if not line.is_active:
            raise Conflict(_l("Kode anggaran %(code)s sudah ditutup.", code=line.code))
        raise BudgetExceeded(
            _l("Nilai pesanan %(amount)s melebihi sisa pagu %(code)s (%(left)s).",
               amount=rupiah(amount), code=line.code, left=rupiah(line.remaining_amount)),
            remaining=line.remaining_amount,
        )


def release_budget_line(line: BudgetLine, amount: int) -> None:
    """Give back part of an earlier charge (cancellation, rejection, items refused at receipt)."""
    if amount <= 0:
        return
    result = db.session.execute(
        sa.update(BudgetLine)
        .where(BudgetLine.id == line.id, BudgetLine.used_amount >= amount)
        .values(used_amount=BudgetLine.used_amount - amount)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(line)
    if result.rowcount != 1:  # pragma: no cover - would mean the books are already wrong
        raise Conflict(_l("Pencatatan pagu tidak konsisten; hubungi administrator."))


def set_agency_budget(agency, fiscal_year: int, amount: int | None, *, actor) -> AgencyBudget | None:
    """Record (or clear, with None) the agency's whole goods/services budget for the year."""
    budget = agency_budget(agency.id, fiscal_year)
    if amount is None:
        if budget is not None:
            db.session.delete(budget)
    else:
        _check_amount(amount)
        if budget is None:
            budget = AgencyBudget(agency_id=agency.id, fiscal_year=fiscal_year)
            db.session.add(budget)
        budget.goods_services_amount = amount
    db.session.flush()
    record("procurement.agency_budget_set", actor=actor, obj=agency, fiscal_year=fiscal_year, amount=amount)
    return budget if amount is not None else None


def agency_budget(agency_id: int, fiscal_year: int) -> AgencyBudget | None:
    return db.session.scalar(db.select(AgencyBudget).where(
        AgencyBudget.agency_id == agency_id, AgencyBudget.fiscal_year == fiscal_year))
