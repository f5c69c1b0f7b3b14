"""Payouts: the available balances sent to the shops' verified bank accounts, in batches.

    create_batch        every shop whose available balance (negative entries included, so a
                        refund after an earlier payout is netted) reaches PAYOUT_MINIMUM_AMOUNT
                        gets one Payout and a PAYOUT entry ("payout:<id>") in one transaction;
                        shops not verified or without complete bank details are skipped and listed
    create_scheduled_batch   the same, once per period of the schedule (period_key unique:
                        two servers or two runs make one batch)
    pay_shop_now        an administrator pays one shop at once (a batch of one)
    mark_paid / mark_returned   the administrator records what the bank did; a returned
                        transfer puts the money back on the balance ("payout-returned:<id>")

Entries of a held seller order (an open complaint, `ledger.hold`) count as pending whatever
their `available_at`, so they wait for the complaint's end.

A refund racing a payout: each shop's ShopBalance row is locked (SELECT … FOR UPDATE) before
its available balance is read, and `ledger.post` moves that same row with every entry, so a
refund either commits before the payout reads the balance or waits until the payout is written
(then the balance goes negative and the next payout nets it). Refunded money is never sent.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import lazy_gettext as _l

from bebeli.audit.services import record
from bebeli.dates import jakarta_today, to_jakarta
from bebeli.db import UTCDateTime, utcnow
from bebeli.errors import Conflict, ValidationFailed
from bebeli.extensions import db
from bebeli.money import rupiah
from bebeli.notifications.services import notify, request_context
from bebeli.sellers.models import Shop, ShopStatus
from bebeli.settlement import ledger
from bebeli.settlement.banks import bank_code
from bebeli.settlement.models import (BatchStatus, EntryKind, LedgerEntry, Payout, PayoutBatch, PayoutStatus,
                                      ShopBalance)
from bebeli.sqlfuncs import insert_ignore, int_sum

LOCK_CHUNK = 1_000  # shops locked and re-read per statement


# --- the schedule ----------------------------------------------------------------------------

def period_of(day: date) -> str:
    """The schedule's period `day` (a Jakarta date) falls in: "2026-W49", or the day itself."""
    if current_app.config["PAYOUT_SCHEDULE"] == "daily":
        return day.isoformat()
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def period_key_for(day: date) -> str | None:
    """The period `day` opens when it is the payout day, else None."""
    if current_app.config["PAYOUT_SCHEDULE"] != "daily" and day.weekday() != current_app.config["PAYOUT_WEEKDAY"] % 7:
        return None
    return period_of(day)


def next_payout_date(today: date | None = None) -> date:
    """The next day a scheduled batch is made: today when today is one and its batch is not made
    yet, otherwise the next payout day after today."""
    today = today or jakarta_today()
    day = today
    while period_key_for(day) is None or (day == today and _made(period_key_for(day))):
        day += timedelta(days=1)
    return day


def _made(period_key: str) -> bool:
    return db.session.scalar(sa.select(PayoutBatch.id).where(PayoutBatch.period_key == period_key)) is not None


# --- who may be paid, and how much -------------------------------------------------------------

def _filled(column):
    return sa.func.length(sa.func.trim(sa.func.coalesce(column, ""))) > 0


def payable_clause():
    """A shop a payout may go to: verified, with its complete bank details (those of its
    verification: changing them afterwards is blocked)."""
    return sa.and_(Shop.status == ShopStatus.VERIFIED, _filled(Shop.bank_name), _filled(Shop.bank_account_number),
                   _filled(Shop.bank_account_name))


def can_receive_payout(shop: Shop) -> bool:
    return shop.status == ShopStatus.VERIFIED and all(
        (value or "").strip() for value in (shop.bank_name, shop.bank_account_number, shop.bank_account_name))


def _pending(now: datetime, shop_ids=None):
    pending = sa.select(LedgerEntry.shop_id, int_sum(LedgerEntry.amount).label("amount")) \
        .where(ledger.pending_clause(now))
    if shop_ids is not None:
        pending = pending.where(LedgerEntry.shop_id.in_(shop_ids))
    return pending.group_by(LedgerEntry.shop_id).subquery()


