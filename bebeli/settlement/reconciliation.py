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

Every term is a SQL aggregate as at an instant (a few scans of each table, both instants at
once); a Jakarta month is its end less its start. When the totals leave anything to explain —
the equation does not hold, or the gateway's captured or refunded money differs from the
payment events' — every order is compared in one grouped pass: what the gateway says for its
payment intent, the payment events BEBELI recorded, and its ledger entries plus transit; each
order where they differ is listed. (Money moved near midnight at a month's end may fall in
different months at the gateway and here: such a difference cancels in the next month.)
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field, fields
from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm

from bebeli.dates import month_bounds_utc
from bebeli.db import UTCDateTime
from bebeli.extensions import db
from bebeli.orders.models import Channel, Order, SellerOrder
from bebeli.payments.gateway import PaymentGateway
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
        """The gateway's net less what the ledger (and transit) accounts for."""
        return self.gateway_net - self.ledger_net

    @property
    def records_difference(self) -> int:
        """The gateway's net less what the payment events recorded."""
        return self.gateway_net - (self.recorded_captured - self.recorded_refunded)


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
                    _sum_if(_as_of(e.at, t, kind == EntryKind.PAYOUT_RETURNED.value), e.amount),
                    _sum_if(_as_of(e.at, t, kind.in_((EntryKind.SALE.value, EntryKind.REFUND.value))), e.amount)]
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
        held, fees, adjustments, returned, sales = (int(v) for v in row[5 * i:5 * i + 5])
        sent, pending = (int(v) for v in sent_row[2 * i:2 * i + 2])
        result.append({"held": held, "fees": fees, "adjustments": adjustments,
                       "paid_out": sent - returned, "in_payout": pending, "sales": sales})
    return result


# One row per order (or per payment intent the gateway has that no order carries), each
# figure as at the month's start (_s) and end (_e): gateway captured / refunded / fees, payment
# events captured / refunded / refunded for no part, ledger sales and refunds, parts in transit.
FIGURES = ("g_c", "g_r", "g_f", "e_c", "e_r", "e_u", "l", "t")
COLUMNS = [f"{name}_{at}" for name in FIGURES for at in "se"]

_SCRATCH = sa.MetaData()
GATEWAY_ROWS = sa.Table(  # Stripe's balance transactions, for the length of one report
    "reconciliation_gateway_rows", _SCRATCH, sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("type", sa.String(20)), sa.Column("amount", sa.BigInteger), sa.Column("fee", sa.BigInteger),
    sa.Column("payment_intent", sa.String(255)), sa.Column("source", sa.String(255)),
    sa.Column("order_id", sa.Integer), sa.Column("created", UTCDateTime()), prefixes=["TEMPORARY"])


def _contribution(query, order_id, orphan=None, **figures):
    """A select of (order_id, orphan, every figure) summing the given figures, zero for the rest;
    grouped by order when `order_id` is given, else one row of totals."""
    zero, no_text = sa.literal(0, sa.BigInteger), sa.cast(sa.null(), sa.String(255))
    if order_id is None:
        order_id, orphan = sa.cast(sa.null(), sa.Integer), None
    else:
        query = query.group_by(order_id, *([orphan] if orphan is not None else []))
    columns = [order_id.label("order_id"), (orphan if orphan is not None else no_text).label("orphan")]
    columns += [sa.func.coalesce(int_sum(figures[c]), zero).label(c) if c in figures else zero.label(c)
                for c in COLUMNS]
    return query.with_only_columns(*columns)


def _at_both(start, end, column, condition, value, name):
    """Figures name_s and name_e: `value` summed where `condition` holds before each instant."""
    return {f"{name}_{at}": sa.case((sa.and_(condition, column < t), value), else_=0)
            for at, t in (("s", start), ("e", end))}


