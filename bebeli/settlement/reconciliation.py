"""The monthly reconciliation: the money the gateway took in and gave back, against where
BEBELI says it is, to the rupiah.

    captured − refunded at the gateway (its balance transactions)
      = paid out            transfers sent to shops, less those the bank returned
      + in payout           transfers made (debited) but not yet sent
      + held by shops       the sum of the shops' ledgers, without the agency's net-zero
                            OUTSIDE_* entries (the treasurer paid those directly)
      + platform fees       the FEE entries, positive for the platform
      + in transit          paid personal parts not completed yet: their total less their refunds
      − adjustments         an administrator's credits that no buyer paid for
      − unassigned refunds  money given back for a whole order rather than one shop's part
                            (a payment that arrived after the order ended)

Every term is a SQL aggregate as at an instant; a Jakarta month is its end less its start.
Order by order (by payment intent), what the gateway says is compared with the payment events
BEBELI recorded and with the ledger plus transit; every order where they differ is listed.
"""
from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field, fields
from datetime import date, datetime, time, timezone

import sqlalchemy as sa

from bebeli.dates import JAKARTA, next_month
from bebeli.extensions import db
from bebeli.orders.models import Channel, Order, SellerOrder
from bebeli.payments.gateway import BalanceTransaction, PaymentGateway
from bebeli.payments.models import Payment, PaymentEvent
from bebeli.settlement.models import EntryKind, LedgerEntry, Payout
from bebeli.sqlfuncs import int_sum

OUTSIDE = (EntryKind.OUTSIDE_SALE.value, EntryKind.OUTSIDE_PAID.value)
NOT_REFUNDED = ("failed", "canceled", "manual")  # refunds that moved no money at the gateway


@dataclass(frozen=True)
class Terms:
    captured: int = 0
    refunded: int = 0
    paid_out: int = 0
    in_payout: int = 0
    held: int = 0
    fees: int = 0
    in_transit: int = 0
    adjustments: int = 0
    unassigned_refunds: int = 0
    gateway_fees: int = 0  # what the gateway kept: shown, outside the equation

    @property
    def gateway_net(self) -> int:
        return self.captured - self.refunded

    @property
    def recorded_net(self) -> int:
        return (self.paid_out + self.in_payout + self.held + self.fees + self.in_transit
                - self.adjustments - self.unassigned_refunds)

    @property
    def difference(self) -> int:
        return self.gateway_net - self.recorded_net

    def __sub__(self, other: Terms) -> Terms:
        return Terms(**{f.name: getattr(self, f.name) - getattr(other, f.name) for f in fields(self)})


@dataclass(frozen=True)
class OrderDifference:
    order_id: int | None
    order_number: str | None
    payment_intent: str | None
    gateway_captured: int
    gateway_refunded: int
    recorded_captured: int     # payment events
    recorded_refunded: int
    ledger_net: int            # ledger sale + refunds, plus transit, less unassigned refunds

    @property
    def gateway_net(self) -> int:
        return self.gateway_captured - self.gateway_refunded

    @property
    def difference(self) -> int:
        return self.gateway_net - self.ledger_net


@dataclass
class Report:
    month: date
    start: datetime
    end: datetime
    gateway: str
    month_terms: Terms
    cumulative: Terms
    differences: list[OrderDifference] = field(default_factory=list)

    @property
    def matches(self) -> bool:
        return self.cumulative.difference == 0 and self.month_terms.difference == 0 and not self.differences


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """A Jakarta calendar month as [start, end) in UTC."""
    def at(day: date) -> datetime:
        return datetime.combine(day, time(), JAKARTA).astimezone(timezone.utc)
    return at(month.replace(day=1)), at(next_month(month))


# --- BEBELI's side -------------------------------------------------------------------------------

def _as_of(column, t: datetime, condition=sa.true()):
    return sa.and_(column < t, condition)


def _sum_if(condition, value):
    return sa.func.coalesce(int_sum(sa.case((condition, value), else_=0)), 0)


