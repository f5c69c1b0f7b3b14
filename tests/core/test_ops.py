"""Running as a city would: readiness, Redis-shared rate limits, request ids and JSON logs,
HTTPS and proxies, gunicorn with the production configuration, backup and restore."""
from __future__ import annotations

import io
import json
import logging
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from bebeli import create_app
from bebeli.observability import JsonFormatter, RequestIdFilter

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _redis_or_skip():
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_timeout=1, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.skip(f"no Redis answered at {REDIS_URL} ({exc.__class__.__name__}); start redis-server to run this")
    return client


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _app(app, **config):
    """Another app on the test database, with some settings changed."""
    return create_app("testing", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"], **config)


# --- readiness ----------------------------------------------------------------------------

def test_readyz_reports_redis_when_it_answers(app):
    _redis_or_skip()
    response = _app(app, REDIS_URL=REDIS_URL).test_client().get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "checks": {"database": "ok", "redis": "ok"}}


def test_readyz_stays_ready_with_redis_degraded_when_redis_is_down(app):
    response = _app(app, REDIS_URL=f"redis://127.0.0.1:{_free_port()}/0").test_client().get("/readyz")
    assert response.status_code == 200  # Redis is optional: a load balancer keeps this server
    body = response.get_json()
    assert body["status"] == "degraded"
    assert body["checks"] == {"database": "ok", "redis": "degraded"}
    assert "ConnectionError" in body["degraded"]["redis"]
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_is_503_when_the_database_is_down(app, tmp_path):
    broken = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/missing/dir/db.sqlite3")
    response = broken.test_client().get("/readyz")
    assert response.status_code == 503 and response.get_json()["checks"]["database"].startswith("error: ")
    assert broken.test_client().get("/healthz").status_code == 200  # the process itself is alive


# --- rate limits shared through Redis -----------------------------------------------------

# One "app server": its own process, its own app, the shared database and Redis. It starts at
# once and makes its login attempts when told to on stdin.
_SERVER = """
import json, os, sys
from bebeli import create_app
app = create_app("testing", SQLALCHEMY_DATABASE_URI=os.environ["DB"], RATELIMIT_STORAGE_URI=os.environ["STORAGE"],
                 RATELIMIT_STORAGE_OPTIONS={"key_prefix": os.environ["PREFIX"]}, WTF_CSRF_ENABLED=False,
                 LOGIN_LIMIT_PER_ACCOUNT="3 per minute", LOGIN_MAX_FAILURES=100)
client = app.test_client()
form = {"identifier": "ani@contoh.go.id", "password": "salah-sekali-123"}
sys.stdin.readline()
print(json.dumps([client.post("/masuk", data=form).status_code for _ in range(2)]))
"""