def _figures(source, start: datetime, end: datetime, by_order: bool):
    """Every figure as a union of one select per source of money (grouped by order, or totals)."""
    ev, so, le = PaymentEvent, SellerOrder, LedgerEntry
    live_refund = sa.and_(ev.kind == "refund", ev.status.notin_(NOT_REFUNDED))
    if by_order:  # the gateway's money, by the order it names or whose payment reference is its intent
        matched = sa.orm.aliased(Order)
        source = (sa.select(sa.func.coalesce(source.c.order_id, matched.id).label("order_id"), source.c.payment_intent,
                            source.c.type, source.c.amount, source.c.fee, source.c.created)
                  .select_from(source).outerjoin(matched, sa.and_(source.c.order_id.is_(None),
                                                                  matched.payment_reference == source.c.payment_intent))
                  .subquery())
    gw = source.c
    gateway = _contribution(
        sa.select(source).where(gw.created < end), gw.order_id if by_order else None,
        sa.case((gw.order_id.is_(None), gw.payment_intent)) if by_order else None,
        **_at_both(start, end, gw.created, gw.type == "charge", gw.amount, "g_c"),
        **_at_both(start, end, gw.created, gw.type == "refund", -gw.amount, "g_r"),
        **_at_both(start, end, gw.created, sa.true(), gw.fee, "g_f"))
    # payment events, and (for refunds of a part) the part's transit until its sale is on the ledger
    sales = (sa.select(le.seller_order_id, le.at).where(le.kind == EntryKind.SALE.value)  # read once, used twice
             .cte("sales"))
    refund_sale = sales.alias("refund_sale")
    part_refund = sa.and_(live_refund, ev.seller_order_id.is_not(None))
    events = _contribution(
        sa.select(ev).outerjoin(refund_sale, sa.and_(part_refund, refund_sale.c.seller_order_id == ev.seller_order_id))
        .where(ev.created_at < end, sa.or_(ev.kind == "captured", live_refund)),
        ev.order_id if by_order else None,
        **_at_both(start, end, ev.created_at, ev.kind == "captured", ev.amount, "e_c"),
        **_at_both(start, end, ev.created_at, live_refund, ev.amount, "e_r"),
        **_at_both(start, end, ev.created_at, sa.and_(live_refund, ev.seller_order_id.is_(None)), ev.amount, "e_u"),
        **{f"t_{at}": sa.case((sa.and_(part_refund, ev.created_at < t,
                                       sa.or_(refund_sale.c.at.is_(None), refund_sale.c.at >= t)), -ev.amount), else_=0)
           for at, t in (("s", start), ("e", end))})
    selects = [gateway, events]
    if by_order:  # (the totals take the ledger's from `_ledger_terms`, in its one scan)
        selects.append(_contribution(
            sa.select(le).where(le.kind.in_((EntryKind.SALE.value, EntryKind.REFUND.value)), le.at < end,
                                le.order_id.is_not(None)),
            le.order_id, **_at_both(start, end, le.at, sa.true(), le.amount, "l")))
    # in transit: a part counts from its order's payment (or, for a payment that came after the
    # order ended, its capture) until its sale is on the ledger
    sale = sales.alias("sale")
    paid = sa.union_all(
        sa.select(Order.id.label("order_id"), Order.paid_at.label("paid"))
        .where(Order.paid_at.is_not(None), Order.channel == Channel.PERSONAL),
        sa.select(ev.order_id, sa.func.min(ev.created_at)).join(Order, Order.id == ev.order_id)
        .where(Order.paid_at.is_(None), Order.channel == Channel.PERSONAL, ev.kind == "captured")
        .group_by(ev.order_id),
    ).subquery()
    parts = (sa.select(so.order_id, so.total_amount, paid.c.paid, sale.c.at.label("sale_at"))
             .join(paid, paid.c.order_id == so.order_id)
             .outerjoin(sale, sale.c.seller_order_id == so.id).subquery())
    selects.append(_contribution(
        sa.select(parts).where(parts.c.paid < end), parts.c.order_id if by_order else None,
        **{f"t_{at}": sa.case((sa.and_(parts.c.paid < t, sa.or_(parts.c.sale_at.is_(None), parts.c.sale_at >= t)),
                               parts.c.total_amount), else_=0) for at, t in (("s", start), ("e", end))}))
    return sa.union_all(*selects).subquery()


def _totals(source, start, end) -> dict[str, int]:
    every = _figures(source, start, end, by_order=False)
    row = db.session.execute(sa.select(*[sa.func.coalesce(int_sum(every.c[c]), 0) for c in COLUMNS])).one()
    return dict(zip(COLUMNS, (int(v) for v in row)))


def _rows_that_differ(source, start, end) -> list:
    """Order by order (one pass over every order with money): those whose gateway money, payment
    events and ledger disagree as at `end`."""
    every = _figures(source, start, end, by_order=True)
    per = (sa.select(every.c.order_id, every.c.orphan, *[int_sum(every.c[c]).label(c) for c in COLUMNS])
           .group_by(every.c.order_id, every.c.orphan).subquery())
    recorded, books = per.c.e_c_e - per.c.e_r_e, per.c.l_e + per.c.t_e - per.c.e_u_e
    return db.session.execute(sa.select(per).where(sa.or_(
        per.c.g_c_e != per.c.e_c_e, per.c.g_r_e != per.c.e_r_e, recorded != books, per.c.g_c_e - per.c.g_r_e != books,
    )).order_by(per.c.order_id, per.c.orphan)).all()


