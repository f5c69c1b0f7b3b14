"""Test harness: the schema is built once per session by running the migrations on the real
database (SQLite file, or PostgreSQL when TEST_DATABASE_URL is set); every test starts from
empty tables and leaves them empty again, so tests may commit, use threads and live servers."""
from __future__ import annotations

import os
import re
import shutil
import time

import pyotp
import pytest
import sqlalchemy as sa
from flask import current_app, has_app_context
from flask.testing import FlaskClient

from bebeli import create_app
from bebeli.extensions import db, limiter

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def pytest_report_header(config):
    return f"database: {TEST_DATABASE_URL or 'SQLite (temporary file)'}"


class Client(FlaskClient):
    """The Flask test client, plus form posts that carry a real CSRF token."""

    def open(self, *args, **kwargs):
        # The test's own session (see `data_app`) ends its transaction before each request,
        # as a separate client would, and reads fresh rows afterwards.
        if has_app_context() and current_app._get_current_object() is not self.application:
            db.session.commit()
        return super().open(*args, **kwargs)

    def csrf_token(self, page: str = "/masuk") -> str:
        html = self.get(page).get_data(as_text=True)
        match = CSRF_RE.search(html)
        assert match, f"no csrf_token on {page}"
        return match.group(1)

    def post_form(self, url: str, data: dict | None = None, *, page: str | None = None, **kwargs):
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf_token(page or url))
        return self.post(url, data=data, **kwargs)

    def login(self, identifier, password: str | None = None, totp_secret: str | None = None):
        from tests.factories import TEST_PASSWORD, TEST_TOTP_SECRET

        identifier = getattr(identifier, "email", identifier)
        response = self.post_form("/masuk", {"identifier": identifier, "password": password or TEST_PASSWORD})
        if response.status_code == 302 and response.location.endswith("/masuk/verifikasi"):
            response = self.answer_totp(totp_secret or TEST_TOTP_SECRET)
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        return response

    def answer_totp(self, secret: str):
        """The two-step login's code step. A code works once, so a second login within the
        same 30 seconds answers with the next step's code (the server accepts one step ahead)."""
        totp = pyotp.TOTP(secret)
        response = None
        for at in (time.time(), time.time() + totp.interval):
            response = self.post_form("/masuk/verifikasi", {"code": totp.at(at)})
            if response.status_code == 302:
                break
        return response

    def logout(self):
        return self.post_form("/keluar", page="/akun")


def _reset_postgres(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def database_uri(tmp_path_factory):
    if TEST_DATABASE_URL:
        return TEST_DATABASE_URL
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def app(tmp_path_factory, database_uri):
    from flask_migrate import upgrade

    base = tmp_path_factory.mktemp("bebeli")
    if TEST_DATABASE_URL:
        _reset_postgres(TEST_DATABASE_URL)
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_uri, UPLOAD_DIR=str(base / "uploads"))
    app.test_client_class = Client
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()
    shutil.rmtree(base, ignore_errors=True)


def _empty_all_tables() -> None:
    db.session.remove()
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture(autouse=True)
def _fresh_database(app):
    """Every test sees empty tables and fresh rate-limit counters."""
    yield
    with app.app_context():
        _empty_all_tables()
    limiter.reset()


@pytest.fixture(scope="session")
def data_app(app, database_uri):
    """A second app on the same database for the test's own reads and writes.

    Flask reuses an already-pushed app context for requests of the same app, which would
    share `g` (the logged-in user) and the session between the test and every request.
    Holding the test's context on another app keeps requests as isolated as in production.
    """
    options = {"pool_pre_ping": True, "execution_options": {"sqlite_begin": "DEFERRED"}}
    return create_app("testing", SQLALCHEMY_DATABASE_URI=database_uri, UPLOAD_DIR=app.config["UPLOAD_DIR"],
                      SQLALCHEMY_ENGINE_OPTIONS=options)


@pytest.fixture
def ctx(data_app):
    """An application context for tests that use the database or services directly."""
    with data_app.app_context():
        yield
        db.session.rollback()


@pytest.fixture
def client(app) -> Client:
    return app.test_client()


@pytest.fixture
def other_client(app) -> Client:
    return app.test_client()


@pytest.fixture
def statements(app):
    """Every SQL statement the app's engine runs while the test does (clear it to count one step)."""
    seen: list[str] = []

    def listen(conn, cursor, statement, *args):
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", listen)
    yield seen
    sa.event.remove(engine, "before_cursor_execute", listen)


def reads_of(seen: list[str], table: str) -> list[str]:
    """The statements among `seen` that read `table`."""
    return [s for s in seen if re.search(rf"\b(FROM|JOIN) {table}\b", s)]


@pytest.fixture
def cache_on(app, ctx):
    """The page cache on for one test, empty, at catalog generation 0."""
    from bebeli.catalog.cache import page_cache
    from bebeli.catalog.models import CatalogState

    app.config["CATALOG_CACHE_SECONDS"] = 60
    with app.app_context():
        page_cache().clear()
    db.session.merge(CatalogState(id=1, generation=0))  # the table is emptied between tests
    db.session.commit()
    yield
    app.config["CATALOG_CACHE_SECONDS"] = 0


def run_in_threads(target, argument_lists, timeout: float = 60) -> None:
    """Call `target(*arguments)` for each of `argument_lists`, each in a thread of its own,
    all at once; return when all have finished (or `timeout` seconds each have passed)."""
    import threading

    threads = [threading.Thread(target=target, args=tuple(arguments), daemon=True) for arguments in argument_lists]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
