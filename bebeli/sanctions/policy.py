"""The sanctions policy: a list of rule objects, each finding the shops it applies to with the
evidence. `policy()` is the one place a rule is added; the administrators' list is
`suggestions()` over it. Rules in force: upheld complaints within a period
(SANCTION_COMPLAINT_RULES) and a rating floor over at least N reviews (SANCTION_RATING_FLOOR).

A rule has a `name` (stored on a confirmed sanction), a `label` for people, and
`offenders(now)` → {shop id: [complaint ids (the evidence)]}.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from bebeli.complaints.models import UPHELD, Complaint
from bebeli.db import UTCDateTime, utcnow
from bebeli.extensions import db
from bebeli.sanctions.models import Sanction
from bebeli.sellers.models import Shop, ShopStatus


class Rule(Protocol):
    name: str

    @property
    def label(self) -> str: ...

    def offenders(self, now: datetime) -> dict[int, list[int]]: ...


@dataclass(frozen=True)
class UpheldComplaints:
    """At least `count` complaints upheld (resolved in the buyer's favour) within `days` days."""

    count: int
    days: int

    @property
    def name(self) -> str:
        return f"upheld-complaints:{self.count}/{self.days}"

    @property
    def label(self) -> str:
        return str(_l("%(count)d komplain terbukti dalam %(days)d hari", count=self.count, days=self.days))

    def offenders(self, now: datetime) -> dict[int, list[int]]:
        since = now - timedelta(days=self.days)
        upheld = sa.and_(Complaint.outcome.in_(UPHELD), Complaint.resolved_at >= since, Complaint.resolved_at <= now)
        shops = (sa.select(Complaint.shop_id).where(upheld).group_by(Complaint.shop_id)
                 .having(sa.func.count(Complaint.id) >= self.count))
        found: dict[int, list[int]] = {}
        for shop_id, complaint_id in db.session.execute(
                sa.select(Complaint.shop_id, Complaint.id).where(upheld, Complaint.shop_id.in_(shops))
                .order_by(Complaint.shop_id, Complaint.id)):
            found.setdefault(shop_id, []).append(complaint_id)
        return found


def complaint_rules(text: str) -> list[UpheldComplaints]:
    """"3/30,5/90" → two rules; malformed pairs are a configuration error."""
    rules = []
    for pair in (p.strip() for p in (text or "").split(",")):
        if pair:
            count, days = (int(x) for x in pair.split("/"))
            rules.append(UpheldComplaints(count, days))
    return rules


@dataclass(frozen=True)
class RatingFloor:
    """Published reviews average below `floor` stars over at least `min_reviews` reviews. The
    evidence is the shop's rating itself (no complaint ids); a shop sanctioned after its newest
    review is not suggested again until a new review arrives."""

    floor: float
    min_reviews: int

    @property
    def name(self) -> str:
        return f"rating-floor:{self.floor:g}/{self.min_reviews}"

    @property
    def label(self) -> str:
        return str(_l("Rating rata-rata di bawah %(floor)s bintang dari sedikitnya %(count)d ulasan",
                      floor=f"{self.floor:g}".replace(".", ","), count=self.min_reviews))

    def offenders(self, now: datetime) -> dict[int, list[int]]:
        from bebeli.reviews.models import Review
        from bebeli.reviews.stats import shops_rated_below

        low = [shop_id for shop_id, _count, _average in shops_rated_below(self.floor, self.min_reviews)]
        if not low:
            return {}
        newest_review = sa.select(sa.func.max(Review.created_at)).where(Review.shop_id == Sanction.shop_id)
        settled = set(db.session.scalars(sa.select(Sanction.shop_id).where(
            Sanction.shop_id.in_(low), Sanction.created_at >= newest_review.scalar_subquery())))
        return {shop_id: [] for shop_id in low if shop_id not in settled}


def rating_rule(text: str) -> list[RatingFloor]:
    """"2.5/10" → one rule; empty → none; malformed is a configuration error."""
    text = (text or "").strip()
    if not text:
        return []
    floor, count = text.split("/")
    return [RatingFloor(float(floor), int(count))]


def policy() -> list[Rule]:
    """The rules in force, in one list."""
    config = current_app.config
    return [*complaint_rules(config["SANCTION_COMPLAINT_RULES"]), *rating_rule(config["SANCTION_RATING_FLOOR"])]


@dataclass
class Suggestion:
    shop: Shop
    rules: list[Rule] = field(default_factory=list)
    evidence: list[int] = field(default_factory=list)   # complaint ids

    @property
    def rule_names(self) -> str:
        return ",".join(rule.name for rule in self.rules)[:60]


def suggestions(now: datetime | None = None, shop_id: int | None = None) -> list[Suggestion]:
    """Shops some rule applies to, with the evidence, leaving out suspended shops and shops an
    administrator already sanctioned after the newest piece of evidence."""
    now = now or utcnow()
    found: dict[int, Suggestion] = {}
    for rule in policy():
        for offender, evidence in rule.offenders(now).items():
            if shop_id is not None and offender != shop_id:
                continue
            entry = found.setdefault(offender, Suggestion(shop=None))
            entry.rules.append(rule)
            entry.evidence = sorted(set(entry.evidence) | set(evidence))
    if not found:
        return []
    shops = {s.id: s for s in db.session.scalars(sa.select(Shop).where(Shop.id.in_(found)))}
    last_sanction = dict(db.session.execute(sa.select(Sanction.shop_id, sa.func.max(Sanction.id))
                                            .where(Sanction.shop_id.in_(found)).group_by(Sanction.shop_id)).all())
    newest_evidence = dict(db.session.execute(
        sa.select(Complaint.shop_id, sa.type_coerce(sa.func.max(Complaint.resolved_at), UTCDateTime()))
        .where(Complaint.shop_id.in_(found))
        .group_by(Complaint.shop_id)).all()) if last_sanction else {}
    result = []
    for shop_id_, entry in sorted(found.items()):
        shop = shops[shop_id_]
        if shop.status == ShopStatus.SUSPENDED:
            continue
        if shop_id_ in last_sanction:
            sanction = db.session.get(Sanction, last_sanction[shop_id_])
            newest = newest_evidence.get(shop_id_)
            if newest is not None and newest <= sanction.created_at:
                continue
        entry.shop = shop
        result.append(entry)
    return result

