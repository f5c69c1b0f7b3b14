"""UMKM sellers: registration, shop profiles, verification, the seller dashboard."""
from flask import Blueprint

bp = Blueprint("sellers", __name__, url_prefix="/toko")
