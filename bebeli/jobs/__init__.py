"""Background jobs: the queue (procrastinate on PostgreSQL, inline on SQLite), the periodic
jobs that replace cron, their health and metrics, and the administrators' system status page."""
from flask import Blueprint

bp = Blueprint("jobs", __name__, url_prefix="/admin/sistem")
