"""Insights: what each shop sells, month by month, from summary tables the order lifecycle keeps
in step (`bebeli.insights.ledger`, connected in `bebeli.wiring`), and the seller's pages on them."""
from flask import Blueprint

bp = Blueprint("insights", __name__, url_prefix="/toko")
