"""Orders: one checkout → one Order → one SellerOrder per shop → OrderLines (snapshots)."""
from flask import Blueprint

bp = Blueprint("orders", __name__, url_prefix="/pesanan")