def _start_app_server(app, prefix: str) -> subprocess.Popen:
    env = dict(os.environ, DB=app.config["SQLALCHEMY_DATABASE_URI"], STORAGE=REDIS_URL, PREFIX=prefix)
    return subprocess.Popen([sys.executable, "-c", _SERVER], cwd=ROOT, env=env, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _login_attempts(server: subprocess.Popen) -> list[int]:
    out, err = server.communicate("go\n", timeout=60)
    assert server.returncode == 0, err[-3000:]
    return json.loads(out.strip().splitlines()[-1])


def test_two_app_servers_share_login_throttle_counters_through_redis(app):
    redis_client = _redis_or_skip()
    prefix = f"bebeli-test-{uuid.uuid4().hex}"
    first, second = _start_app_server(app, prefix), _start_app_server(app, prefix)
    try:
        # The account allows 3 attempts a minute: 2 on one server, then on the other the 3rd
        # passes and the 4th is refused, which only happens if both count in one place.
        assert _login_attempts(first) == [200, 200]
        assert _login_attempts(second) == [200, 429]
        assert list(redis_client.scan_iter(f"{prefix}*"))  # the counters really live in Redis
    finally:
        for server in (first, second):
            server.kill()
            server.wait()
        for key in redis_client.scan_iter(f"{prefix}*"):
            redis_client.delete(key)


# --- request ids and logs -----------------------------------------------------------------

def test_request_id_is_kept_when_well_formed_and_replaced_otherwise(client):
    assert client.get("/healthz", headers={"X-Request-ID": "lb-7f3a9c21"}).headers["X-Request-ID"] == "lb-7f3a9c21"
    for bad in ("short", "has spaces in it", "x" * 65, "<script>alert(1)</script>"):
        replaced = client.get("/healthz", headers={"X-Request-ID": bad}).headers["X-Request-ID"]
        assert replaced != bad and len(replaced) == 32 and int(replaced, 16) >= 0


def test_every_log_line_of_a_request_is_json_with_its_request_id(app):
    fresh = _app(app)

    @fresh.get("/_work")
    def work():
        logging.getLogger("bebeli.test").warning("stock low for %s", "produk 7")
        return "ok"

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    loggers = [logging.getLogger("bebeli.test"), logging.getLogger("bebeli.access")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    try:
        fresh.test_client().get("/_work", headers={"X-Request-ID": "req-abcdef12"})
        logging.getLogger("bebeli.test").info("outside any request")
    finally:
        for logger, level in zip(loggers, levels):
            logger.removeHandler(handler)
            logger.setLevel(level)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    app_line, access_line, outside = lines
    assert app_line["message"] == "stock low for produk 7" and app_line["request_id"] == "req-abcdef12"
    assert access_line["logger"] == "bebeli.access" and access_line["request_id"] == "req-abcdef12"
    assert access_line["method"] == "GET" and access_line["path"] == "/_work" and access_line["status"] == 200
    assert isinstance(access_line["duration_ms"], float) and access_line["level"] == "INFO"
    assert "request_id" not in outside


# --- HTTPS, headers, proxies --------------------------------------------------------------

def test_https_is_enforced_except_for_health_probes(app):
    secure = _app(app, FORCE_HTTPS=True, SESSION_COOKIE_SECURE=True).test_client()
    response = secure.get("/masuk?next=/akun")
    assert response.status_code == 301 and response.location == "https://localhost/masuk?next=/akun"
    assert secure.get("/healthz").status_code == 200 and secure.get("/readyz").status_code == 200

    page = secure.get("/masuk", base_url="https://localhost")
    assert page.status_code == 200
    assert page.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    cookie = page.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_security_headers_forbid_framing_sniffing_and_inline_script(client):
    headers = client.get("/masuk").headers
    csp = dict(part.strip().split(" ", 1) for part in headers["Content-Security-Policy"].split(";"))
    assert csp["script-src"] == "'self'" and csp["style-src"] == "'self'"
    assert csp["img-src"] == "'self' data:" and csp["frame-ancestors"] == "'none'" and csp["object-src"] == "'none'"
    assert headers["X-Content-Type-Options"] == "nosniff" and headers["X-Frame-Options"] == "DENY"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "X-XSS-Protection" not in headers


def test_images_from_the_public_bucket_are_allowed_when_uploads_live_there(app):
    headers = _app(app, S3_PUBLIC_URL="https://cdn.bekasikab.go.id/bebeli").test_client().get("/masuk").headers
    assert "img-src 'self' data: https://cdn.bekasikab.go.id;" in headers["Content-Security-Policy"]


def _client_address_seen(fresh, caplog, **headers) -> str:
    with caplog.at_level(logging.INFO, logger="bebeli.access"):
        fresh.test_client().get("/healthz", headers=headers, environ_base={"REMOTE_ADDR": "10.0.0.2"})
    return caplog.records[-1].fields["remote_addr"]


def test_forwarded_headers_are_believed_only_from_configured_proxies(app, caplog):
    forwarded = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}
    assert _client_address_seen(_app(app), caplog, **forwarded) == "10.0.0.2"
    behind_proxy = _app(app, TRUSTED_PROXY_COUNT=1, FORCE_HTTPS=True)
    assert _client_address_seen(behind_proxy, caplog, **forwarded) == "203.0.113.9"
    # The proxy terminated TLS: no redirect loop, and HSTS is sent.
    page = behind_proxy.test_client().get("/masuk", headers=forwarded)
    assert page.status_code == 200 and "Strict-Transport-Security" in page.headers


# --- gunicorn with the production configuration -------------------------------------------

def _production_env(app, port: int, redis_url: str) -> dict:
    return dict(
        os.environ, BEBELI_CONFIG="production", SECRET_KEY="test-" + "s" * 40, REDIS_URL=redis_url,
        DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"], STRIPE_SECRET_KEY="sk_test_unused",
        STRIPE_WEBHOOK_SECRET="whsec_unused", STRIPE_API_BASE="http://127.0.0.1:9", FORCE_HTTPS="0",
        BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY="1", UPLOAD_DIR=app.config["UPLOAD_DIR"],
        PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
    )


def _wait_until_up(url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert server.poll() is None, server.stderr.read()[-3000:]
        try:
            urllib.request.urlopen(url, timeout=5)
            return
        except OSError:  # refused, or accepted before the worker was ready
            time.sleep(0.1)
    pytest.fail("gunicorn did not answer within 30 s")


def test_gunicorn_serves_with_the_production_configuration_and_logs_json(app):
    try:
        _redis_or_skip()
        redis_url, redis_state = REDIS_URL, "ok"
    except pytest.skip.Exception:
        redis_url, redis_state = f"redis://127.0.0.1:{_free_port()}/0", "degraded"
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"], cwd=ROOT,
                              env=_production_env(app, port, redis_url), stderr=subprocess.PIPE, text=True)
    try:
        _wait_until_up(f"http://127.0.0.1:{port}/healthz", server)
        request = urllib.request.Request(f"http://127.0.0.1:{port}/readyz", headers={"X-Request-ID": "gunicorn-probe-1"})
        try:
            response = urllib.request.urlopen(request, timeout=5)
        except urllib.error.HTTPError as error:
            response = error
        assert response.status == 200  # ready, with Redis "degraded" when it is not running here
        body = json.loads(response.read())
        assert response.headers["X-Request-ID"] == "gunicorn-probe-1"
        assert body["checks"]["database"] == "ok" and body["checks"]["redis"].startswith(redis_state)
    finally:
        server.terminate()
        log = server.communicate(timeout=30)[1]
    records = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    access = [r for r in records if r.get("request_id") == "gunicorn-probe-1"]
    assert access and access[0]["logger"] == "bebeli.access" and access[0]["path"] == "/readyz"
    assert any(r["logger"] == "gunicorn.error" and "Booting worker" in r["message"] for r in records)
    assert not [line for line in log.splitlines() if line.strip() and not line.startswith("{")], log[-2000:]


def test_production_refuses_to_start_without_redis(monkeypatch):
    for name, value in {"SECRET_KEY": "k" * 40, "DATABASE_URL": "postgresql+psycopg://u@127.0.0.1/x",
                        "STRIPE_SECRET_KEY": "sk_test_x", "STRIPE_WEBHOOK_SECRET": "whsec_x"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("REDIS_URL", raising=False)
    with pytest.raises(RuntimeError, match="REDIS_URL"):
        create_app("production")


# --- backup and restore -------------------------------------------------------------------

@pytest.fixture
def scratch_postgres(app):
    """An empty PostgreSQL database next to the test database, dropped afterwards."""
    url = sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "postgresql" or not (shutil.which("pg_dump") and shutil.which("psql")):
        pytest.skip("backup and restore need PostgreSQL (TEST_DATABASE_URL) and its client tools")
    name = f"{url.database}_backup"
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    scratch = url.set(database=name)
    yield scratch
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _run_script(script: str, *args: str, env: dict) -> subprocess.CompletedProcess:
    done = subprocess.run([str(ROOT / "scripts" / script), *args], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done


def test_backup_then_restore_brings_back_database_and_images(scratch_postgres, tmp_path):
    engine = sa.create_engine(scratch_postgres)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE products (id int PRIMARY KEY, name text)"))
        conn.execute(sa.text("INSERT INTO products VALUES (1, 'Keripik Tempe')"))
    uploads = tmp_path / "uploads"
    (uploads / "products").mkdir(parents=True)
    (uploads / "products" / "1.webp").write_bytes(b"image-1")
    env = dict(os.environ, DATABASE_URL=scratch_postgres.render_as_string(hide_password=False),
               UPLOAD_DIR=str(uploads))

    db_file, uploads_file = _run_script("backup.sh", str(tmp_path / "backups"), env=env).stdout.split()
    assert Path(db_file).name.startswith("bebeli-db-") and Path(uploads_file).name.endswith(".tar.gz")

    # Things go wrong after the backup…
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM products"))
        conn.execute(sa.text("CREATE TABLE added_later (x int)"))
    (uploads / "products" / "1.webp").write_bytes(b"overwritten")
    engine.dispose()

    _run_script("restore.sh", "--yes", db_file, uploads_file, env=env)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT name FROM products")).scalars().all() == ["Keripik Tempe"]
        assert not conn.execute(sa.text("SELECT to_regclass('added_later')")).scalar()
        # A dump carries no planner statistics: the restore rebuilds them.
        assert conn.execute(sa.text("SELECT last_analyze IS NOT NULL FROM pg_stat_user_tables "
                                    "WHERE relname = 'products'")).scalar()
    engine.dispose()
    assert (uploads / "products" / "1.webp").read_bytes() == b"image-1"
    kept = list(tmp_path.glob("uploads.before-restore-*"))
    assert len(kept) == 1 and (kept[0] / "products" / "1.webp").read_bytes() == b"overwritten"


def test_restore_of_a_damaged_dump_changes_nothing(scratch_postgres, tmp_path):
    engine = sa.create_engine(scratch_postgres)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE products (id int PRIMARY KEY)"))
        conn.execute(sa.text("INSERT INTO products VALUES (7)"))
    env = dict(os.environ, DATABASE_URL=scratch_postgres.render_as_string(hide_password=False),
               UPLOAD_DIR=str(tmp_path / "uploads"))
    db_file = _run_script("backup.sh", str(tmp_path), env=env).stdout.split()[0]
    damaged = tmp_path / "damaged.dump"
    damaged.write_bytes(Path(db_file).read_bytes()[:600])
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO products VALUES (8)"))

    done = subprocess.run([str(ROOT / "scripts" / "restore.sh"), "--yes", str(damaged)], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT id FROM products ORDER BY id")).scalars().all() == [7, 8]
    engine.dispose()


def test_the_access_log_names_the_user_without_reading_the_account_again(client, ctx, caplog, statements):
    from tests.catalog.helpers import indexed_product
    from tests.conftest import reads_of
    from tests.factories import AsnFactory

    product = indexed_product(name="Kopi Robusta")
    buyer = AsnFactory().user
    client.login(buyer)
    token = client.csrf_token("/keranjang/")
    statements.clear()
    with caplog.at_level(logging.INFO, logger="bebeli.access"):
        added = client.post("/keranjang/tambah", data={"product_id": product.id, "quantity": 1, "csrf_token": token})
    assert added.status_code == 302
    assert caplog.records[-1].fields["user_id"] == buyer.id
    # The account is loaded once; the view's commit does not make logging load it again.
    assert len(reads_of(statements, "users")) == 1
