"""What a shop's ledger says to its seller: the balance with what is still held and when it
frees, the next payout day, the entries with a running balance, the payouts, and the monthly
statement ("Laporan penghasilan") with its opening balance carried forward.

Months are Asia/Jakarta months: an entry at 30 November 17:30 UTC is 1 December in Bekasi.
Every figure is an SQL sum over the shop's entries (indexed by shop and time); only the rows a
page shows are loaded.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import selectinload
from sqlalchemy.sql.expression import FunctionElement

from bebeli.dates import jakarta_today, month_bounds_utc, month_start
from bebeli.db import UTCDateTime, utcnow
from bebeli.extensions import db
from bebeli.settlement.ledger import Balance, balance_of
from bebeli.settlement.payouts import next_payout_date
from bebeli.settlement.models import EntryKind, LedgerEntry, Payout, PayoutStatus
from bebeli.sqlfuncs import int_sum, jakarta_day_number

KIND_LABELS = {
    EntryKind.SALE: _l("Penjualan"),
    EntryKind.FEE: _l("Biaya platform"),
    EntryKind.REFUND: _l("Pengembalian dana ke pembeli"),
    EntryKind.PAYOUT: _l("Pencairan ke rekening"),
    EntryKind.PAYOUT_RETURNED: _l("Pencairan dikembalikan bank"),
    EntryKind.ADJUSTMENT: _l("Penyesuaian oleh admin"),
    EntryKind.OUTSIDE_SALE: _l("Pendapatan pengadaan instansi"),
    EntryKind.OUTSIDE_PAID: _l("Dibayar langsung oleh bendahara (SP2D)"),
}
PAYOUT_STATUS_LABELS = {
    PayoutStatus.PENDING: _l("Sedang ditransfer"),
    PayoutStatus.PAID: _l("Terkirim"),
    PayoutStatus.RETURNED: _l("Dikembalikan bank"),
}
PAYOUT_STATUS_BADGES = {PayoutStatus.PENDING: "warning", PayoutStatus.PAID: "success", PayoutStatus.RETURNED: "danger"}


class jakarta_month(FunctionElement):
    """'YYYY-MM' of the Asia/Jakarta calendar month of a UTC timestamp column."""

    type = sa.String()
    inherit_cache = True


@compiles(jakarta_month)
def _jakarta_month_default(element, compiler, **kw):
    return "to_char((%s AT TIME ZONE 'Asia/Jakarta'), 'YYYY-MM')" % compiler.process(element.clauses, **kw)


@compiles(jakarta_month, "sqlite")
def _jakarta_month_sqlite(element, compiler, **kw):
    # SQLite keeps naive UTC text; Jakarta is UTC+7 all year.
    return "strftime('%%Y-%%m', %s, '+7 hours')" % compiler.process(element.clauses, **kw)


def _sum(*where) -> int:
    return db.session.scalar(sa.select(int_sum(LedgerEntry.amount)).where(*where)) or 0


# --- the balance page ----------------------------------------------------------------------------

@dataclass(frozen=True)
class PendingRelease:
    available_at: datetime   # by then every amount of this day is available
    amount: int


@dataclass(frozen=True)
class Overview:
    balance: Balance
    releases: list[PendingRelease]
    next_payout_day: date
    minimum_amount: int

    @property
    def payable_next(self) -> bool:
        return self.balance.available_amount >= self.minimum_amount


def pending_releases(shop_id: int, now: datetime) -> list[PendingRelease]:
    """What is still held, by the Jakarta day it becomes available (one row per day)."""
    day = jakarta_day_number(LedgerEntry.available_at)
    until = sa.type_coerce(sa.func.max(LedgerEntry.available_at), UTCDateTime())  # max() keeps no type on SQLite
    rows = db.session.execute(
        sa.select(until.label("until"), int_sum(LedgerEntry.amount).label("amount"))
        .where(LedgerEntry.shop_id == shop_id, LedgerEntry.available_at > now)
        .group_by(day).order_by(until)
    ).all()
    return [PendingRelease(row.until, row.amount) for row in rows if row.amount]


def overview_of(shop_id: int, now: datetime | None = None) -> Overview:
    now = now or utcnow()
    return Overview(balance=balance_of(shop_id, now), releases=pending_releases(shop_id, now),
                    next_payout_day=next_payout_date(jakarta_today(now)),
                    minimum_amount=current_app.config["PAYOUT_MINIMUM_AMOUNT"])


def entries_for(shop_id: int) -> sa.Select:
    """A shop's entries, newest first (for a paginated list)."""
    return (sa.select(LedgerEntry).where(LedgerEntry.shop_id == shop_id)
            .options(selectinload(LedgerEntry.seller_order))
            .order_by(LedgerEntry.at.desc(), LedgerEntry.id.desc()))


