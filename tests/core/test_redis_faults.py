"""Redis is optional at run time: with Redis hung (a socket that accepts and never answers) or
down (a closed port) as both the page cache's and the rate limiter's store, pages are served,
logins stay throttled per IP and per account, /readyz stays ready with Redis "degraded", and
after one failure the circuit breaker keeps requests away from Redis until its reset timeout.

Connection attempts are counted on the faulty server itself, never timed."""
from __future__ import annotations

import os
import socket
import threading
import time
import uuid

import pytest
import redis

from bebeli import create_app
from bebeli.catalog.models import CatalogState
from bebeli.extensions import db, limiter
from bebeli.redisguard import guarded_redis
from tests.catalog.helpers import indexed_product
from tests.conftest import Client

REAL_REDIS = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


class FaultyRedis:
    """A TCP server in a thread standing where Redis should be. "hang": it accepts and never
    answers; "forward": it passes each new connection through to a real Redis. It counts the
    connections the app makes."""

    def __init__(self, upstream: tuple[str, int] | None = None):
        self.mode, self.upstream = "hang", upstream
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self.port = self._listener.getsockname()[1]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._peers: list[int] = []  # the client port of every connection accepted
        self._open: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, peer = self._listener.accept()
            except (TimeoutError, socket.timeout):
                continue
            self._open.append(conn)
            self._peers.append(peer[1])
            if self.mode == "forward":
                upstream = socket.create_connection(self.upstream)
                self._open.append(upstream)
                for source, sink in ((conn, upstream), (upstream, conn)):
                    threading.Thread(target=_pump, args=(source, sink), daemon=True).start()

    def connections(self) -> int:
        """Connections the app has made so far. A marker connection of our own is made and
        waited for: the listen queue is first in, first out, so once the marker is accepted
        every connection made before it has been counted (no waiting on a clock)."""
        with socket.create_connection(("127.0.0.1", self.port)) as marker:
            mark = marker.getsockname()[1]
            while mark not in self._peers:
                time.sleep(0.005)
            index = self._peers.index(mark)
            self._peers.pop(index)
            return index

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        for conn in [self._listener, *self._open]:
            conn.close()