def available_amounts(now: datetime, shop_ids=None):
    """(available amount column, select of the shop id and that amount over ShopBalance joined
    to its Shop and its pending sum; add columns with `add_columns`): available = the balance
    less the entries still inside their hold, negative entries included."""
    pending = _pending(now, shop_ids)
    available = (ShopBalance.balance_amount - sa.func.coalesce(pending.c.amount, 0)).label("available")
    stmt = (sa.select(ShopBalance.shop_id, available)
            .select_from(ShopBalance).join(Shop, Shop.id == ShopBalance.shop_id)
            .outerjoin(pending, pending.c.shop_id == ShopBalance.shop_id))
    if shop_ids is not None:
        stmt = stmt.where(ShopBalance.shop_id.in_(shop_ids))
    return available, stmt


def available_by_shop(shop_ids: list[int], now: datetime | None = None) -> dict[int, int]:
    available, stmt = available_amounts(now or utcnow(), shop_ids)
    return dict(db.session.execute(stmt).all())


@dataclass
class BatchResult:
    batch: PayoutBatch | None
    skipped: list[Shop] = field(default_factory=list)   # balance enough, but not payable


def _new_number(now: datetime) -> str:
    return f"BYR-{to_jakarta(now):%y%m%d}-{secrets.token_hex(3).upper()}"


def _lock_balances(shop_ids: list[int]) -> None:
    """Lock the balance rows in shop order (never two jobs waiting on each other)."""
    for start in range(0, len(shop_ids), LOCK_CHUNK):
        chunk = shop_ids[start:start + LOCK_CHUNK]
        db.session.execute(sa.select(ShopBalance.shop_id).where(ShopBalance.shop_id.in_(chunk))
                           .order_by(ShopBalance.shop_id).with_for_update())


def create_batch(*, period_key: str | None = None, actor=None, now: datetime | None = None,
                 minimum: int | None = None) -> BatchResult:
    """Pay every payable shop whose available balance reaches the minimum. With `period_key`,
    at most one batch per period: a second call (another server, a rerun) returns batch None.
    Runs in the caller's transaction; the caller commits."""
    now = now or utcnow()
    minimum = max(1, current_app.config["PAYOUT_MINIMUM_AMOUNT"] if minimum is None else minimum)
    if period_key is not None:
        if not insert_ignore(db.session, PayoutBatch.__table__, {
                "number": f"BYR-{period_key}", "period_key": period_key, "status": BatchStatus.OPEN.value,
                "total_amount": 0, "payout_count": 0, "created_by_id": getattr(actor, "id", None),
                "created_at": now, "updated_at": now}):
            return BatchResult(None)
        batch = db.session.scalar(sa.select(PayoutBatch).where(PayoutBatch.period_key == period_key))
    else:
        batch = PayoutBatch(number=_new_number(now), created_by_id=getattr(actor, "id", None))
        db.session.add(batch)
        db.session.flush()
    available, stmt = available_amounts(now)
    rows = db.session.execute(stmt.add_columns(payable_clause().label("payable"))
                              .where(available >= minimum).order_by(ShopBalance.shop_id)).all()
    skipped_ids = [r.shop_id for r in rows if not r.payable]
    payable = [r.shop_id for r in rows if r.payable]
    _lock_balances(payable)
    _write_payouts(batch, payable, minimum, actor, now)
    skipped = list(db.session.scalars(sa.select(Shop).where(Shop.id.in_(skipped_ids)).order_by(Shop.name))) \
        if skipped_ids else []
    record("settlement.batch_created", actor=actor, obj=batch, period=period_key, payouts=batch.payout_count,
           total=batch.total_amount, skipped=[s.id for s in skipped] or None)
    return BatchResult(batch, skipped)


