"""Counted views reach product_views_daily through the flush: from Redis (taken whole, so a
second flush adds nothing), and from a worker's memory while Redis is down."""
from datetime import date

import sqlalchemy as sa
from click.testing import CliRunner

from bebeli.dates import jakarta_today
from bebeli.extensions import db
from bebeli.jobs.models import JobRun
from bebeli.jobs.schedule import BY_NAME
from bebeli.pageviews.counter import memory_counts
from bebeli.pageviews.models import ProductViewsDaily
from tests.catalog.helpers import indexed_product
from tests.pageviews.conftest import BROWSER, DEAD_REDIS, REAL_REDIS, flush, views_of


def _views(server, product, times: int) -> None:
    client = server.test_client()
    for _ in range(times):
        assert client.get(f"/produk/{product.id}/{product.slug}", headers=BROWSER).status_code == 200


def test_views_go_to_a_redis_hash_per_day_and_a_second_flush_adds_nothing(make_server, real_redis, catalog_state):
    product, other = indexed_product(name="Kopi Robusta"), indexed_product(name="Teh Melati")
    server = make_server(REAL_REDIS, PAGEVIEWS_DRAIN_SECONDS=0)  # each view handed to Redis at once
    _views(server, product, 3)
    _views(server, other, 1)
    name = f"{server.config['CACHE_KEY_PREFIX']}:views:{jakarta_today().isoformat()}"
    assert real_redis.hgetall(name) == {str(product.id).encode(): b"3", str(other.id).encode(): b"1"}
    assert len(memory_counts(server)) == 0
    assert views_of(product.id) == 0

    assert flush(server) == "flushed 4 view(s) of 2 product(s)"
    assert (views_of(product.id), views_of(other.id)) == (3, 1)
    assert not list(real_redis.scan_iter(f"{server.config['CACHE_KEY_PREFIX']}:views:*"))
    assert flush(server) == "flushed 0 view(s) of 0 product(s)"
    assert (views_of(product.id), views_of(other.id)) == (3, 1)

    _views(server, product, 2)  # the same day's row grows
    flush(server)
    assert views_of(product.id) == 5
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProductViewsDaily)) == 2


def test_a_hash_taken_by_a_failed_flush_is_added_by_the_next_exactly_once(make_server, real_redis, catalog_state):
    product = indexed_product(name="Kopi Robusta")
    server = make_server(REAL_REDIS)
    prefix = f"{server.config['CACHE_KEY_PREFIX']}:views"
    real_redis.hset(f"{prefix}:taken:2026-11-30:abc", str(product.id), 7)  # left by a run that failed
    real_redis.hset(f"{prefix}:2026-12-01", str(product.id), 2)
    assert flush(server) == "flushed 9 view(s) of 1 product(s)"
    flush(server)
    db.session.commit()
    rows = dict(db.session.execute(sa.select(ProductViewsDaily.day, ProductViewsDaily.views)).all())
    assert rows == {date(2026, 11, 30): 7, date(2026, 12, 1): 2}


def test_with_redis_down_the_worker_counts_in_memory_and_the_flush_writes_it(make_server, catalog_state):
    product = indexed_product(name="Kopi Robusta")
    server = make_server(DEAD_REDIS)
    _views(server, product, 3)  # pages still served (cached in the worker), views in memory
    assert sum(memory_counts(server).take().values()) == 3
    _views(server, product, 2)
    assert flush(server).startswith("flushed 2 view(s); Redis unavailable")
    assert views_of(product.id) == 2
    flush(server)
    assert views_of(product.id) == 2  # taken once, written once


def test_a_worker_hands_its_views_to_redis_once_per_drain_interval(make_server, real_redis, catalog_state):
    product = indexed_product(name="Kopi Robusta")
    server = make_server(REAL_REDIS, PAGEVIEWS_DRAIN_SECONDS=3600)
    name = f"{server.config['CACHE_KEY_PREFIX']}:views:{jakarta_today().isoformat()}"
    _views(server, product, 3)
    assert real_redis.hget(name, str(product.id)) is None and len(memory_counts(server)) == 1
    server.config["PAGEVIEWS_DRAIN_SECONDS"] = 0
    _views(server, product, 1)  # due: this view and the three held go to Redis together
    assert len(memory_counts(server)) == 0
    assert real_redis.hget(name, str(product.id)) == b"4"
    assert flush(server) == "flushed 4 view(s) of 1 product(s)"
    assert views_of(product.id) == 4


def test_without_redis_a_worker_writes_its_memory_at_most_every_drain_interval(make_server, catalog_state, statements):
    product = indexed_product(name="Kopi Robusta")
    server = make_server("", PAGEVIEWS_DRAIN_SECONDS=3600)
    _views(server, product, 3)
    assert views_of(product.id) == 0
    server.config["PAGEVIEWS_DRAIN_SECONDS"] = 0
    _views(server, product, 1)  # due: this worker writes what it holds, once
    assert views_of(product.id) == 4 and len(memory_counts(server)) == 0


def test_the_job_is_scheduled_and_its_command_records_its_run(app, ctx):
    entry = BY_NAME["pageviews-flush"]
    assert entry.function == "bebeli.pageviews.counter:flush_views" and entry.cli == "pageviews-flush"
    result = CliRunner().invoke(app.cli, ["pageviews-flush"], catch_exceptions=False)
    assert result.exit_code == 0 and "flushed 0 view(s)" in result.output
    db.session.commit()
    assert db.session.scalar(sa.select(JobRun.task_name).order_by(JobRun.id.desc()).limit(1)) == "pageviews-flush"