def _pump(source: socket.socket, sink: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass


def _closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"redis://127.0.0.1:{sock.getsockname()[1]}/0"


@pytest.fixture
def hung_redis():
    server = FaultyRedis()
    yield server
    server.close()


@pytest.fixture
def make_server(app):
    """An app on the test database whose Redis (page cache and rate limits) is `url`."""
    made = []

    def make(url: str, config: str = "testing", **overrides):
        settings = dict(SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"], UPLOAD_DIR=app.config["UPLOAD_DIR"],
                        REDIS_URL=url, RATELIMIT_STORAGE_URI=url, CATALOG_CACHE_SECONDS=60,
                        CACHE_KEY_PREFIX=f"bebeli-test-{uuid.uuid4().hex[:12]}", REDIS_BREAKER_RESET_SECONDS=60)
        settings.update(overrides)
        server = create_app(config, **settings)
        server.test_client_class = Client
        made.append(server)
        return server

    yield make
    for server in made:
        with server.app_context():
            db.engine.dispose()
    # The limiter is one object for every app of the process: give it back the test app's
    # in-memory storage, no longer marked dead.
    limiter._storage_dead = False
    limiter.init_app(app)


@pytest.fixture
def catalog_state(ctx):
    db.session.merge(CatalogState(id=1, generation=0))  # the table is emptied between tests
    db.session.commit()
    indexed_product(name="Kopi Robusta")
    indexed_product(name="Teh Melati")


def test_with_redis_hung_pages_are_served_and_the_breaker_keeps_requests_off_redis(
        make_server, hung_redis, catalog_state):
    client = make_server(hung_redis.url).test_client()
    first = client.get("/katalog?q=kopi")
    assert first.status_code == 200 and b"Kopi Robusta" in first.data
    assert hung_redis.connections() == 1  # one try, then the breaker opened

    again = client.get("/katalog?q=kopi")
    assert again.status_code == 200 and again.headers["X-Cache"] == "HIT"  # the worker's own copy
    other = client.get("/katalog?q=teh")  # not cached anywhere: rendered, Redis not asked
    assert other.status_code == 200 and b"Teh Melati" in other.data and other.headers["X-Cache"] == "MISS"
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.get_json()["checks"] == {"database": "ok", "redis": "degraded"}
    assert "circuit open" in ready.get_json()["degraded"]["redis"]
    assert hung_redis.connections() == 1  # none of them waited on Redis again
    assert client.get("/healthz").get_json() == {"status": "ok"}


@pytest.mark.parametrize("fault", ["hung", "down"])
def test_login_stays_throttled_per_ip_and_per_account_without_redis(make_server, hung_redis, fault):
    url = hung_redis.url if fault == "hung" else _closed_port_url()
    server = make_server(url, LOGIN_LIMIT_PER_IP="3 per minute", LOGIN_LIMIT_PER_ACCOUNT="2 per minute")

    guesser = server.test_client()  # wrong passwords on different accounts, from one address
    statuses = [guesser.post_form("/masuk", {"identifier": f"orang{i}@contoh.test", "password": "salah-sekali"}).status_code
                for i in range(4)]
    assert statuses == [200, 200, 200, 429]

    other_ip = server.test_client()  # one account, from another address
    statuses = [other_ip.post_form("/masuk", {"identifier": "dewi@contoh.test", "password": "salah-sekali"},
                                   environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


@pytest.mark.parametrize("fault", ["hung", "down"])
def test_readyz_is_ready_with_redis_degraded(make_server, hung_redis, fault):
    url = hung_redis.url if fault == "hung" else _closed_port_url()
    response = make_server(url).test_client().get("/readyz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "degraded" and body["checks"] == {"database": "ok", "redis": "degraded"}
    assert body["degraded"]["redis"]  # the reason
    assert response.headers["Cache-Control"] == "no-store"


def test_development_config_serves_without_redis(make_server, catalog_state):
    client = make_server(_closed_port_url(), config="development").test_client()
    assert client.get("/katalog?q=kopi").status_code == 200
    login = client.post_form("/masuk", {"identifier": "dewi@contoh.test", "password": "salah-sekali"})
    assert login.status_code == 200
    assert client.get("/readyz").status_code == 200


def test_the_breaker_closes_when_redis_comes_back(make_server, catalog_state):
    real = redis.Redis.from_url(REAL_REDIS, socket_timeout=1, socket_connect_timeout=1)
    try:
        real.ping()
    except redis.RedisError as exc:
        pytest.skip(f"no Redis answered at {REAL_REDIS} ({exc.__class__.__name__}); start redis-server to run this")
    options = real.connection_pool.connection_kwargs
    flaky = FaultyRedis(upstream=(options["host"], options["port"]))
    server = make_server(flaky.url, REDIS_BREAKER_RESET_SECONDS=0.2, RATELIMIT_STORAGE_URI="memory://")
    prefix = server.config["CACHE_KEY_PREFIX"]
    try:
        client = server.test_client()
        assert client.get("/readyz").get_json()["checks"]["redis"] == "degraded"
        with server.app_context():
            assert guarded_redis(server).state == "open"

        flaky.mode = "forward"  # Redis is back
        time.sleep(0.3)  # past the breaker's reset timeout: the next call tries Redis again
        ready = client.get("/readyz")
        assert ready.status_code == 200 and ready.get_json() == {"status": "ok", "checks": {"database": "ok", "redis": "ok"}}
        with server.app_context():
            assert guarded_redis(server).state == "closed"
        assert client.get("/katalog?q=kopi").status_code == 200
        assert list(real.scan_iter(f"{prefix}:page:*"))  # the shared cache is in use again
    finally:
        for name in real.scan_iter(f"{prefix}:*"):
            real.delete(name)
        flaky.close()