def _write_payouts(batch: PayoutBatch, shop_ids: list[int], minimum: int, actor, now: datetime) -> None:
    """One Payout and one PAYOUT entry for each of the (locked) shops whose available balance,
    read again now that refunds which committed while we waited count, still reaches `minimum`:
    INSERT … SELECT, a few statements for any number of shops."""
    prefix = f"BYR{batch.id:06d}S"
    names = ["batch_id", "shop_id", "amount", "bank_name", "account_number", "account_name", "reference", "status",
             "created_at", "updated_at"]
    for start in range(0, len(shop_ids), LOCK_CHUNK):
        chunk = shop_ids[start:start + LOCK_CHUNK]
        available, rows = available_amounts(now, chunk)
        rows = rows.with_only_columns(
            sa.literal(batch.id), ShopBalance.shop_id, available, sa.func.trim(Shop.bank_name),
            sa.func.trim(Shop.bank_account_number), sa.func.trim(Shop.bank_account_name),
            sa.literal(prefix) + sa.cast(ShopBalance.shop_id, sa.String), sa.literal(PayoutStatus.PENDING.value),
            sa.literal(now, UTCDateTime()), sa.literal(now, UTCDateTime()), maintain_column_froms=False)
        db.session.execute(sa.insert(Payout).from_select(names, rows.where(available >= minimum, payable_clause())
                                                          .order_by(ShopBalance.shop_id)))
    _set_bank_codes(batch)
    ledger.post_payouts(batch.id, at=now, note=batch.number, actor_id=getattr(actor, "id", None))
    count, total = db.session.execute(sa.select(sa.func.count(Payout.id), int_sum(Payout.amount))
                                      .where(Payout.batch_id == batch.id)).one()
    batch.payout_count, batch.total_amount = count, total or 0
    batch.status = BatchStatus.OPEN if count else BatchStatus.CLOSED
    db.session.flush()


def _set_bank_codes(batch: PayoutBatch) -> None:
    """The clearing code of each bank name in the batch (a handful of names, however many shops)."""
    by_code: dict[str, list[str]] = {}
    for name in db.session.scalars(sa.select(Payout.bank_name).where(Payout.batch_id == batch.id).distinct()):
        code = bank_code(name)
        if code:
            by_code.setdefault(code, []).append(name)
    for code, names in by_code.items():
        db.session.execute(sa.update(Payout).where(Payout.batch_id == batch.id, Payout.bank_name.in_(names))
                           .values(bank_code=code).execution_options(synchronize_session=False))


def create_scheduled_batch(*, now: datetime | None = None, actor=None) -> BatchResult | None:
    """The scheduled job's batch: None when today opens no period (not the payout day)."""
    now = now or utcnow()
    key = period_key_for(jakarta_today(now))
    return None if key is None else create_batch(period_key=key, actor=actor, now=now)


def pay_shop_now(shop: Shop, *, actor, now: datetime | None = None) -> Payout:
    """A batch of one: the shop's whole available balance, whatever the minimum."""
    now = now or utcnow()
    if not can_receive_payout(shop):
        raise ValidationFailed(_l("Toko belum terverifikasi atau data rekeningnya belum lengkap."))
    _lock_balances([shop.id])
    batch = PayoutBatch(number=_new_number(now), created_by_id=actor.id)
    db.session.add(batch)
    db.session.flush()
    _write_payouts(batch, [shop.id], 1, actor, now)
    if not batch.payout_count:
        raise Conflict(_l("Toko ini tidak punya saldo tersedia untuk dicairkan."))
    record("settlement.shop_paid_now", actor=actor, obj=batch, shop_id=shop.id, amount=batch.total_amount)
    return batch.payouts[0]


# --- what the bank did ------------------------------------------------------------------------

def _move(payout: Payout, allowed: tuple[PayoutStatus, ...], **values) -> None:
    """Change a payout's status only from `allowed` (one statement: two admins marking the same
    transfer at once change it once)."""
    moved = db.session.execute(sa.update(Payout).where(Payout.id == payout.id, Payout.status.in_(allowed))
                               .values(**values).execution_options(synchronize_session=False)).rowcount
    if not moved:
        raise Conflict(_l("Transfer ini sudah ditandai; muat ulang halaman."))
    db.session.refresh(payout)


