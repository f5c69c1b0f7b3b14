"""Quota verbs: hold room at checkout, count a payment, take goods back; edit policies and
exemptions. Callers commit; everything here runs inside the caller's transaction."""
from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from bebeli.audit.services import record
from bebeli.auth.models import User
from bebeli.dates import days_in_month, jakarta_today, month_start
from bebeli.db import utcnow
from bebeli.directory.models import Agency, Echelon
from bebeli.errors import QuotaExceeded, ValidationFailed
from bebeli.extensions import db
from bebeli.mail.services import send_mail
from bebeli.money import rupiah
from bebeli.quotas import counting, reports
from bebeli.quotas.models import (
    EntryKind,
    ExemptionReason,
    MinimumKind,
    QuotaAgencyMonth,
    QuotaEntry,
    QuotaExemption,
    QuotaFrozenMonth,
    QuotaHold,
    QuotaMonth,
    QuotaPolicy,
    QuotaRankAmount,
    QuotaReminder,
    QuotaSpend,
)
from bebeli.quotas.obligations import (
    Scope,
    frozen_among,
    frozen_rollup,
    is_closed,
    last_months,
    live_obligations,
    obligations,
)
from bebeli.sqlfuncs import insert_from, insert_ignore, int_sum, upsert_add

_months = QuotaMonth.__table__


# --- reading one person's month --------------------------------------------------------------

_PERSON = sa.bindparam("obligation_user_id", type_=sa.Integer)


@lru_cache(maxsize=32)
def _one_person_month(month: date, frozen: bool):
    """The statement for one person's month, built once per month and kind: building the
    obligations query costs several milliseconds of Python, running it well under one."""
    return sa.select(obligations([month], Scope(user_id=_PERSON), frozen={month} if frozen else set()))


def obligation_for(user_id: int, month: date):
    """The obligations row of one ASN for one month, or None when they are not in service."""
    frozen = month in frozen_among([month])
    return db.session.execute(_one_person_month(month, frozen), {"obligation_user_id": user_id}).first()


# --- freezing closed months ---------------------------------------------------------------------

_FROZEN = ("minimum_amount", "agency_id", "policy_id")


def freeze_closed_months(months: list[date]) -> list[date]:
    """Freeze the obligations of closed months not frozen yet; returns the months frozen.

    The marker row is written first: a second freezer of the same month waits on it, then
    finds it there and leaves the month alone. Everything else is two bulk statements.
    """
    done = []
    for month in sorted(set(months)):
        if not is_closed(month) or not insert_ignore(
                db.session, QuotaFrozenMonth.__table__, {"month": month, "frozen_at": utcnow()}):
            continue
        db.session.execute(sa.update(_months).where(_months.c.month == month).values(dict.fromkeys(_FROZEN)))
        live = live_obligations([month]).subquery()
        names = ["user_id", "month", "counted_amount", "reserved_amount", *_FROZEN]
        stmt = insert_from(db.session, _months, names, sa.select(*(live.c[n] for n in names)).where(sa.true()))
        db.session.execute(stmt.on_conflict_do_update(
            index_elements=["user_id", "month"], set_={n: stmt.excluded[n] for n in _FROZEN}))
        _roll_up(month)
        done.append(month)
    return done


_ROLLUP = {"month": "month", "agency_id": "agency_id", "obligated": "obligated", "attained": "attained",
           "counted_amount": "counted", "shortfall_amount": "shortfall", "target_amount": "target"}


def _roll_up(month: date, agency_id: int | None = None) -> None:
    """(Re)build the per-agency figures of a frozen month, or of one agency in it."""
    stmt = sa.delete(QuotaAgencyMonth).where(QuotaAgencyMonth.month == month)
    if agency_id is not None:
        stmt = stmt.where(QuotaAgencyMonth.agency_id == agency_id)
    db.session.execute(stmt)
    rollup = frozen_rollup(month, agency_id).subquery()
    db.session.execute(sa.insert(QuotaAgencyMonth).from_select(
        list(_ROLLUP), sa.select(*(rollup.c[name] for name in _ROLLUP.values()))))