def _ledger_terms(instants: list[datetime]) -> list[dict]:
    """Held, fees, adjustments, paid out and in payout at each instant: two scans in all."""
    e, kind = LedgerEntry, LedgerEntry.kind
    columns = []
    for t in instants:
        columns += [_sum_if(_as_of(e.at, t, kind.notin_(OUTSIDE)), e.amount),
                    _sum_if(_as_of(e.at, t, kind == EntryKind.FEE.value), -e.amount),
                    _sum_if(_as_of(e.at, t, kind == EntryKind.ADJUSTMENT.value), e.amount),
                    _sum_if(_as_of(e.at, t, kind == EntryKind.PAYOUT_RETURNED.value), e.amount)]
    row = db.session.execute(sa.select(*columns).where(e.at < max(instants))).one()
    sent_columns = []
    for t in instants:
        sent = sa.and_(Payout.id.is_not(None), sa.or_(sa.and_(Payout.paid_at.is_not(None), Payout.paid_at < t),
                                                      sa.and_(Payout.returned_at.is_not(None), Payout.returned_at < t)))
        sent_columns += [_sum_if(_as_of(e.at, t, sent), -e.amount), _sum_if(_as_of(e.at, t, sa.not_(sent)), -e.amount)]
    sent_row = db.session.execute(sa.select(*sent_columns).select_from(e).outerjoin(Payout, Payout.id == e.payout_id)
                                  .where(kind == EntryKind.PAYOUT.value, e.at < max(instants))).one()
    result = []
    for i, _ in enumerate(instants):
        held, fees, adjustments, returned = (int(v) for v in row[4 * i:4 * i + 4])
        sent, pending = (int(v) for v in sent_row[2 * i:2 * i + 2])
        result.append({"held": held, "fees": fees, "adjustments": adjustments,
                       "paid_out": sent - returned, "in_payout": pending})
    return result


def _per_order(t: datetime):
    """One row per personal order that took money before `t`: its payment events, its ledger
    (sales and refunds), its parts in transit and its refunds not charged to a part."""
    ev = PaymentEvent
    live_refund = sa.and_(ev.kind == "refund", ev.status.notin_(NOT_REFUNDED))
    money = sa.union(
        sa.select(ev.order_id.label("order_id")).where(ev.kind == "captured", ev.created_at < t),
        sa.select(Order.id.label("order_id")).where(Order.paid_at < t),
    ).subquery()
    orders = (sa.select(Order.id.label("order_id")).join(money, money.c.order_id == Order.id)
              .where(Order.channel == Channel.PERSONAL).subquery())
    events = (sa.select(ev.order_id,
                        _sum_if(ev.kind == "captured", ev.amount).label("captured"),
                        _sum_if(live_refund, ev.amount).label("refunded"),
                        _sum_if(sa.and_(live_refund, ev.seller_order_id.is_(None)), ev.amount).label("unassigned"))
              .where(ev.created_at < t).group_by(ev.order_id).subquery())
    part_refunds = (sa.select(ev.seller_order_id, int_sum(ev.amount).label("amount"))
                    .where(live_refund, ev.created_at < t, ev.seller_order_id.is_not(None))
                    .group_by(ev.seller_order_id).subquery())
    credited = sa.exists().where(LedgerEntry.seller_order_id == SellerOrder.id,
                                 LedgerEntry.kind == EntryKind.SALE.value, LedgerEntry.at < t)
    transit = (sa.select(SellerOrder.order_id,
                         int_sum(SellerOrder.total_amount - sa.func.coalesce(part_refunds.c.amount, 0)).label("amount"))
               .join(orders, orders.c.order_id == SellerOrder.order_id)
               .outerjoin(part_refunds, part_refunds.c.seller_order_id == SellerOrder.id)
               .where(~credited).group_by(SellerOrder.order_id).subquery())
    ledger = (sa.select(LedgerEntry.order_id, int_sum(LedgerEntry.amount).label("amount"))
              .where(LedgerEntry.kind.in_((EntryKind.SALE.value, EntryKind.REFUND.value)), LedgerEntry.at < t,
                     LedgerEntry.order_id.is_not(None))
              .group_by(LedgerEntry.order_id).subquery())
    zero = sa.literal(0)
    return (sa.select(orders.c.order_id,
                      sa.func.coalesce(events.c.captured, zero).label("captured"),
                      sa.func.coalesce(events.c.refunded, zero).label("refunded"),
                      sa.func.coalesce(events.c.unassigned, zero).label("unassigned"),
                      sa.func.coalesce(transit.c.amount, zero).label("transit"),
                      sa.func.coalesce(ledger.c.amount, zero).label("ledger"))
            .outerjoin(events, events.c.order_id == orders.c.order_id)
            .outerjoin(transit, transit.c.order_id == orders.c.order_id)
            .outerjoin(ledger, ledger.c.order_id == orders.c.order_id)).subquery()


