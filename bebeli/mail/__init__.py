"""Outgoing email through an outbox table, delivered by the configured backend."""
from flask import Blueprint

bp = Blueprint("mail", __name__, url_prefix="/dev/outbox")
