"""In-app notifications (and their email) for whoever must act next."""
from flask import Blueprint

bp = Blueprint("notifications", __name__, url_prefix="/notifikasi")
