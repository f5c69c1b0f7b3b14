"""pageviews: product page views counted per Jakarta day without a database query per view,
and what sellers' insights read from them (views per product and month, products left in carts).

No routes: bebeli.pageviews.views counts the catalog's product pages after they are answered,
whether they came from the page cache or were rendered."""
from flask import Blueprint

bp = Blueprint("pageviews", __name__)
