"""The buyer's cart: lines of many shops, checked against stock, price and availability."""
from flask import Blueprint

bp = Blueprint("cart", __name__, url_prefix="/keranjang")
