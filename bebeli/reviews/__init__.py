"""Reviews and ratings: buyers who received their goods rate them (one review per order line),
sellers reply once, anyone signed in reports, the Dinas moderates; products and shops carry the
published reviews' aggregate (`stats`), which catalog pages and other modules read."""
from flask import Blueprint

bp = Blueprint("reviews", __name__)
