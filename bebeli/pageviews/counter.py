"""Counting product views: a dictionary update per view, never a database query.

A view is added to the worker's own counter, (Jakarta day, product id) → views. At most once
every PAGEVIEWS_DRAIN_SECONDS the worker hands what it holds on, in one round trip: to the
hash `<CACHE_KEY_PREFIX>:views:<Jakarta day>` (field: the product id) in Redis with HINCRBY
in a pipeline, through bebeli.redisguard; with Redis away (or no REDIS_URL) straight into the
table (one executemany of an upsert per product and day held, not one statement per view).

The `pageviews-flush` job (bebeli/jobs/schedule.py) moves the counts into
`product_views_daily`: each day's hash is taken whole with RENAME (atomic: a view counted a
moment later starts a fresh hash), added to the table with an upsert, and deleted once that
has committed. A hash whose transaction failed stays taken and is added by the next run, so
two runs never add the same counts twice. What the known limit is: a process killed between
the commit and the DEL would add that batch again on the next run; the views a worker holds
(at most PAGEVIEWS_DRAIN_SECONDS' worth) are lost if it dies before handing them on.
"""
from __future__ import annotations

import logging
import time
import uuid
from collections import Counter
from datetime import date
from threading import Lock

import sqlalchemy as sa
from flask import Flask, current_app
from redis.exceptions import ResponseError

from bebeli.catalog.models import Product
from bebeli.dates import jakarta_today
from bebeli.extensions import db
from bebeli.pageviews.models import ProductViewsDaily
from bebeli.redisguard import UNAVAILABLE

log = logging.getLogger(__name__)

DRAIN_SECONDS = 5        # default of PAGEVIEWS_DRAIN_SECONDS
MAX_MEMORY_KEYS = 200_000  # distinct (day, product) pairs a worker holds at most while Redis is away


class MemoryCounts:
    """A worker's own counts, (day, product id) → views, taken whole and reset at once."""

    def __init__(self):
        self._lock = Lock()
        self._counts: Counter = Counter()
        self.drained_at = time.monotonic()
        self.dropped = 0

    def add(self, day: date, product_id: int) -> None:
        with self._lock:
            if len(self._counts) >= MAX_MEMORY_KEYS and (day, product_id) not in self._counts:
                self.dropped += 1
                return
            self._counts[(day, product_id)] += 1

    def take(self) -> Counter:
        with self._lock:
            taken, self._counts = self._counts, Counter()
            self.drained_at = time.monotonic()
        return taken

    def give_back(self, counts: Counter) -> None:
        with self._lock:
            self._counts.update(counts)

    def __len__(self) -> int:
        return len(self._counts)


def memory_counts(app: Flask | None = None) -> MemoryCounts:
    app = app or current_app._get_current_object()
    counts = app.extensions.get("bebeli.pageviews.memory")
    if counts is None:
        counts = app.extensions["bebeli.pageviews.memory"] = MemoryCounts()
    return counts


def _redis(app: Flask):
    if not app.config.get("REDIS_URL"):
        return None
    from bebeli.redisguard import guarded_redis

    return guarded_redis(app)


def _prefix(app: Flask) -> str:
    return f"{app.config.get('CACHE_KEY_PREFIX', 'bebeli')}:views"


def _hash_name(app: Flask, day: date) -> str:
    return f"{_prefix(app)}:{day.isoformat()}"


def count_view(product_id: int) -> None:
    """Count one view of the product today (Jakarta). Costs a dictionary update; every
    PAGEVIEWS_DRAIN_SECONDS one request of the worker hands what it holds on. Never raises
    for Redis or the database."""
    app = current_app._get_current_object()
    memory = memory_counts(app)
    memory.add(jakarta_today(), product_id)
    if time.monotonic() - memory.drained_at >= app.config.get("PAGEVIEWS_DRAIN_SECONDS", DRAIN_SECONDS):
        drain_memory(app)


def drain_memory(app: Flask) -> int:
    """Hand the worker's own counts on: to Redis when it answers, else into the table.
    Returns how many views went into the table (those handed to Redis reach it with the
    next flush); on failure they stay in memory."""
    memory = memory_counts(app)
    taken = memory.take()
    if not taken:
        return 0
    guarded = _redis(app)
    if guarded is not None:
        def push(client):
            pipe = client.pipeline(transaction=True)
            for (day, product_id), views in taken.items():
                pipe.hincrby(_hash_name(app, day), product_id, views)
            pipe.execute()

        try:
            guarded.call(push)
            return 0
        except UNAVAILABLE:
            pass
    try:
        with db.engine.begin() as conn:  # its own transaction, not the request's
            _add_to_table(conn, taken)
    except sa.exc.SQLAlchemyError:
        log.warning("page views kept in memory: the table could not be written", exc_info=True)
        memory.give_back(taken)
        return 0
    return sum(taken.values())


def _add_to_table(conn, counts: Counter) -> None:
    """Add the counts to product_views_daily, one upsert per (product, day), in one executemany.
    Products deleted since are left out (the SELECT finds no row)."""
    if not counts:
        return
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    table = ProductViewsDaily.__table__
    source = sa.select(Product.id, sa.bindparam("day", type_=sa.Date), sa.bindparam("views", type_=sa.Integer)) \
        .where(Product.id == sa.bindparam("pid"))
    stmt = insert(table).from_select(["product_id", "day", "views"], source)
    stmt = stmt.on_conflict_do_update(index_elements=["product_id", "day"],
                                      set_={"views": table.c.views + stmt.excluded.views})
    rows = [{"pid": int(product_id), "day": day, "views": int(views)}
            for (day, product_id), views in sorted(counts.items())]
    conn.execute(stmt, rows)


def _take_redis_hashes(app: Flask, client) -> list[str]:
    """Rename every day's hash to a taken name (atomically) and list all taken hashes,
    those left by a run that failed included."""
    prefix = _prefix(app)
    for name in list(client.scan_iter(f"{prefix}:*", count=500)):
        name = name.decode()
        if name.startswith(f"{prefix}:taken:"):
            continue
        day = name.rsplit(":", 1)[1]
        try:
            client.rename(name, f"{prefix}:taken:{day}:{uuid.uuid4().hex}")
        except ResponseError:  # gone since the scan (taken by another run): nothing to do
            pass
    return sorted(name.decode() for name in client.scan_iter(f"{prefix}:taken:*", count=500))


def flush_views() -> str:
    """The `pageviews-flush` job: move the counted views into product_views_daily."""
    app = current_app._get_current_object()
    # This process's own counts first: into Redis, or into the table without (or while away).
    total, guarded, products = drain_memory(app), _redis(app), set()
    if guarded is None:
        return f"flushed {total} view(s) from this worker's memory"
    try:
        taken = guarded.call(lambda client: _take_redis_hashes(app, client))
        for name in taken:
            day = date.fromisoformat(name.split(":")[-2])
            fields = guarded.call(lambda client, n: client.hgetall(n), name)
            counts = Counter({(day, int(field)): int(value) for field, value in fields.items()})
            with db.engine.begin() as conn:
                _add_to_table(conn, counts)
            guarded.call(lambda client, n: client.delete(n), name)  # only once the counts are in
            total += sum(counts.values())
            products.update(product_id for _, product_id in counts)
    except UNAVAILABLE as error:
        return f"flushed {total} view(s); Redis unavailable ({error.__class__.__name__}), the rest waits"
    return f"flushed {total} view(s) of {len(products)} product(s)"
