"""With REDIS_URL, cached catalog pages are shared by every worker and server through Redis:
one renders, the others serve; a catalog change reaches them all; Redis failing costs a
rendering, never a request."""
import logging
import os
import uuid

import pytest
import redis

from bebeli import create_app
from bebeli.catalog.models import CatalogState, Product
from bebeli.extensions import db
from tests.catalog.helpers import indexed_product
from tests.conftest import Client
from tests.factories import AsnFactory

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def servers(app):
    """Two app servers on the test database and one Redis, with a prefix of their own."""
    client = redis.Redis.from_url(REDIS_URL, socket_timeout=1, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.skip(f"no Redis answered at {REDIS_URL} ({exc.__class__.__name__}); start redis-server to run this")
    prefix = f"bebeli-test-{uuid.uuid4().hex[:12]}"
    made = []
    for _ in range(2):
        server = create_app("testing", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                            UPLOAD_DIR=app.config["UPLOAD_DIR"], REDIS_URL=REDIS_URL, CACHE_KEY_PREFIX=prefix,
                            CATALOG_CACHE_SECONDS=60)
        server.test_client_class = Client
        made.append(server)
    yield made
    for server in made:
        with server.app_context():
            db.engine.dispose()
    for name in client.scan_iter(f"{prefix}:*"):
        client.delete(name)


@pytest.fixture
def catalog_state(ctx):
    db.session.merge(CatalogState(id=1, generation=0))  # the table is emptied between tests
    db.session.commit()


def test_a_page_rendered_by_one_server_is_served_by_the_other(servers, catalog_state):
    product = indexed_product(name="Kopi Robusta", price_amount=45_000)
    one, other = (server.test_client() for server in servers)
    path = f"/produk/{product.id}/{product.slug}"
    assert one.get(path).headers["X-Cache"] == "MISS"
    served = other.get(path)
    assert served.headers["X-Cache"] == "HIT" and "Rp\u00a045.000".encode() in served.data

    # A change through the ORM moves the generation: both servers render afresh.
    db.session.get(Product, product.id).price_amount = 50_000
    db.session.commit()
    fresh = other.get(path)
    assert fresh.headers["X-Cache"] == "MISS" and "Rp\u00a050.000".encode() in fresh.data
    assert one.get(path).headers["X-Cache"] == "HIT"  # … which the first then takes from Redis


def test_signed_in_buyers_on_two_servers_share_the_rendering_with_their_own_frame(servers, catalog_state):
    indexed_product(name="Kopi Robusta")
    dewi, budi = servers[0].test_client(), servers[1].test_client()
    for client, user in ((dewi, AsnFactory(user__name="Dewi Pembeli").user),
                         (budi, AsnFactory(user__name="Budi Santoso").user)):
        client.login(user)
        client.get("/akun")  # past the welcome message
    first, second = dewi.get("/katalog?q=kopi"), budi.get("/katalog?q=kopi")
    assert (first.headers["X-Cache"], second.headers["X-Cache"]) == ("MISS", "HIT")
    assert b"Budi Santoso" in second.data and b"Dewi Pembeli" not in second.data


def test_without_redis_pages_are_rendered_and_the_failure_logged_once(app, catalog_state, caplog):
    indexed_product(name="Kopi Robusta")
    server = create_app("testing", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                        UPLOAD_DIR=app.config["UPLOAD_DIR"], REDIS_URL="redis://127.0.0.1:1/0",
                        CACHE_KEY_PREFIX="bebeli-test-down", CATALOG_CACHE_SECONDS=60)
    try:
        client = server.test_client()
        with caplog.at_level(logging.WARNING, logger="bebeli.catalog.cache"):
            pages = [client.get("/katalog?q=kopi") for _ in range(3)]
        assert [p.status_code for p in pages] == [200, 200, 200]
        assert all(b"Kopi Robusta" in p.data for p in pages)
        assert pages[-1].headers["X-Cache"] == "HIT"  # the worker's own copy still serves
        assert len([r for r in caplog.records if "shared page cache" in r.getMessage()]) == 1
    finally:
        with server.app_context():
            db.engine.dispose()
