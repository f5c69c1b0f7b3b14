"""Integrity flags on agency purchases, shown to administrators.

- Package splitting ("pecah paket"): several purchases of one agency from one seller in one
  category within `SPLIT_WINDOW_DAYS` of the first, each at or under a threshold, whose sum
  goes above it. Thresholds: the PPh 22 limit and the channel limit; amounts before PPN.
- Self-dealing: the PP or the PPK of a purchase shares a NIK, a phone number or a bank
  account with the seller's shop or owner (or is the owner's own account).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func
from sqlalchemy.orm import defaultload

from bebeli.dates import jakarta_today
from bebeli.db import utcnow
from bebeli.extensions import db
from bebeli.orders.models import Order, OrderLine
from bebeli.procurement.limits import channel_limit_amount
from bebeli.procurement.models import AgencyPurchase, Stage
from bebeli.procurement.officials import declarations_of, shop_ties
from bebeli.procurement.tax import WithholdingRates, pph22_on, rates_on
from bebeli.sellers.models import Shop

SPLIT_KINDS = {
    "pph22": _l("batas PPh 22"),
    "channel": _l("batas nilai paket kanal instansi"),
}

MATCH_LABELS = {
    "account": _l("akun yang sama"),
    "nik": _l("NIK sama"),
    "phone": _l("nomor telepon sama"),
    "bank_account": _l("rekening bank sama"),
}


# --- package splitting ------------------------------------------------------------------

@dataclass
class SplitPiece:
    purchase_id: int
    placed_at: datetime
    amount: int


@dataclass
class SplitFlag:
    kind: str
    threshold_amount: int
    agency_id: int
    shop_id: int
    category_id: int | None
    pieces: list[SplitPiece] = field(default_factory=list)
    purchases: list[AgencyPurchase] = field(default_factory=list)
    rates: WithholdingRates | None = None   # the rates the thresholds came from

    @property
    def total_amount(self) -> int:
        return sum(p.amount for p in self.pieces)

    @property
    def pph22_due_amount(self) -> int:
        """The PPh 22 the treasurer would have withheld had the pieces been one purchase."""
        return pph22_on(self.total_amount, self.rates) if self.rates else 0

    @property
    def rows(self) -> list[tuple[SplitPiece, AgencyPurchase]]:
        return list(zip(self.pieces, self.purchases))

    @property
    def kind_label(self):
        return SPLIT_KINDS[self.kind]


def _pieces_since(since: datetime, agency_ids=None) -> dict[tuple, list[SplitPiece]]:
    """Each live purchase's amount per category, grouped by (agency, shop, category)."""
    stmt = (
        db.select(AgencyPurchase.id, AgencyPurchase.agency_id, AgencyPurchase.shop_id,
                  OrderLine.category_id, Order.created_at, func.sum(OrderLine.amount))
        .join(OrderLine, OrderLine.seller_order_id == AgencyPurchase.seller_order_id)
        .join(Order, Order.id == AgencyPurchase.order_id)
        .where(AgencyPurchase.stage != Stage.CANCELLED, Order.created_at >= since)
        .group_by(AgencyPurchase.id, AgencyPurchase.agency_id, AgencyPurchase.shop_id,
                  OrderLine.category_id, Order.created_at)
    )
    if agency_ids is not None:
        stmt = stmt.where(AgencyPurchase.agency_id.in_(agency_ids))
    groups: dict[tuple, list[SplitPiece]] = defaultdict(list)
    for purchase_id, agency_id, shop_id, category_id, placed_at, amount in db.session.execute(stmt):
        groups[(agency_id, shop_id, category_id)].append(SplitPiece(purchase_id, placed_at, int(amount)))
    for pieces in groups.values():
        pieces.sort(key=lambda p: (p.placed_at, p.purchase_id))
    return groups


def _split_windows(pieces: list[SplitPiece], threshold: int, window: timedelta) -> list[list[SplitPiece]]:
    """Sets of two or more pieces, each ≤ threshold, placed within `window` of the first and
    summing above the threshold; overlapping sets are merged into one."""
    eligible = [p for p in pieces if p.amount <= threshold]
    merged: list[list[SplitPiece]] = []
    for i, first in enumerate(eligible):
        members = [p for p in eligible[i:] if p.placed_at - first.placed_at <= window]
        if len(members) < 2 or sum(p.amount for p in members) <= threshold:
            continue
        if merged and merged[-1][-1].placed_at >= first.placed_at:
            known = {p.purchase_id for p in merged[-1]}
            merged[-1].extend(p for p in members if p.purchase_id not in known)
        else:
            merged.append(members)
    return merged


def splitting_flags(*, since: datetime | None = None, agency_ids=None) -> list[SplitFlag]:
    cfg = current_app.config
    window = timedelta(days=cfg["SPLIT_WINDOW_DAYS"])
    since = since or (utcnow() - timedelta(days=365))
    rates = rates_on(jakarta_today())
    thresholds = {"pph22": rates.pph22_threshold_amount, "channel": channel_limit_amount()}
    flags = []
    for (agency_id, shop_id, category_id), pieces in _pieces_since(since, agency_ids).items():
        for kind, threshold in thresholds.items():
            for members in _split_windows(pieces, threshold, window):
                flags.append(SplitFlag(kind, threshold, agency_id, shop_id, category_id, members, rates=rates))
    _attach_purchases(flags)
    return sorted(flags, key=lambda f: f.pieces[-1].placed_at, reverse=True)


def _attach_purchases(flags: list[SplitFlag]) -> None:
    ids = {p.purchase_id for f in flags for p in f.pieces}
    if not ids:
        return
    by_id = {p.id: p for p in db.session.scalars(db.select(AgencyPurchase).where(AgencyPurchase.id.in_(ids)))}
    for flag in flags:
        flag.purchases = [by_id[p.purchase_id] for p in flag.pieces]


# --- self-dealing -------------------------------------------------------------------------

@dataclass
class SelfDealingFlag:
    purchase: AgencyPurchase
    official: object          # the User (PP or PPK)
    role: str                 # "pp" | "ppk"
    matches: list[str]

    @property
    def match_labels(self):
        return [MATCH_LABELS[m] for m in self.matches]

    @property
    def group_key(self) -> tuple:
        """Flags of one official with one shop for the same reasons are shown together."""
        return (self.official.id, self.role, self.purchase.shop_id, tuple(self.matches))


def self_dealing_for(purchases: list[AgencyPurchase]) -> list[SelfDealingFlag]:
    declarations = declarations_of({p.pp_id for p in purchases} | {p.ppk_id for p in purchases})
    flags = []
    for purchase in purchases:
        for role, user in (("pp", purchase.pp), ("ppk", purchase.ppk)):
            found = shop_ties(user, declarations.get(user.id), purchase.shop)
            if found:
                flags.append(SelfDealingFlag(purchase, user, role, found))
    return flags


def self_dealing_flags(*, since: datetime | None = None, agency_ids=None) -> list[SelfDealingFlag]:
    since = since or (utcnow() - timedelta(days=365))
    stmt = (db.select(AgencyPurchase).where(AgencyPurchase.stage != Stage.CANCELLED,
                                             AgencyPurchase.created_at >= since)
            .order_by(AgencyPurchase.id.desc())
            .options(defaultload(AgencyPurchase.shop).selectinload(Shop.owner)))  # owners are compared below
    if agency_ids is not None:
        stmt = stmt.where(AgencyPurchase.agency_id.in_(agency_ids))
    return self_dealing_for(list(db.session.scalars(stmt)))
