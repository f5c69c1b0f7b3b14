"""`flask reviews recount`: rebuild the rating aggregates of every product and shop from the
published reviews, after RATING_PRIOR_MEAN or RATING_PRIOR_WEIGHT changed (the stored Bayesian
scores follow the prior they were computed with)."""
from __future__ import annotations

import click
from flask.cli import AppGroup, with_appcontext

from bebeli.extensions import db
from bebeli.locks import exclusive

reviews_group = AppGroup("reviews", help="Ulasan dan rating.")


@reviews_group.command("recount")
@with_appcontext
@exclusive("reviews-recount")
def recount():
    """Recompute every product's and shop's rating figures."""
    from bebeli.catalog.models import Product
    from bebeli.reviews import stats
    from bebeli.sellers.models import Shop

    products, shops = stats.recount(Product), stats.recount(Shop)
    db.session.commit()
    click.echo(f"reviews: rating figures recomputed for {products} product(s) and {shops} shop(s)")


commands = [reviews_group]
