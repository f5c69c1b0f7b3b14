"""Writing the ledger: `post` appends one entry once, and the entries the order lifecycle causes.

    a personal seller order completes  → SALE (what the buyer paid for the part), FEE (the
                                         frozen rate on the goods kept), REFUND for money already
                                         given back for the part (items refused at receipt)
    money given back after that        → REFUND
    the agency's treasurer pays        → OUTSIDE_SALE and OUTSIDE_PAID (income shown, never paid out)
    a payout batch is made             → PAYOUT per payout (`post_payouts`, set-based)
    money given back on a paid agency part → OUTSIDE_SALE − and OUTSIDE_PAID + (the shop
                                         returns it to the treasurer itself: income shown less)

A seller order may be held (`hold`, `release`): while it is, none of its entries counts as
available, whatever its `available_at` (`pending_clause`).

Each entry's key names its cause ("sale:<seller order>", "refund:<payment event>", …), so
however often a cause is reported it is written once. All run inside the caller's transaction.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from bebeli.audit.services import record
from bebeli.db import UTCDateTime, utcnow
from bebeli.errors import ValidationFailed
from bebeli.extensions import db
from bebeli.money import percent_of
from bebeli.orders.models import Channel, FulfilmentStatus, SellerOrder
from bebeli.payments.models import PaymentEvent
from bebeli.sqlfuncs import insert_ignore, int_sum, upsert_add
from bebeli.settlement.models import EntryKind, LedgerEntry, SettlementHold, ShopBalance


def post(shop_id: int, kind: EntryKind, amount: int, *, key: str, at: datetime | None = None,
         available_at: datetime | None = None, order_id: int | None = None, seller_order_id: int | None = None,
         payout_id: int | None = None, note: str | None = None, actor=None) -> bool:
    """Append one entry unless an entry with `key` exists; the shop's balance moves with it.
    True when this call wrote it."""
    if amount == 0:
        return False
    at = at or utcnow()
    written = insert_ignore(db.session, LedgerEntry.__table__, {
        "shop_id": shop_id, "kind": EntryKind(kind).value, "amount": amount, "key": key[:80], "at": at,
        "available_at": available_at or at, "order_id": order_id, "seller_order_id": seller_order_id,
        "payout_id": payout_id, "note": note, "actor_id": getattr(actor, "id", None),
    })
    if written:
        upsert_add(db.session, ShopBalance.__table__, {"shop_id": shop_id},
                   {"balance_amount": amount, "entry_count": 1})
    return written


def post_payouts(batch_id: int, *, at: datetime, note: str, actor_id: int | None = None) -> None:
    """The PAYOUT entry ("payout:<id>", −amount) of every payout of a new batch, and each shop's
    balance moved with it: two statements however many shops (the keys are new by construction).
    The caller holds the shops' balance rows locked."""
    from bebeli.settlement.models import Payout

    payouts = sa.select(Payout.shop_id, sa.literal(EntryKind.PAYOUT.value), -Payout.amount,
                        sa.literal("payout:") + sa.cast(Payout.id, sa.String), sa.literal(at, UTCDateTime()),
                        sa.literal(at, UTCDateTime()), Payout.id, sa.literal(note), sa.literal(actor_id, sa.Integer())
                        ).where(Payout.batch_id == batch_id)
    db.session.execute(sa.insert(LedgerEntry).from_select(
        ["shop_id", "kind", "amount", "key", "at", "available_at", "payout_id", "note", "actor_id"], payouts))
    db.session.execute(
        sa.update(ShopBalance).where(ShopBalance.shop_id == Payout.shop_id, Payout.batch_id == batch_id)
        .values(balance_amount=ShopBalance.balance_amount - Payout.amount, entry_count=ShopBalance.entry_count + 1)
        .execution_options(synchronize_session=False))


def fee_amount(so: SellerOrder) -> int:
    """The platform's fee on the goods the buyer kept, at each line's frozen rate."""
    return sum(percent_of(line.unit_price_amount * (line.quantity - line.rejected_quantity), line.platform_fee_bp)
               for line in so.lines)


def credit_sale(so: SellerOrder, *, at: datetime | None = None) -> None:
    """A personal seller order completed: the shop is owed what the buyer paid for it, less the
    fee and what was already given back, available after the hold period."""
    if so.order.channel != Channel.PERSONAL:
        return  # agency purchases are paid by the treasurer (`record_outside_payment`)
    at = at or utcnow()
    available = at + timedelta(days=current_app.config["SETTLEMENT_HOLD_DAYS"])
    common = {"order_id": so.order_id, "seller_order_id": so.id, "at": at, "note": so.number}
    if not post(so.shop_id, EntryKind.SALE, so.total_amount, key=f"sale:{so.id}", available_at=available, **common):
        return  # credited already
    post(so.shop_id, EntryKind.FEE, -fee_amount(so), key=f"fee:{so.id}", available_at=available, **common)
    for event in db.session.scalars(sa.select(PaymentEvent).where(
            PaymentEvent.seller_order_id == so.id, PaymentEvent.kind == "refund").order_by(PaymentEvent.id)):
        debit_refund(so, event, at=at)


