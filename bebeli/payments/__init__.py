"""Payments: the Stripe gateway (the only module importing stripe), webhooks, refunds."""
from flask import Blueprint

bp = Blueprint("payments", __name__, url_prefix="/pembayaran")
