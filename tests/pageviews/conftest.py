"""Shared pieces of the page view tests: a browser's User-Agent, reading the table, flushing."""
from __future__ import annotations

import os
import uuid

import pytest
import redis
import sqlalchemy as sa

from bebeli import create_app
from bebeli.catalog.models import CatalogState
from bebeli.extensions import db, limiter
from bebeli.pageviews.counter import flush_views, memory_counts
from bebeli.pageviews.models import ProductViewsDaily
from tests.conftest import Client

BROWSER = {"User-Agent": "Mozilla/5.0 (Linux; Android 13; SM-A145F) AppleWebKit/537.36 (KHTML, like Gecko) "
                         "Chrome/120.0.0.0 Mobile Safari/537.36"}
REAL_REDIS = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens there: connections are refused at once


def views_of(product_id: int) -> int:
    db.session.commit()  # end the test's transaction: read what the flush committed
    return db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(ProductViewsDaily.views), 0))
                             .where(ProductViewsDaily.product_id == product_id))


def flush(server) -> str:
    with server.app_context():
        return flush_views()


@pytest.fixture(autouse=True)
def _no_counts_left(app):
    """Views other tests' pages left in the test app's memory are not this test's."""
    memory_counts(app).take()
    yield
    memory_counts(app).take()


@pytest.fixture
def make_server(app):
    """An app on the test database with its own Redis `url` and key prefix, cache on."""
    made = []

    def make(url: str, **overrides):
        settings = dict(SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"], UPLOAD_DIR=app.config["UPLOAD_DIR"],
                        REDIS_URL=url, CATALOG_CACHE_SECONDS=60, REDIS_BREAKER_RESET_SECONDS=60,
                        CACHE_KEY_PREFIX=f"bebeli-test-{uuid.uuid4().hex[:12]}")
        settings.update(overrides)
        server = create_app("testing", **settings)
        server.test_client_class = Client
        made.append(server)
        return server

    yield make
    for server in made:
        with server.app_context():
            db.engine.dispose()
        if server.config["REDIS_URL"] == REAL_REDIS:
            client = redis.Redis.from_url(REAL_REDIS)
            for name in client.scan_iter(f"{server.config['CACHE_KEY_PREFIX']}:*"):
                client.delete(name)
    limiter._storage_dead = False
    limiter.init_app(app)


@pytest.fixture
def real_redis():
    client = redis.Redis.from_url(REAL_REDIS, socket_timeout=1, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.skip(f"no Redis answered at {REAL_REDIS} ({exc.__class__.__name__}); start redis-server to run this")
    return client


@pytest.fixture
def catalog_state(ctx):
    db.session.merge(CatalogState(id=1, generation=0))  # the table is emptied between tests
    db.session.commit()