def debit_refund(so: SellerOrder, event: PaymentEvent, *, at: datetime | None = None) -> None:
    """Money given back to the buyer for `so`'s part: debited once the sale is on the ledger
    (before that, `credit_sale` debits it with the sale). Past a payout, the balance goes
    negative and the next payout nets it. On an agency part the treasurer paid, the shop owes
    it back to the agency directly: its income shown is less, its balance unchanged."""
    if so.order.channel == Channel.AGENCY:
        if _paid_outside(so):
            common = {"order_id": so.order_id, "seller_order_id": so.id, "at": at, "note": event.reason}
            post(so.shop_id, EntryKind.OUTSIDE_SALE, -event.amount, key=f"outside-refund:{event.id}", **common)
            post(so.shop_id, EntryKind.OUTSIDE_PAID, event.amount, key=f"outside-refunded:{event.id}", **common)
        return
    if not _credited(so):
        return
    post(so.shop_id, EntryKind.REFUND, -event.amount, key=f"refund:{event.id}", at=at, order_id=so.order_id,
         seller_order_id=so.id, note=event.reason)


def _credited(so: SellerOrder) -> bool:
    return db.session.scalar(sa.select(LedgerEntry.id).where(LedgerEntry.key == f"sale:{so.id}")) is not None


def _paid_outside(so: SellerOrder) -> bool:
    return db.session.scalar(sa.select(LedgerEntry.id).where(
        LedgerEntry.seller_order_id == so.id, LedgerEntry.kind == EntryKind.OUTSIDE_SALE).limit(1)) is not None


def hold(so: SellerOrder, *, reason: str) -> None:
    """Keep every entry of `so` (written already or later) from being paid out until `release`."""
    insert_ignore(db.session, SettlementHold.__table__, {"seller_order_id": so.id, "shop_id": so.shop_id,
                                                         "reason": reason, "since": utcnow()})


def release(so: SellerOrder) -> None:
    db.session.execute(sa.delete(SettlementHold).where(SettlementHold.seller_order_id == so.id))


def is_held(so: SellerOrder) -> bool:
    return db.session.get(SettlementHold, so.id) is not None


def pending_clause(now: datetime):
    """Entries not available at `now`: inside their hold period, or of a held seller order."""
    return sa.or_(LedgerEntry.available_at > now,
                  LedgerEntry.seller_order_id.in_(sa.select(SettlementHold.seller_order_id)))


def record_outside_payment(so: SellerOrder, payment_id: int, amount: int, *, reference: str,
                           at: datetime | None = None) -> None:
    """The agency's treasurer paid the shop directly: income on the statement, nothing to pay out."""
    common = {"order_id": so.order_id, "seller_order_id": so.id, "at": at, "note": reference}
    post(so.shop_id, EntryKind.OUTSIDE_SALE, amount, key=f"outside:{payment_id}", **common)
    post(so.shop_id, EntryKind.OUTSIDE_PAID, -amount, key=f"outside-paid:{payment_id}", **common)


def on_seller_order_transitioned(seller_order, from_status, to_status, **_) -> None:
    """The receiver of `seller_order_transitioned`: a completed part is credited."""
    if to_status == FulfilmentStatus.COMPLETED:
        credit_sale(seller_order)


def adjust(shop_id: int, amount: int, *, reason: str, actor) -> None:
    """An administrator's correction (± rupiah, with the reason), available at once, audited."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_l("Tuliskan alasan penyesuaian."), field="reason")
    if amount == 0:
        raise ValidationFailed(_l("Jumlah penyesuaian tidak boleh nol."), field="amount")
    post(shop_id, EntryKind.ADJUSTMENT, amount, key=f"adjustment:{secrets.token_hex(12)}", note=reason, actor=actor)
    record("settlement.adjusted", actor=actor, object_type="shop", object_id=shop_id, amount=amount, reason=reason)


# --- reading ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Balance:
    total_amount: int       # the sum of every entry
    available_amount: int   # of which past its hold

    @property
    def pending_amount(self) -> int:
        return self.total_amount - self.available_amount


def balance_of(shop_id: int, now: datetime | None = None) -> Balance:
    now = now or utcnow()
    total = db.session.scalar(sa.select(ShopBalance.balance_amount).where(ShopBalance.shop_id == shop_id)) or 0
    pending = db.session.scalar(
        sa.select(int_sum(LedgerEntry.amount)).where(LedgerEntry.shop_id == shop_id, pending_clause(now))
    ) or 0
    return Balance(total_amount=total, available_amount=total - pending)
