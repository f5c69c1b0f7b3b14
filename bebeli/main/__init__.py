"""Public pages, the navigation, language switch and health checks."""
from flask import Blueprint

bp = Blueprint("main", __name__)