def _close_if_done(batch: PayoutBatch) -> None:
    pending = sa.select(Payout.id).where(Payout.batch_id == batch.id, Payout.status == PayoutStatus.PENDING).exists()
    db.session.execute(sa.update(PayoutBatch).where(PayoutBatch.id == batch.id, ~pending)
                       .values(status=BatchStatus.CLOSED, updated_at=utcnow())
                       .execution_options(synchronize_session=False))
    db.session.refresh(batch)


def mark_paid(payout: Payout, *, bank_reference: str, actor, now: datetime | None = None) -> None:
    bank_reference = (bank_reference or "").strip()
    if not bank_reference:
        raise ValidationFailed(_l("Isi nomor referensi dari bank."), field="bank_reference")
    now = now or utcnow()
    _move(payout, (PayoutStatus.PENDING,), status=PayoutStatus.PAID, bank_reference=bank_reference[:80],
          paid_at=now, marked_by_id=actor.id, updated_at=now)
    record("settlement.payout_paid", actor=actor, obj=payout, shop_id=payout.shop_id, amount=payout.amount,
           bank_reference=payout.bank_reference)
    _close_if_done(payout.batch)
    _tell_seller(payout, _l("Dana %(amount)s sudah ditransfer ke rekening %(bank)s %(account)s (ref. %(ref)s).",
                            amount=rupiah(payout.amount), bank=payout.bank_name, account=payout.account_number,
                            ref=payout.bank_reference), _l("Dana penjualan ditransfer"))


def mark_returned(payout: Payout, *, reason: str, actor, now: datetime | None = None) -> None:
    """The bank sent the transfer back (before or after it was marked paid): the amount is on
    the shop's balance again, for the next payout once the account is put right."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_l("Tuliskan alasan pengembalian dari bank."), field="reason")
    now = now or utcnow()
    _move(payout, (PayoutStatus.PENDING, PayoutStatus.PAID), status=PayoutStatus.RETURNED, returned_at=now,
          return_reason=reason, marked_by_id=actor.id, updated_at=now)
    ledger.post(payout.shop_id, EntryKind.PAYOUT_RETURNED, payout.amount, key=f"payout-returned:{payout.id}",
                at=now, payout_id=payout.id, note=reason, actor=actor)
    record("settlement.payout_returned", actor=actor, obj=payout, shop_id=payout.shop_id, amount=payout.amount,
           reason=reason)
    _close_if_done(payout.batch)
    _tell_seller(payout, _l("Transfer %(amount)s ke rekening %(bank)s %(account)s dikembalikan oleh bank: "
                            "%(reason)s. Dana kembali ke saldo Anda; periksa data rekening Anda.",
                            amount=rupiah(payout.amount), bank=payout.bank_name, account=payout.account_number,
                            reason=reason), _l("Transfer dana dikembalikan bank"))


def _tell_seller(payout: Payout, message, subject) -> None:
    with request_context():
        link = url_for("settlement.balance", shop_id=payout.shop_id)
        notify(payout.shop.owner, str(message), subject=str(subject), link=link, kind="payout")


# --- reading ----------------------------------------------------------------------------------

def batches():
    return sa.select(PayoutBatch).order_by(PayoutBatch.created_at.desc(), PayoutBatch.id.desc())


def returned_payouts():
    return sa.select(Payout).where(Payout.status == PayoutStatus.RETURNED).order_by(Payout.returned_at.desc(),
                                                                                   Payout.id.desc())


def largest_balances():
    return sa.select(ShopBalance).where(ShopBalance.balance_amount != 0) \
        .order_by(ShopBalance.balance_amount.desc(), ShopBalance.shop_id)


def payouts_of_shop(shop_id: int):
    return sa.select(Payout).where(Payout.shop_id == shop_id).order_by(Payout.id.desc())