def running_balances(shop_id: int, entries: list[LedgerEntry]) -> dict[int, int]:
    """The balance after each of `entries` (one page, newest first): one sum up to the oldest
    of them, then the page's own amounts."""
    if not entries:
        return {}
    oldest = entries[-1]
    running = _sum(LedgerEntry.shop_id == shop_id, sa.or_(
        LedgerEntry.at < oldest.at, sa.and_(LedgerEntry.at == oldest.at, LedgerEntry.id <= oldest.id)))
    balances = {oldest.id: running}
    for entry in reversed(entries[:-1]):
        running += entry.amount
        balances[entry.id] = running
    return balances


def payout_references(entries: list[LedgerEntry]) -> dict[int, Payout]:
    ids = {e.payout_id for e in entries if e.payout_id}
    if not ids:
        return {}
    return {p.id: p for p in db.session.scalars(sa.select(Payout).where(Payout.id.in_(ids)))}


def payouts_for(shop_id: int) -> sa.Select:
    return (sa.select(Payout).where(Payout.shop_id == shop_id)
            .options(selectinload(Payout.batch)).order_by(Payout.created_at.desc(), Payout.id.desc()))


# --- the monthly statement ------------------------------------------------------------------------

def statement_months(shop_id: int, today: date | None = None) -> list[date]:
    """Months with entries, and the current month, newest first."""
    month = jakarta_month(LedgerEntry.at)
    keys = set(db.session.scalars(sa.select(month).where(LedgerEntry.shop_id == shop_id).group_by(month)))
    months = {date(int(k[:4]), int(k[5:7]), 1) for k in keys if k}
    months.add(month_start(today or jakarta_today()))
    return sorted(months, reverse=True)


@dataclass(frozen=True)
class StatementLine:
    entry: LedgerEntry
    balance_amount: int      # after this entry


@dataclass
class Statement:
    shop_id: int
    month: date
    opening_amount: int      # carried forward from the months before (negative after a late refund)
    lines: list[StatementLine]
    subtotals: list[tuple[EntryKind, object, int]]   # every kind, label, sum of the month
    closing_amount: int
    payouts: dict[int, Payout] = field(default_factory=dict)
    months: list[date] = field(default_factory=list)   # the months a picker offers

    @property
    def change_amount(self) -> int:
        return self.closing_amount - self.opening_amount

    @property
    def income_amount(self) -> int:
        """All income of the month, agency purchases paid outside included."""
        return sum(amount for kind, _label, amount in self.subtotals
                   if kind in (EntryKind.SALE, EntryKind.OUTSIDE_SALE))


def statement_for(shop_id: int, month: date) -> Statement:
    start, end = month_bounds_utc(month)
    opening = _sum(LedgerEntry.shop_id == shop_id, LedgerEntry.at < start)
    in_month = (LedgerEntry.shop_id == shop_id, LedgerEntry.at >= start, LedgerEntry.at < end)
    sums = dict(db.session.execute(
        sa.select(LedgerEntry.kind, int_sum(LedgerEntry.amount)).where(*in_month).group_by(LedgerEntry.kind)).all())
    subtotals = [(kind, label, sums.get(kind, 0) or 0) for kind, label in KIND_LABELS.items()]
    entries = db.session.scalars(sa.select(LedgerEntry).where(*in_month)
                                 .options(selectinload(LedgerEntry.seller_order))
                                 .order_by(LedgerEntry.at, LedgerEntry.id)).all()
    lines, running = [], opening
    for entry in entries:
        running += entry.amount
        lines.append(StatementLine(entry, running))
    closing = opening + sum(amount for _kind, _label, amount in subtotals)
    return Statement(shop_id=shop_id, month=month_start(month), opening_amount=opening, lines=lines,
                     subtotals=subtotals, closing_amount=closing, payouts=payout_references(entries))


def entry_reference(entry: LedgerEntry, payouts: dict[int, Payout]) -> str:
    """What an entry belongs to, as printed: the seller order's number, the payout's reference."""
    if entry.seller_order is not None:
        return entry.seller_order.number
    payout = payouts.get(entry.payout_id) if entry.payout_id else None
    if payout is not None:
        return payout.reference
    return ""