def _refresh_if_frozen(user_id: int, month: date) -> None:
    """A late reduction changed a frozen month: bring its agency's figures up to date."""
    if not db.session.get(QuotaFrozenMonth, month):
        return
    agency_id = db.session.scalar(sa.select(_months.c.agency_id).where(
        _months.c.user_id == user_id, _months.c.month == month))
    if agency_id is not None:
        _roll_up(month, agency_id)


def dashboard(month: date, scope: Scope):
    """The monitoring dashboard; closed months it spans are frozen first (the first look
    after a month ends does that work once)."""
    freeze_closed_months(last_months(month, reports.TREND_MONTHS))
    return reports.dashboard(month, scope)


def _thaw(first: date, last: date | None = None) -> None:
    """Make closed months from `first` (to `last`) be computed again from the rules."""
    stmt = sa.delete(QuotaFrozenMonth).where(QuotaFrozenMonth.month >= month_start(first))
    if last is not None:
        stmt = stmt.where(QuotaFrozenMonth.month <= month_start(last))
    db.session.execute(stmt)


# --- the ledger and its summaries --------------------------------------------------------------

def _add_to_month(user_id: int, month: date, *, counted: int = 0, reserved: int = 0) -> None:
    if counted >= 0 and reserved >= 0:
        upsert_add(db.session, _months, {"user_id": user_id, "month": month},
                   {"counted_amount": counted, "reserved_amount": reserved})
        return
    # Taking back what an earlier write added: the row exists, and an upsert's candidate
    # row with a negative amount would trip the CHECK before the conflict is seen.
    c = _months.c
    result = db.session.execute(
        sa.update(_months).where(c.user_id == user_id, c.month == month)
        .values(counted_amount=c.counted_amount + counted, reserved_amount=c.reserved_amount + reserved))
    if result.rowcount == 0 and (counted > 0 or reserved > 0):  # (no row: what is added still counts)
        upsert_add(db.session, _months, {"user_id": user_id, "month": month},
                   {"counted_amount": max(counted, 0), "reserved_amount": max(reserved, 0)})


def _write_entry(seller_order, *, month: date, agency_id: int | None, category_id: int, amount: int,
                 kind: EntryKind, reason: str | None, at: datetime) -> None:
    order = seller_order.order
    db.session.add(QuotaEntry(
        user_id=order.buyer_id, month=month, agency_id=agency_id, order_id=order.id,
        seller_order_id=seller_order.id, shop_id=seller_order.shop_id,
        category_id=category_id or None, kind=kind, reason=reason, amount=amount, at=at,
    ))
    upsert_add(db.session, QuotaSpend.__table__,
               {"month": month, "agency_id": agency_id or 0, "shop_id": seller_order.shop_id,
                "category_id": category_id},
               {"amount": amount})


# --- checkout: hold room under the ceiling -----------------------------------------------------

def _exceeded(ceiling: int, used: int, amount: int) -> QuotaExceeded:
    room = max(0, ceiling - used)
    return QuotaExceeded(
        _l("Pesanan ini melebihi batas belanja bulanan Anda. Batas bulan ini %(ceiling)s; sisa yang "
           "masih bisa dibelanjakan %(room)s, sedangkan barang UMKM lokal dalam pesanan ini %(amount)s. "
           "Kurangi isi keranjang lalu coba lagi.",
           ceiling=rupiah(ceiling), room=rupiah(room), amount=rupiah(amount)),
        ceiling_amount=ceiling, room_amount=room, order_amount=amount,
    )


def hold_room(user_id: int, month: date, amount: int, ceiling: int | None) -> None:
    """Add `amount` to what the month holds, unless that would pass `ceiling`.

    One conditional UPDATE: concurrent checkouts of the same person wait for each other's row
    lock and re-check the condition, so together they can never pass the ceiling.
    """
    insert_ignore(db.session, _months, {"user_id": user_id, "month": month,
                                        "counted_amount": 0, "reserved_amount": 0})
    c = _months.c
    stmt = (
        sa.update(_months)
        .where(c.user_id == user_id, c.month == month)
        .values(reserved_amount=c.reserved_amount + amount)
    )
    if ceiling is not None:
        stmt = stmt.where(c.counted_amount + c.reserved_amount + amount <= ceiling)
    if db.session.execute(stmt).rowcount == 1:
        return
    used = db.session.execute(
        sa.select(c.counted_amount + c.reserved_amount).where(c.user_id == user_id, c.month == month)
    ).scalar_one()
    raise _exceeded(ceiling, used, amount)


