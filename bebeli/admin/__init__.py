"""Administrators' screens (Dinas Koperasi dan UKM): the shared entry point and base check."""
from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")