def _transit_terms(t: datetime) -> dict:
    rows = _per_order(t)
    transit, unassigned = db.session.execute(
        sa.select(sa.func.coalesce(int_sum(rows.c.transit), 0), sa.func.coalesce(int_sum(rows.c.unassigned), 0))).one()
    return {"in_transit": int(transit), "unassigned_refunds": int(unassigned)}


# --- the gateway's side --------------------------------------------------------------------------

def _gateway_terms(items: list[BalanceTransaction]) -> dict:
    return {"captured": sum(i.amount for i in items if i.type == "charge"),
            "refunded": -sum(i.amount for i in items if i.type == "refund"),
            "gateway_fees": sum(i.fee for i in items)}


def _by_intent(items: list[BalanceTransaction]) -> dict[str | None, list[int]]:
    sums: dict[str | None, list[int]] = defaultdict(lambda: [0, 0])
    for item in items:
        sums[item.payment_intent][0 if item.type == "charge" else 1] += abs(item.amount)
    return sums


# --- the report ----------------------------------------------------------------------------------

def order_differences(end: datetime, items: list[BalanceTransaction]) -> list[OrderDifference]:
    """Every order whose gateway money, payment events and ledger do not agree as at `end`."""
    gateway = _by_intent(items)
    rows = _per_order(end)
    found = []
    for order_id, number, intent, captured, refunded, unassigned, transit, ledger in db.session.execute(
            sa.select(rows.c.order_id, Order.number, Order.payment_reference, rows.c.captured, rows.c.refunded,
                      rows.c.unassigned, rows.c.transit, rows.c.ledger)
            .join(Order, Order.id == rows.c.order_id).order_by(rows.c.order_id)):
        g_captured, g_refunded = gateway.pop(intent, (0, 0)) if intent else (0, 0)
        row = OrderDifference(order_id, number, intent, g_captured, g_refunded, int(captured), int(refunded),
                              int(ledger) + int(transit) - int(unassigned))
        if (g_captured, g_refunded) != (row.recorded_captured, row.recorded_refunded) or row.difference \
                or row.recorded_captured - row.recorded_refunded != row.ledger_net:
            found.append(row)
    known = _orders_of_intents([i for i in gateway if i])
    for intent, (g_captured, g_refunded) in sorted(gateway.items(), key=lambda kv: kv[0] or ""):
        order_id, number = known.get(intent, (None, None))
        found.append(OrderDifference(order_id, number, intent, g_captured, g_refunded, 0, 0, 0))
    return found


def _orders_of_intents(intents: list[str]) -> dict[str, tuple[int, str]]:
    """Orders BEBELI does not count as paid, for payment intents the gateway has money for."""
    found: dict[str, tuple[int, str]] = {}
    for chunk in (intents[i:i + 500] for i in range(0, len(intents), 500)):
        for intent, order_id, number in db.session.execute(
                sa.select(Payment.payment_intent_id, Order.id, Order.number).join(Order, Order.id == Payment.order_id)
                .where(Payment.payment_intent_id.in_(chunk))):
            found[intent] = (order_id, number)
        for intent, order_id, number in db.session.execute(
                sa.select(Order.payment_reference, Order.id, Order.number).where(Order.payment_reference.in_(chunk))):
            found[intent] = (order_id, number)
    return found


def reconcile(month: date, gateway: PaymentGateway) -> Report:
    start, end = month_bounds(month)
    items = gateway.balance_transactions(None, end)
    before, after = _ledger_terms([start, end])
    cumulative = Terms(**_gateway_terms(items), **after, **_transit_terms(end))
    opening = Terms(**_gateway_terms([i for i in items if i.created < start]), **before, **_transit_terms(start))
    return Report(month=month, start=start, end=end, gateway=gateway.label, month_terms=cumulative - opening,
                  cumulative=cumulative, differences=order_differences(end, items))


# --- the CSV an auditor takes away ---------------------------------------------------------------

def to_csv(report: Report, term_labels: list[tuple[str, str]], columns: list[str], headers: list[str]) -> str:
    """The terms (this month, and up to its end) and then the orders that differ."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for name, label in term_labels:
        writer.writerow([label, getattr(report.month_terms, name), getattr(report.cumulative, name)])
    writer.writerow([])
    writer.writerow(headers)
    for row in report.differences:
        writer.writerow([row.order_number or "", row.payment_intent or "", row.gateway_captured, row.gateway_refunded,
                         row.recorded_captured, row.recorded_refunded, row.ledger_net, row.difference])
    return out.getvalue()