def reserve_for_checkout(buyer, order) -> None:
    """Hold ceiling room for the order's countable goods; QuotaExceeded vetoes the checkout."""
    if not counting.order_counts(order):
        return
    tops = counting.top_category_ids(order.seller_orders)
    goods = {so: sum(counting.countable_goods(so, tops).values()) for so in order.seller_orders}
    goods = {so: amount for so, amount in goods.items() if amount > 0}
    total = sum(goods.values())
    if total == 0:
        return
    month = counting.counted_month(utcnow())
    row = obligation_for(buyer.id, month)
    hold_room(buyer.id, month, total, row.ceiling_amount if row else None)
    for seller_order, amount in goods.items():
        db.session.add(QuotaHold(seller_order_id=seller_order.id, order_id=order.id, user_id=buyer.id,
                                 month=month, amount=amount))


def progress_for(user, today: date | None = None) -> dict | None:
    """This month for an ASN's home page: minimum, bought, left, days left, ceiling room."""
    if user is None or not getattr(user, "is_authenticated", False) or user.asn is None:
        return None
    today = today or jakarta_today()
    row = obligation_for(user.id, month_start(today))
    if row is None:
        return None
    ceiling = row.ceiling_amount
    return {
        "month": row.month,
        "minimum": row.minimum_amount,
        "counted": row.counted_amount,
        "reserved": row.reserved_amount,
        "left": max(0, row.minimum_amount - row.counted_amount),
        "days_left": days_in_month(today) - today.day + 1,
        "ceiling": ceiling,
        "room": None if ceiling is None else max(0, ceiling - row.counted_amount - row.reserved_amount),
    }


def quota_room_for(user) -> dict | None:
    """What the checkout shows before paying: the ceiling and the room left (None if no ceiling)."""
    progress = progress_for(user)
    return progress if progress and progress["ceiling"] is not None else None


# --- payment and reductions --------------------------------------------------------------------

def _release_hold(hold: QuotaHold, amount: int) -> None:
    amount = min(amount, hold.amount)
    if amount > 0:
        _add_to_month(hold.user_id, hold.month, reserved=-amount)
        hold.amount -= amount
    if hold.amount == 0:
        db.session.delete(hold)


def count_payment(order, paid_at: datetime) -> None:
    """Count the order's goods from verified local shops in the Jakarta month of `paid_at`.

    Every hold of the order is released whole (one DELETE … RETURNING says what they held),
    and each month's row then changes once, by what was released and what is counted.
    """
    released = db.session.execute(
        sa.delete(QuotaHold).where(QuotaHold.order_id == order.id)
        .returning(QuotaHold.user_id, QuotaHold.month, QuotaHold.amount)
    ).all()
    changes: dict[tuple[int, date], list[int]] = {}  # (user, month) → [counted, reserved]
    for user_id, month, amount in released:
        if amount > 0:
            changes.setdefault((user_id, month), [0, 0])[1] -= amount
    if counting.order_counts(order) and not _counted_already(order):
        month = counting.counted_month(paid_at)
        tops = counting.top_category_ids(order.seller_orders)
        goods = [(seller_order, category_id, amount) for seller_order in order.seller_orders
                 for category_id, amount in counting.countable_goods(seller_order, tops).items()]
        # The spend rows are shared by every buyer of the agency: written in one order (shop,
        # category), concurrent payments wait for each other instead of deadlocking.
        goods.sort(key=lambda g: (g[0].shop_id, g[1]))
        total = 0
        for seller_order, category_id, amount in goods:
            _write_entry(seller_order, month=month, agency_id=order.agency_id, category_id=category_id,
                         amount=amount, kind=EntryKind.PURCHASE, reason="paid", at=paid_at)
            total += amount
        if total:
            changes.setdefault((order.buyer_id, month), [0, 0])[0] += total
    for (user_id, month), (counted, reserved) in changes.items():
        _add_to_month(user_id, month, counted=counted, reserved=reserved)


def _counted_already(order) -> bool:
    """A payment is counted once, whatever is delivered twice."""
    return bool(db.session.scalar(sa.select(sa.func.count()).where(
        QuotaEntry.order_id == order.id, QuotaEntry.kind == EntryKind.PURCHASE)))


