"""What the app counts and measures, written as it happens (each worker into its own file in
PROMETHEUS_MULTIPROC_DIR under gunicorn, in memory otherwise).

- Every request: a count and a latency histogram per Flask endpoint (the rule's name, never the
  raw path: a scan of random URLs adds one "unmatched" series, not one per URL), method (a
  fixed list, anything else is "other") and status class (2xx … 5xx); 5xx answers also count
  as errors.
- Checkouts placed and payments received, per channel: counted when the transaction that made
  them commits, so a checkout rolled back (out of stock, a quota refused) or repeated (the same
  idempotency key lands on the first order) counts nothing.
- The Redis circuit breaker's state and each worker's database pool (connections in use,
  overflow, capacity), written when they change, so that a scrape answered by one worker
  still reports every worker (gauges marked "live": a dead worker's values are dropped by
  gunicorn's child_exit hook).
"""
from __future__ import annotations

import os
import time

from flask import Flask, g, request
from prometheus_client import Counter, Gauge, Histogram, disable_created_metrics
from sqlalchemy import event
from sqlalchemy.orm import Session

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "unmatched"  # no rule matched the path (404, 405 before routing)
# Seconds: a cached catalog page takes milliseconds, a PDF or an export seconds.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
BREAKER_STATES = {"closed": 0, "half-open": 1, "open": 2}

# In multiprocess mode the values live in files, opened as the metrics below are created.
if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)
disable_created_metrics()  # no "_created" twin of every series: half the lines of a scrape

REQUESTS = Counter("bebeli_http_requests", "HTTP requests answered, per endpoint, method and status class",
                   ("endpoint", "method", "status"))
LATENCY = Histogram("bebeli_http_request_duration_seconds", "Time to answer a request (until the response is built)",
                    ("endpoint", "method", "status"), buckets=LATENCY_BUCKETS)
ERRORS = Counter("bebeli_http_errors", "Requests answered with a 5xx status, per endpoint", ("endpoint",))
CHECKOUTS = Counter("bebeli_checkouts", "Orders placed (committed checkouts), per channel", ("channel",))
PAYMENTS = Counter("bebeli_payments", "Orders that became paid (committed), per channel", ("channel",))
BREAKER = Gauge("bebeli_redis_breaker_state", "Redis circuit breaker per worker: 0 closed, 1 half-open, 2 open",
                multiprocess_mode="livemax")
POOL_IN_USE = Gauge("bebeli_db_pool_in_use", "Database connections checked out of the worker's pool",
                    multiprocess_mode="liveall")
POOL_OVERFLOW = Gauge("bebeli_db_pool_overflow", "Connections open beyond the worker's pool size",
                      multiprocess_mode="liveall")
POOL_CAPACITY = Gauge("bebeli_db_pool_capacity", "Connections the worker's pool may hand out (size + max overflow)",
                      multiprocess_mode="liveall")


# --- requests ---------------------------------------------------------------------------------

def init_app(app: Flask) -> None:
    # First of the before hooks (the host check answers a bad Host at once; its answer is
    # measured from here too) and last of the after hooks (Flask runs those in reverse order).
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    app.after_request_funcs.setdefault(None, []).insert(0, _observe)
    watch_pool(app)


def _start() -> None:
    g.metrics_started = time.perf_counter()


def labels_for(endpoint: str | None, method: str, status: int) -> tuple[str, str, str]:
    return endpoint or UNMATCHED, method if method in METHODS else "other", f"{status // 100}xx"


def _observe(response):
    started = g.pop("metrics_started", None)
    endpoint, method, status = labels_for(request.endpoint, request.method, response.status_code)
    REQUESTS.labels(endpoint, method, status).inc()
    if started is not None:
        LATENCY.labels(endpoint, method, status).observe(time.perf_counter() - started)
    if status == "5xx":
        ERRORS.labels(endpoint).inc()
    return response


# --- checkouts and payments, counted at commit --------------------------------------------------

_PENDING = "bebeli.metrics.pending"


def _on_commit(counter_child) -> None:
    from bebeli.extensions import db

    db.session.info.setdefault(_PENDING, []).append(counter_child)


def count_checkout(order) -> None:
    """A new order was placed in the current transaction (called by the checkout)."""
    _on_commit(CHECKOUTS.labels(_channel(order)))


def count_payment(order, **_kwargs) -> None:
    """Receiver of `order_paid` (connected in bebeli.wiring)."""
    _on_commit(PAYMENTS.labels(_channel(order)))


def _channel(order) -> str:
    channel = getattr(order, "channel", None)
    return str(getattr(channel, "value", channel) or "unknown")


@event.listens_for(Session, "after_commit")
def _count_committed(session) -> None:
    for child in session.info.pop(_PENDING, ()):
        child.inc()


@event.listens_for(Session, "after_soft_rollback")
def _forget_rolled_back(session, previous_transaction) -> None:
    if previous_transaction.parent is None:  # the whole transaction, not a savepoint inside it
        session.info.pop(_PENDING, None)


# --- the Redis breaker and the database pool ----------------------------------------------------

def breaker_state(name: str) -> None:
    """The Redis breaker of this worker is now `name` ("closed", "open", "half-open")."""
    BREAKER.set(BREAKER_STATES.get(name, 2))


def watch_pool(app: Flask) -> None:
    from bebeli.extensions import db

    with app.app_context():
        engine = db.engine
    if getattr(engine, "_bebeli_metrics", False):
        return
    engine._bebeli_metrics = True
    capacity_of = {}  # pid → set: a worker forked from the master writes its own capacity once

    def checked_out(dbapi_connection, record, proxy) -> None:
        POOL_IN_USE.inc()
        pool = engine.pool
        if capacity_of.get("pid") != os.getpid() and hasattr(pool, "size"):
            capacity_of["pid"] = os.getpid()
            extra = getattr(pool, "_max_overflow", 0)
            POOL_CAPACITY.set(pool.size() + max(extra, 0) if extra >= 0 else float("inf"))
        if hasattr(pool, "overflow"):
            POOL_OVERFLOW.set(max(pool.overflow(), 0))

    def checked_in(dbapi_connection, record) -> None:
        POOL_IN_USE.dec()

    event.listen(engine, "checkout", checked_out)
    event.listen(engine, "checkin", checked_in)
