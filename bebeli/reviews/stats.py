"""Ratings of products and shops: the aggregate columns (`RatingSummaryMixin`) kept in step with
published reviews, the Bayesian score, and what other modules read.

Only published reviews count. Every change of a review (written, edited, held, approved,
hidden) calls `apply` in the same transaction with what it adds and takes away, and `apply`
moves the product's and the shop's counters with one conditional UPDATE each (`col = col + n`,
so two reviews at once both count) and recomputes the score from the new values in the same
statement. Catalog pages read the columns; nothing aggregates reviews at request time.

The score is the Bayesian average (W·M + Σ stars) / (W + n) × 1000, with M and W the
configured prior mean and weight: a single 5-star review (4,17★ with M 4, W 5) stays below a
hundred 4.8s (4,76★). Without reviews the score is 0, so unrated goods sort last.

For other modules (e.g. a sanctions policy on shops rated below a floor):
    shop_rating(shop_id) -> Rating            one shop's figures
    shops_rated_below(floor, min_reviews)     shops whose plain average is below `floor`
                                              over at least `min_reviews` reviews
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from flask_babel import format_decimal

from bebeli.catalog.cache import mark_catalog_changed
from bebeli.catalog.models import Product
from bebeli.extensions import db
from bebeli.sellers.models import Shop

STARS = (5, 4, 3, 2, 1)


@dataclass(frozen=True)
class Rating:
    count: int
    total: int
    distribution: dict[int, int]   # stars → how many reviews
    score_milli: int               # Bayesian average × 1000 (0 without reviews)

    @property
    def average(self) -> float | None:
        """The plain average of the stars given, or None without reviews."""
        return self.total / self.count if self.count else None

    @property
    def bayesian(self) -> float | None:
        return self.score_milli / 1000 if self.count else None

    def share(self, stars: int) -> int:
        """Percent of the reviews giving `stars` (for the distribution bars)."""
        return round(100 * self.distribution[stars] / self.count) if self.count else 0


def rating_of(row: Product | Shop) -> Rating:
    """The figures a loaded product or shop carries (no query)."""
    return Rating(count=row.rating_count, total=row.rating_sum,
                  distribution={s: getattr(row, f"rating_{s}") for s in STARS}, score_milli=row.rating_score)


def stars_text(value: float | None) -> str:
    """4,3 — one decimal, in the page's language."""
    return "" if value is None else format_decimal(round(value, 1), format="0.0")


def _prior() -> tuple[int, int]:
    """(weight, weight × mean × 1000): the prior as whole numbers, so SQL divides integers."""
    weight = max(0, int(current_app.config["RATING_PRIOR_WEIGHT"]))
    return weight, round(weight * float(current_app.config["RATING_PRIOR_MEAN"]) * 1000)


def score_expression(table, count_delta, sum_delta):
    """The score after adding the deltas, from the row's current values (SQL integer division)."""
    weight, prior_milli = _prior()
    new_count = table.c.rating_count + count_delta
    new_sum = table.c.rating_sum + sum_delta
    return sa.case((new_count <= 0, 0),
                   else_=(prior_milli + new_sum * 1000) // (new_count + weight))


def bayesian_milli(count: int, total: int) -> int:
    """The same score computed in Python (tests, the recount)."""
    weight, prior_milli = _prior()
    return 0 if count <= 0 else (prior_milli + total * 1000) // (count + weight)


def apply(product_id: int, shop_id: int, *, add: int | None = None, remove: int | None = None) -> None:
    """One published review of `add` stars counted and/or one of `remove` stars uncounted, on the
    product and its shop, in the current transaction."""
    if add is None and remove is None:
        return
    count_delta = (add is not None) - (remove is not None)
    sum_delta = (add or 0) - (remove or 0)
    for model, row_id in ((Product, product_id), (Shop, shop_id)):
        table = model.__table__
        values = {"rating_count": table.c.rating_count + count_delta,
                  "rating_sum": table.c.rating_sum + sum_delta,
                  "rating_score": score_expression(table, count_delta, sum_delta),
                  "updated_at": table.c.updated_at}  # a rating is not an edit of the product
        star_deltas: dict[int, int] = {}
        for stars, delta in ((add, 1), (remove, -1)):
            if stars is not None:
                star_deltas[stars] = star_deltas.get(stars, 0) + delta
        for stars, delta in star_deltas.items():
            if delta:
                column = table.c[f"rating_{stars}"]
                values[f"rating_{stars}"] = column + delta
        db.session.execute(sa.update(table).where(table.c.id == row_id).values(**values))
    for obj in (db.session.get(Product, product_id), db.session.get(Shop, shop_id)):
        if obj is not None:
            db.session.expire(obj, ["rating_count", "rating_sum", "rating_score", *(f"rating_{s}" for s in STARS)])
    mark_catalog_changed()


def recount(model) -> int:
    """Rebuild every row's aggregate of `model` (Product or Shop) from the published reviews and
    the configured prior (after changing RATING_PRIOR_*, or to check the counters)."""
    from bebeli.reviews.models import Review, ReviewStatus

    key = Review.product_id if model is Product else Review.shop_id
    rows = db.session.execute(
        sa.select(key, Review.rating, sa.func.count()).where(Review.status == ReviewStatus.PUBLISHED)
        .group_by(key, Review.rating)).all()
    figures: dict[int, dict[int, int]] = {}
    for row_id, stars, n in rows:
        figures.setdefault(row_id, dict.fromkeys(STARS, 0))[stars] = n
    table = model.__table__
    db.session.execute(sa.update(table).values(
        rating_count=0, rating_sum=0, rating_score=0, updated_at=table.c.updated_at,
        **{f"rating_{s}": 0 for s in STARS}))
    for row_id, dist in figures.items():
        count, total = sum(dist.values()), sum(s * n for s, n in dist.items())
        db.session.execute(sa.update(table).where(table.c.id == row_id).values(
            rating_count=count, rating_sum=total, rating_score=bayesian_milli(count, total),
            updated_at=table.c.updated_at, **{f"rating_{s}": n for s, n in dist.items()}))
    mark_catalog_changed()
    return len(figures)


def shop_rating(shop_id: int) -> Rating | None:
    """One shop's rating figures (published reviews only), or None for no such shop."""
    shop = db.session.get(Shop, shop_id)
    return rating_of(shop) if shop is not None else None


def shops_rated_below(floor: float, min_reviews: int) -> list[tuple[int, int, float]]:
    """[(shop id, review count, plain average)] of shops whose published reviews average below
    `floor` stars over at least `min_reviews` reviews, lowest first."""
    min_reviews = max(1, int(min_reviews))
    average = Shop.rating_sum * 1.0 / Shop.rating_count
    rows = db.session.execute(
        sa.select(Shop.id, Shop.rating_count, Shop.rating_sum)
        .where(Shop.rating_count >= min_reviews, Shop.rating_sum < floor * Shop.rating_count)
        .order_by(average, Shop.id)).all()
    return [(shop_id, count, total / count) for shop_id, count, total in rows]
