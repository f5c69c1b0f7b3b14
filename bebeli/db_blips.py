"""Database blips: a connection dropped by a database restart, a failover or a network hiccup.

`pool_pre_ping` (config.py) tests a pooled connection before a request uses it, so a connection
that died while idle is replaced unnoticed. One that drops in the middle of a request raises a
connection error: the session is rolled back, and the user gets a 503 page ("coba lagi") with the
request id and a `Retry-After` header instead of a 500. A read-only request (GET or HEAD without a
body) is run once more first, on a fresh connection, so a reader never notices. A write is never
repeated by the server: the user submits it again, and checkout's idempotency key makes the
repeat land on the same order.
"""
from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import Flask, g, make_response, request
from flask_babel import lazy_gettext as _l
from markupsafe import escape

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
BLIP_MESSAGE = _l("Layanan sedang sibuk. Coba lagi sebentar lagi.")
BLIP_TITLE = _l("Layanan sedang sibuk")
SAFE_METHODS = frozenset({"GET", "HEAD"})
_BLIP_KEY = "bebeli.db_blip"      # environ: the request id of a request that hit a blip
_RETRY_KEY = "bebeli.db_retry"    # environ: this is the second run


def is_connection_error(error: BaseException) -> bool:
    """A lost or unavailable database connection (as opposed to a constraint or a bad query)."""
    if isinstance(error, sa.exc.DBAPIError):
        return bool(error.connection_invalidated) or isinstance(error, sa.exc.OperationalError)
    try:
        import psycopg
    except ImportError:  # pragma: no cover - SQLite-only installs
        return False
    return isinstance(error, psycopg.OperationalError)


def blip_response(error: BaseException):
    """Roll back, log, and answer 503 (page or JSON) with `Retry-After` and the request id."""
    from bebeli.errors import error_response
    from bebeli.extensions import db

    request_id = g.get("request_id", "-")
    request.environ[_BLIP_KEY] = request_id
    retry = " (after one retry)" if request.environ.get(_RETRY_KEY) else ""
    log.warning("database connection lost during %s %s%s (request id %s): %s",
                request.method, request.path, retry, request_id, error)
    _rollback(db)
    try:
        response, status = error_response(503, BLIP_MESSAGE, "database_unavailable")
    except Exception:  # noqa: BLE001 - the page itself needed the database (say, the signed-in user)
        _rollback(db)
        response, status = _plain_page(request_id), 503
    response = make_response(response, status)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _rollback(db) -> None:
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the connection is gone; the pool has already discarded it
        log.debug("rollback after a lost connection failed", exc_info=True)


def _plain_page(request_id: str) -> str:
    return (f'<!doctype html><html lang="id"><meta charset="utf-8"><title>{escape(str(BLIP_TITLE))}</title>'
            f"<h1>{escape(str(BLIP_TITLE))}</h1><p>{escape(str(BLIP_MESSAGE))}</p>"
            f"<p>{escape(str(_l('Kode permintaan')))}: <code>{escape(request_id)}</code></p></html>")


class RetryReadsOnce:
    """WSGI wrapper: a GET or HEAD whose run hit a blip runs once more before anything is sent."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        if not self._retryable(environ):
            return self.app(environ, start_response)
        pristine = dict(environ)  # inner wrappers (ProxyFix) change the environ in place
        captured: list = []

        def hold(status, headers, exc_info=None):
            captured[:] = [status, headers, exc_info]
            return lambda data: None  # pragma: no cover - Flask responses never use write()

        body = self.app(environ, hold)
        if not environ.get(_BLIP_KEY):
            start_response(*captured)
            return body
        if hasattr(body, "close"):
            body.close()
        retry = dict(pristine)
        retry[_RETRY_KEY] = True
        retry["HTTP_X_REQUEST_ID"] = environ[_BLIP_KEY]  # one request id for both runs in the logs
        return self.app(retry, start_response)

    @staticmethod
    def _retryable(environ) -> bool:
        return (environ.get("REQUEST_METHOD") in SAFE_METHODS and not environ.get(_RETRY_KEY)
                and environ.get("CONTENT_LENGTH", "") in ("", "0"))


def end_session(error: BaseException | None = None) -> None:
    """Close the request's session, also when its connection died after the last statement
    (the closing ROLLBACK fails): the answer is already made, so the dead connection is only
    logged and dropped (the failed ROLLBACK has invalidated it), never turned into a 500."""
    from bebeli.extensions import db

    try:
        db.session.remove()
    except Exception as failure:
        if not is_connection_error(failure):
            raise
        log.warning("database connection lost at the end of a request (request id %s): %s",
                    g.get("request_id", "-"), failure)
        try:
            db.session.remove()
        except Exception:  # noqa: BLE001 - forget the session rather than fail the answer
            db.session.registry.clear()


def init_app(app: Flask) -> None:
    """Install the read retry (errors.py answers the blip itself) and the session's end. It is
    registered after Flask-SQLAlchemy's own teardown, so it runs first (teardowns run last in,
    first out) and that one finds the session already closed."""
    app.wsgi_app = RetryReadsOnce(app.wsgi_app)
    app.teardown_appcontext(end_session)
