"""What each ASN owes in a month, computed in SQL for one person or for everyone at once.

The rules, in one place:
- The policy for an agency and month is the newest policy (by `effective_from`) in effect
  that month and covering the agency; on a tie a policy naming chosen agencies beats one
  for all ASN, then the most recently created wins.
- The base minimum is the policy's amount for the ASN's echelon, or `tpp_basis_points` of
  the ASN's TPP (rounded half up, as `bebeli.money.percent_of`).
- It is pro-rated by days: days in service that month (from `active_from`, or the day the
  ASN was created or imported when it is empty, to `active_until`; a deactivated ASN without an end date owes nothing) minus exempted days,
  over the days of the month, rounded half up. Exemptions of one ASN never overlap.
- The ceiling and the agency target are the policy's, not pro-rated.
- An ASN is obligated in a month when their minimum is above zero, and has attained it
  when what counts reaches the minimum; the shortfall is what is missing (`figures`).
- A closed month is frozen the first time the dashboard looks at it: from then on it keeps
  the agency, policy and minimum it had, whatever later happens in the directory. Editing
  a policy or an exemption that reaches back into a frozen month thaws it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy import and_, case, func, literal, or_, select, true

from bebeli.dates import days_in_month, jakarta_today, month_start, next_month
from bebeli.directory.models import Agency, AsnProfile
from bebeli.extensions import db
from bebeli.quotas.models import (
    MinimumKind,
    QuotaAgencyMonth,
    QuotaExemption,
    QuotaFrozenMonth,
    QuotaMonth,
    QuotaPolicy,
    QuotaRankAmount,
    quota_policy_agencies,
)
from bebeli.sqlfuncs import day_number, day_number_of, greatest, int_sum, jakarta_day_number, least


@dataclass(frozen=True)
class Scope:
    """Which rows a query covers: None means every agency (an admin's view)."""

    agency_ids: frozenset[int] | None = None
    user_id: int | None = None
    asn_id: int | None = None

    def narrowed_to(self, agency_id: int | None) -> Scope:
        if agency_id is None:
            return self
        allowed = self.agency_ids is None or agency_id in self.agency_ids
        return Scope(frozenset({agency_id} if allowed else ()), self.user_id, self.asn_id)


EVERYONE = Scope()


def last_months(month: date, count: int) -> list[date]:
    """`count` months ending with `month`, oldest first."""
    months = [month_start(month)]
    while len(months) < count:
        months.insert(0, month_start(months[0] - timedelta(days=1)))
    return months


def _int(value: int):
    # Typed explicitly: PostgreSQL would otherwise take some parameters as numeric, and
    # the pro-rating divisions below must stay integer divisions on both databases.
    return sa.cast(literal(value), sa.Integer)


def months_table(months: list[date]):
    """A tiny derived table: each month with its first and last day numbers."""
    rows = [
        select(
            literal(m, sa.Date).label("month"),
            _int(day_number_of(m)).label("first_day"),
            _int(day_number_of(next_month(m)) - 1).label("last_day"),
            _int(days_in_month(m)).label("dim"),
        )
        for m in months
    ]
    return (rows[0] if len(rows) == 1 else sa.union_all(*rows)).cte("quota_calendar")


def resolved_policies(months_cte, scope: Scope = EVERYONE):
    """(agency_id, month, policy_id) of the policy governing each agency in each month."""
    covers = or_(
        QuotaPolicy.applies_to_all,
        sa.exists().where(
            quota_policy_agencies.c.policy_id == QuotaPolicy.id,
            quota_policy_agencies.c.agency_id == Agency.id,
        ),
    )
    rank = func.row_number().over(
        partition_by=(Agency.id, months_cte.c.month),
        order_by=(QuotaPolicy.effective_from.desc(), QuotaPolicy.applies_to_all.asc(), QuotaPolicy.id.desc()),
    )
    ranked = (
        select(Agency.id.label("agency_id"), months_cte.c.month, QuotaPolicy.id.label("policy_id"), rank.label("rn"))
        .select_from(Agency)
        .join(months_cte, true())
        .join(QuotaPolicy, and_(QuotaPolicy.effective_from <= months_cte.c.month, covers))
    )
    if scope.agency_ids is not None:
        ranked = ranked.where(Agency.id.in_(scope.agency_ids))
    if scope.user_id is not None or scope.asn_id is not None:
        # One person (their home page, their checkout): only their agency's policy, not
        # every agency's — the ranking would otherwise grow with the number of agencies.
        person = select(AsnProfile.agency_id)
        if scope.user_id is not None:
            person = person.where(AsnProfile.user_id == scope.user_id)
        if scope.asn_id is not None:
            person = person.where(AsnProfile.id == scope.asn_id)
        ranked = ranked.where(Agency.id.in_(person))
    ranked = ranked.subquery("ranked_policies")
    return (
        select(ranked.c.agency_id, ranked.c.month, ranked.c.policy_id)
        .where(ranked.c.rn == 1)
        .cte("resolved_policies")
    )


def _base_minimum(rank_amount):
    return case(
        (QuotaPolicy.minimum_kind == MinimumKind.BY_RANK, func.coalesce(rank_amount, 0)),
        (
            QuotaPolicy.minimum_kind == MinimumKind.TPP_PERCENT,
            (func.coalesce(AsnProfile.tpp_amount, 0) * QuotaPolicy.tpp_basis_points + 5_000) // 10_000,
        ),
        else_=0,
    )


def _service_days(cal):
    """Day numbers of the first and last day each ASN is in service within a month: from
    `active_from`, or from the day the ASN was registered (created or imported) when no
    start was given — nobody owes anything for months before they were on the platform."""
    first = func.coalesce(day_number(AsnProfile.active_from), jakarta_day_number(AsnProfile.created_at))
    start = greatest(cal.c.first_day, first)
    open_end = case((AsnProfile.is_active, cal.c.last_day), else_=cal.c.first_day - 1)
    end = least(cal.c.last_day, func.coalesce(day_number(AsnProfile.active_until), open_end))
    return start, end


def _for_scope(stmt, scope: Scope, agency_id=AsnProfile.agency_id, user_id=AsnProfile.user_id):
    """Narrow `stmt` to the scope; a frozen month passes the agency and user it kept."""
    if scope.agency_ids is not None:
        stmt = stmt.where(agency_id.in_(scope.agency_ids))
    if scope.user_id is not None:
        stmt = stmt.where(user_id == scope.user_id)
    if scope.asn_id is not None:
        stmt = stmt.where(AsnProfile.id == scope.asn_id)
    return stmt


def _exempt_days(cal, scope: Scope):
    """(asn_id, month, days): exempted days within each month's days in service. Few ASN
    have exemptions, so this small aggregate is hash-joined rather than probed per ASN."""
    start, end = _service_days(cal)
    ex_start, ex_end = day_number(QuotaExemption.starts_on), day_number(QuotaExemption.ends_on)
    overlap = least(end, ex_end) - greatest(start, ex_start) + 1
    stmt = (
        select(QuotaExemption.asn_id, cal.c.month, sa.cast(func.sum(overlap), sa.Integer).label("days"))
        .select_from(QuotaExemption)
        .join(AsnProfile, AsnProfile.id == QuotaExemption.asn_id)
        .join(cal, true())
        .where(ex_start <= end, ex_end >= start)
        .group_by(QuotaExemption.asn_id, cal.c.month)
    )
    return _for_scope(stmt, scope).cte("quota_exempt_days")


def _live(months: list[date], scope: Scope):
    """Obligations computed from the rules and the directory as they are now."""
    cal = months_table(months)
    resolved = resolved_policies(cal, scope)
    exempt = _exempt_days(cal, scope)
    start, end = _service_days(cal)
    days_due = greatest(0, end - start + 1 - func.coalesce(exempt.c.days, 0))
    # Only the months asked for: the summary holds every month since the start.
    bought = select(QuotaMonth).where(QuotaMonth.month.in_(months)).subquery("quota_bought")
    base = (
        select(
            cal.c.month,
            cal.c.dim,
            AsnProfile.id.label("asn_id"),
            AsnProfile.user_id,
            AsnProfile.agency_id,
            QuotaPolicy.id.label("policy_id"),
            QuotaPolicy.ceiling_amount,
            QuotaPolicy.agency_target_amount,
            func.coalesce(bought.c.counted_amount, 0).label("counted_amount"),
            func.coalesce(bought.c.reserved_amount, 0).label("reserved_amount"),
            sa.cast(_base_minimum(QuotaRankAmount.amount), sa.BigInteger).label("base_amount"),
            days_due.label("days_due"),
        )
        .select_from(AsnProfile)
        .join(cal, true())
        .outerjoin(resolved, and_(resolved.c.agency_id == AsnProfile.agency_id, resolved.c.month == cal.c.month))
        .outerjoin(QuotaPolicy, QuotaPolicy.id == resolved.c.policy_id)
        .outerjoin(
            QuotaRankAmount,
            and_(QuotaRankAmount.policy_id == QuotaPolicy.id, QuotaRankAmount.echelon == AsnProfile.echelon),
        )
        .outerjoin(exempt, and_(exempt.c.asn_id == AsnProfile.id, exempt.c.month == cal.c.month))
        .outerjoin(bought, and_(bought.c.user_id == AsnProfile.user_id, bought.c.month == cal.c.month))
        .where(end >= start)
    )
    base = _for_scope(base, scope).subquery("quota_base")
    minimum = (base.c.base_amount * base.c.days_due + base.c.dim // 2) // base.c.dim
    return select(*(base.c[name] for name in COLUMNS[:-1]), minimum.label("minimum_amount"))


def _frozen(months: list[date], scope: Scope):
    """Obligations of closed months as they were frozen (see `QuotaFrozenMonth`)."""
    q = QuotaMonth
    stmt = (
        select(q.month, AsnProfile.id.label("asn_id"), q.user_id, q.agency_id, q.policy_id,
               QuotaPolicy.ceiling_amount, QuotaPolicy.agency_target_amount, q.counted_amount,
               q.reserved_amount, q.minimum_amount)
        # Outer joins on unique keys: a query that does not use their columns skips them.
        .outerjoin(AsnProfile, AsnProfile.user_id == q.user_id)
        .outerjoin(QuotaPolicy, QuotaPolicy.id == q.policy_id)
        .where(q.month.in_(months), q.minimum_amount.is_not(None))
    )
    return _for_scope(stmt, scope, agency_id=q.agency_id, user_id=q.user_id)


COLUMNS = ("month", "asn_id", "user_id", "agency_id", "policy_id", "ceiling_amount", "agency_target_amount",
           "counted_amount", "reserved_amount", "minimum_amount")


def is_closed(month: date) -> bool:
    return month < month_start(jakarta_today())


def frozen_among(months: list[date]) -> set[date]:
    closed = [m for m in months if is_closed(m)]
    if not closed:
        return set()
    return set(db.session.scalars(select(QuotaFrozenMonth.month).where(QuotaFrozenMonth.month.in_(closed))))


def obligations(months: list[date], scope: Scope = EVERYONE, frozen: set[date] | None = None):
    """One row per ASN in service and month: the minimum owed, the ceiling, what counts so
    far and what unpaid checkouts hold (columns: `COLUMNS`). Frozen months are read from
    their snapshot, the others computed; the result is the same either way until the
    directory changes. `frozen`, when given, says which of `months` are frozen (so a caller
    can build the statement once and reuse it)."""
    frozen = frozen_among(months) if frozen is None else frozen
    live = [m for m in months if m not in frozen]
    parts = []
    if live:
        # Materialised so each row's minimum is computed once, not again in every aggregate
        # that uses it (a plain subquery would be merged into the outer query).
        computed = _live(live, scope).cte("quota_live").prefix_with("MATERIALIZED")
        parts.append(select(computed))
    if frozen:
        parts.append(_frozen(sorted(frozen), scope))
    return (parts[0] if len(parts) == 1 else sa.union_all(*parts)).subquery("obligations")


def live_obligations(months: list[date]):
    return _live(months, EVERYONE)


def _count_if(condition):
    return sa.cast(func.sum(case((condition, 1), else_=0)), sa.Integer)


def figures(minimum, counted, target) -> list:
    """The aggregate columns every attainment figure is made of, over per-ASN rows."""
    return [
        _count_if(minimum > 0).label("obligated"),
        _count_if(and_(minimum > 0, counted >= minimum)).label("attained"),
        int_sum(counted).label("counted"),
        int_sum(greatest(minimum - counted, 0)).label("shortfall"),
        func.max(target).label("target"),
    ]


def frozen_rollup(month: date, agency_id: int | None = None):
    """Per-agency figures of a frozen month from its frozen rows (for `QuotaAgencyMonth`)."""
    q = QuotaMonth
    stmt = (
        select(q.month, q.agency_id, *figures(q.minimum_amount, q.counted_amount, QuotaPolicy.agency_target_amount))
        .outerjoin(QuotaPolicy, QuotaPolicy.id == q.policy_id)
        .where(q.month == month, q.minimum_amount.is_not(None), q.agency_id.is_not(None))
        .group_by(q.month, q.agency_id)
    )
    return stmt if agency_id is None else stmt.where(q.agency_id == agency_id)


def agency_figures(months: list[date], scope: Scope = EVERYONE, ob=None):
    """(month, agency_id, obligated, attained, counted, shortfall, target) per agency and
    month: frozen months from their rollup, the others aggregated from live obligations
    (`ob`, when the caller has them already as `obligations(months, scope)`)."""
    frozen = frozen_among(months)
    live = [m for m in months if m not in frozen]
    parts = []
    if live:
        ob = obligations(live, scope) if ob is None else ob
        parts.append(
            select(ob.c.month, ob.c.agency_id,
                   *figures(ob.c.minimum_amount, ob.c.counted_amount, ob.c.agency_target_amount))
            .group_by(ob.c.month, ob.c.agency_id)
        )
    if frozen:
        a = QuotaAgencyMonth
        stmt = select(a.month, a.agency_id, a.obligated, a.attained, a.counted_amount.label("counted"),
                      a.shortfall_amount.label("shortfall"), a.target_amount.label("target"))
        stmt = stmt.where(a.month.in_(sorted(frozen)))
        if scope.agency_ids is not None:
            stmt = stmt.where(a.agency_id.in_(scope.agency_ids))
        parts.append(stmt)
    return (parts[0] if len(parts) == 1 else sa.union_all(*parts)).subquery("agency_figures")