def _split(amount: int, weights: dict) -> dict:
    """Share `amount` out in proportion to `weights` (largest remainder, exact in integers)."""
    whole = sum(weights.values())
    shares = {k: amount * w // whole for k, w in weights.items()}
    leftover = amount - sum(shares.values())
    by_remainder = sorted(weights, key=lambda k: (amount * weights[k] % whole, weights[k]), reverse=True)
    for key in by_remainder[:leftover]:
        shares[key] += 1
    return shares


def take_back(seller_order, amount: int, reason: str, at: datetime) -> None:
    """Goods of a seller order taken back: release held room if unpaid, else uncount them
    from the month the payment counted in (never more than was counted)."""
    hold = db.session.get(QuotaHold, seller_order.id)
    if hold is not None:
        _release_hold(hold, amount)
        return
    e = QuotaEntry
    remaining = db.session.execute(
        sa.select(e.month, e.agency_id, e.category_id, int_sum(e.amount).label("amount"))
        .where(e.seller_order_id == seller_order.id)
        .group_by(e.month, e.agency_id, e.category_id)
        .having(int_sum(e.amount) > 0)
    ).all()
    counted = sum(r.amount for r in remaining)
    amount = min(amount, counted)
    if amount <= 0:
        return
    parts = _split(amount, {(r.month, r.agency_id, r.category_id or 0): r.amount for r in remaining})
    for (month, agency_id, category_id), part in sorted(parts.items()):  # one lock order (see count_payment)
        if part:
            _write_entry(seller_order, month=month, agency_id=agency_id, category_id=category_id,
                         amount=-part, kind=EntryKind.REDUCTION, reason=reason, at=at)
            _add_to_month(seller_order.order.buyer_id, month, counted=-part)
            _refresh_if_frozen(seller_order.order.buyer_id, month)


# --- policies -----------------------------------------------------------------------------------

def _policy_snapshot(policy: QuotaPolicy) -> dict:
    return {
        "name": policy.name,
        "effective_from": policy.effective_from.isoformat() if policy.effective_from else None,
        "applies_to_all": policy.applies_to_all,
        "agency_ids": sorted(a.id for a in policy.agencies),
        "minimum_kind": policy.minimum_kind.value if policy.minimum_kind else None,
        "rank_amounts": {r.echelon.value: r.amount for r in policy.rank_amounts},
        "tpp_basis_points": policy.tpp_basis_points,
        "ceiling_amount": policy.ceiling_amount,
        "agency_target_amount": policy.agency_target_amount,
    }


def _check_policy(minimum_kind: MinimumKind, rank_amounts: dict, tpp_basis_points: int | None,
                  ceiling_amount: int | None, applies_to_all: bool, agency_ids: list[int]) -> None:
    if minimum_kind == MinimumKind.BY_RANK:
        if any(rank_amounts.get(e) is None for e in Echelon):
            raise ValidationFailed(_l("Isi nilai minimum untuk setiap eselon."), field="rank_amounts")
        if ceiling_amount is not None and max(rank_amounts.values()) > ceiling_amount:
            raise ValidationFailed(_l("Batas atas tidak boleh lebih kecil dari minimum eselon mana pun."),
                                   field="ceiling_amount")
    if minimum_kind == MinimumKind.TPP_PERCENT and not (tpp_basis_points and 0 < tpp_basis_points <= 10_000):
        raise ValidationFailed(_l("Persentase TPP harus lebih dari 0 dan paling banyak 100%."),
                               field="tpp_percent")
    if not applies_to_all and not agency_ids:
        raise ValidationFailed(_l("Pilih minimal satu perangkat daerah, atau berlakukan untuk semua ASN."),
                               field="agency_ids")


def save_policy(policy: QuotaPolicy | None, *, actor, name: str, effective_from: date,
                minimum_kind: MinimumKind, rank_amounts: dict, tpp_basis_points: int | None,
                ceiling_amount: int | None, agency_target_amount: int | None, applies_to_all: bool,
                agency_ids: list[int], note: str | None = None) -> QuotaPolicy:
    """Create (policy=None) or edit a policy; the audit row keeps the before and after."""
    _check_policy(minimum_kind, rank_amounts, tpp_basis_points, ceiling_amount, applies_to_all, agency_ids)
    before = _policy_snapshot(policy) if policy else None
    _thaw(min(effective_from, policy.effective_from) if policy else effective_from)
    if policy is None:
        policy = QuotaPolicy(created_by_id=getattr(actor, "id", None))
        db.session.add(policy)
    policy.name = name.strip()
    policy.effective_from = month_start(effective_from)
    policy.minimum_kind = minimum_kind
    policy.tpp_basis_points = tpp_basis_points if minimum_kind == MinimumKind.TPP_PERCENT else None
    policy.ceiling_amount = ceiling_amount
    policy.agency_target_amount = agency_target_amount
    policy.applies_to_all = applies_to_all
    policy.note = (note or "").strip() or None
    policy.agencies = [] if applies_to_all else list(
        db.session.scalars(sa.select(Agency).where(Agency.id.in_(agency_ids))))
    wanted = rank_amounts if minimum_kind == MinimumKind.BY_RANK else {}
    policy.rank_amounts = [QuotaRankAmount(echelon=e, amount=wanted[e]) for e in Echelon if e in wanted]
    db.session.flush()
    record("quotas.policy_created" if before is None else "quotas.policy_updated", actor=actor, obj=policy,
           before=before, after=_policy_snapshot(policy))
    return policy


# --- exemptions ---------------------------------------------------------------------------------

def add_exemption(asn, *, starts_on: date, ends_on: date, reason: ExemptionReason, note: str | None,
                  actor) -> QuotaExemption:
    if ends_on < starts_on:
        raise ValidationFailed(_l("Tanggal selesai tidak boleh sebelum tanggal mulai."), field="ends_on")
    overlapping = db.session.scalar(sa.select(QuotaExemption.id).where(
        QuotaExemption.asn_id == asn.id, QuotaExemption.starts_on <= ends_on, QuotaExemption.ends_on >= starts_on))
    if overlapping:
        raise ValidationFailed(_l("Rentang tanggal ini beririsan dengan pengecualian lain untuk ASN yang sama."),
                               field="starts_on")
    _thaw(starts_on, ends_on)
    exemption = QuotaExemption(asn_id=asn.id, starts_on=starts_on, ends_on=ends_on, reason=reason,
                               note=(note or "").strip() or None, created_by_id=getattr(actor, "id", None))
    db.session.add(exemption)
    db.session.flush()
    record("quotas.exemption_added", actor=actor, obj=exemption, asn_id=asn.id, starts_on=starts_on.isoformat(),
           ends_on=ends_on.isoformat(), reason=reason.value)
    return exemption


def remove_exemption(exemption: QuotaExemption, *, actor) -> None:
    record("quotas.exemption_removed", actor=actor, obj=exemption, asn_id=exemption.asn_id,
           starts_on=exemption.starts_on.isoformat(), ends_on=exemption.ends_on.isoformat(),
           reason=exemption.reason.value)
    _thaw(exemption.starts_on, exemption.ends_on)
    db.session.delete(exemption)


# --- reminders ----------------------------------------------------------------------------------

def send_reminders(month: date, *, after_user_id: int = 0, batch: int = 2000, links: dict) -> tuple[int, int | None]:
    """Mail one batch of ASN below their minimum, at most once per person and month.

    Returns (mails queued, the last user id looked at — None when there is nothing left).
    The reminder row is inserted first: of two runs at once, only the one that inserts mails.
    """
    rows = reports.unreminded_shortfalls(month, after_user_id, batch)
    sent = 0
    for row in rows:
        shortfall = row["minimum"] - row["counted"]
        if not insert_ignore(db.session, QuotaReminder.__table__,
                             {"user_id": row["user_id"], "month": month, "sent_at": utcnow(),
                              "shortfall_amount": shortfall}):
            continue
        user = db.session.get(User, row["user_id"])
        send_mail(user.email, _l("Pengingat belanja UMKM lokal bulan ini"), "quota_reminder", kind="quota_reminder",
                  user=user, month=month, minimum=row["minimum"], counted=row["counted"], **links)
        sent += 1
    return sent, (rows[-1]["user_id"] if rows else None)
