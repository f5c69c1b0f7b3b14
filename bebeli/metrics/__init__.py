"""Prometheus metrics: /metrics, for a monitoring system, never for the public.

What is measured lives in `instruments` (requests, errors, checkouts, payments, the Redis
breaker, the database pool); what a scrape reads in `collectors`. Under gunicorn every worker
writes its figures to files in PROMETHEUS_MULTIPROC_DIR (emptied when gunicorn starts; a dead
worker's live gauges are dropped by the child_exit hook in gunicorn.conf.py) and a scrape
answered by any worker adds them all up. Without that variable (`flask run`, tests) the
process's own figures are served.

Who may scrape (bebeli.metrics.views): a request with `Authorization: Bearer <METRICS_TOKEN>`,
or one made directly — not through the reverse proxy, so without X-Forwarded-For — from an
address in METRICS_ALLOW_IPS (addresses or networks, default loopback). Anyone else gets 403.
"""
from flask import Blueprint, Flask

bp = Blueprint("metrics", __name__)

# Collectors read at each scrape besides the workers' own metrics: "module:Name" of a class (or
# any callable) that, called with no arguments inside the scrape's request (app context,
# database session), returns a prometheus_client collector (an object with `collect()`).
# Adding one is one line here.
EXTRA_COLLECTORS: list = [
    "bebeli.jobs.metrics:scrape_collector",
]


def init_app(app: Flask) -> None:
    from bebeli.metrics import instruments

    instruments.init_app(app)