def _agrees(f: dict[str, int], ledger: dict[str, int], at: str) -> bool:
    """The totals leave nothing to look for: the gateway's money equals the payment events', and
    the equation holds."""
    return (f[f"g_c_{at}"], f[f"g_r_{at}"]) == (f[f"e_c_{at}"], f[f"e_r_{at}"]) and \
        ledger["sales"] + f[f"t_{at}"] - f[f"e_u_{at}"] == f[f"e_c_{at}"] - f[f"e_r_{at}"] and \
        _terms(f, ledger, at).difference == 0


def _terms(f: dict[str, int], ledger: dict[str, int], at: str) -> Terms:
    return Terms(captured=f[f"g_c_{at}"], refunded=f[f"g_r_{at}"], gateway_fees=f[f"g_f_{at}"],
                 in_transit=f[f"t_{at}"], unassigned_refunds=f[f"e_u_{at}"],
                 **{k: v for k, v in ledger.items() if k != "sales"})


# --- the report ----------------------------------------------------------------------------------

def _gateway_source(gateway: PaymentGateway, end: datetime):
    """The gateway's transactions before `end` as SQL: its own subquery, or Stripe's copied into
    a temporary table."""
    source = gateway.balance_source(end)
    if source is not None:
        return source, False
    items = gateway.balance_transactions(None, end)
    connection = db.session.connection()
    connection.exec_driver_sql("DROP TABLE IF EXISTS reconciliation_gateway_rows")
    GATEWAY_ROWS.create(connection)
    if items:
        connection.execute(GATEWAY_ROWS.insert(), [
            {"type": i.type, "amount": i.amount, "fee": i.fee, "payment_intent": i.payment_intent,
             "source": i.source, "order_id": None, "created": i.created} for i in items])
    return GATEWAY_ROWS, True


def _differences(rows) -> list[OrderDifference]:
    ids = [r.order_id for r in rows if r.order_id is not None]
    orders = {}
    for chunk in (ids[i:i + 500] for i in range(0, len(ids), 500)):
        orders.update({oid: (number, ref) for oid, number, ref in db.session.execute(
            sa.select(Order.id, Order.number, Order.payment_reference).where(Order.id.in_(chunk)))})
    known = _orders_of_intents([r.orphan for r in rows if r.order_id is None and r.orphan])
    found = []
    for r in rows:
        if r.order_id is not None:
            (number, intent), order_id = orders.get(r.order_id, (None, None)), r.order_id
        else:
            intent = r.orphan
            order_id, number = known.get(intent, (None, None))
        found.append(OrderDifference(order_id, number, intent, int(r.g_c_e), int(r.g_r_e), int(r.e_c_e),
                                     int(r.e_r_e), int(r.l_e) + int(r.t_e) - int(r.e_u_e)))
    return found


def _orders_of_intents(intents: list[str]) -> dict[str, tuple[int, str]]:
    """The orders of payment intents no paid order carries (the payment was never applied)."""
    found: dict[str, tuple[int, str]] = {}
    for chunk in (intents[i:i + 500] for i in range(0, len(intents), 500)):
        for intent, order_id, number in db.session.execute(
                sa.select(Payment.payment_intent_id, Order.id, Order.number).join(Order, Order.id == Payment.order_id)
                .where(Payment.payment_intent_id.in_(chunk))):
            found[intent] = (order_id, number)
    return found


def reconcile(month: date, gateway: PaymentGateway) -> Report:
    """The report for a Jakarta month. The totals are a few aggregates; the order-by-order search
    (one grouped pass over every order with money) runs only when the totals disagree."""
    start, end = month_bounds_utc(month)
    if db.session.get_bind().dialect.name == "postgresql":
        # (for this transaction only) compiling these plans costs more than running them, and the
        # order-by-order grouping fits in memory instead of spilling to disk
        db.session.execute(sa.text("SET LOCAL jit = off"))
        db.session.execute(sa.text("SET LOCAL work_mem = '128MB'"))
    source, scratch = _gateway_source(gateway, end)
    try:
        figures = _totals(source, start, end)
        before, after = _ledger_terms([start, end])
        rows = [] if _agrees(figures, before, "s") and _agrees(figures, after, "e") else \
            _rows_that_differ(source, start, end)
    finally:
        if scratch:
            GATEWAY_ROWS.drop(db.session.connection())
    cumulative = _terms(figures, after, "e")
    return Report(month=month, start=start, end=end, gateway=gateway.label,
                  month_terms=cumulative - _terms(figures, before, "s"), cumulative=cumulative,
                  differences=_differences(rows))


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
                         row.recorded_captured, row.recorded_refunded, row.ledger_net, row.records_difference,
                         row.difference])
    return out.getvalue()
