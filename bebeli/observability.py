"""Request ids, structured logs, and the readiness checks behind /readyz.

Every request gets an id — a well-formed X-Request-ID from the load balancer is kept, any
other is replaced — which is echoed in the response header, shown on the 500 page, and
attached to every log record written while the request runs, so one search finds everything
a failed request did. The app logs one line per request itself (gunicorn's access log is off).
With LOG_JSON (production) each record is one JSON object per line on stderr, ready for a log
collector; otherwise a readable line.
"""
from __future__ import annotations

import json
import logging
import re
import time
import uuid
from datetime import datetime, timezone

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import text

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
access_log = logging.getLogger("bebeli.access")
log = logging.getLogger(__name__)


class RequestIdFilter(logging.Filter):
    """Stamp each record with the current request's id ("-" outside requests)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if getattr(record, "request_id", "-") != "-":
            payload["request_id"] = record.request_id
        payload.update(getattr(record, "fields", {}))
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return json.dumps(payload, ensure_ascii=False, default=str)


def configure_logging(app: Flask) -> None:
    """One handler on the root logger, on stderr. Tests keep pytest's own capture."""
    if app.testing:
        return
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter() if app.config.get("LOG_JSON") else logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(str(app.config.get("LOG_LEVEL", "INFO")).upper())  # gunicorn.conf.py documents "info"


def init_app(app: Flask) -> None:
    configure_logging(app)
    app.before_request(_assign_request_id)
    app.after_request(_log_request)


def _assign_request_id() -> None:
    incoming = request.headers.get("X-Request-ID", "")
    g.request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _log_request(response):
    if "request_id" not in g:  # an earlier hook answered first (say, the HTTPS redirect)
        _assign_request_id()
    response.headers["X-Request-ID"] = g.request_id
    if request.endpoint == "static":
        return response
    elapsed_ms = round((time.perf_counter() - g.request_started) * 1000, 1)
    fields = {
        "request_id": g.request_id, "method": request.method, "path": request.path,
        "status": response.status_code, "duration_ms": elapsed_ms, "remote_addr": request.remote_addr,
    }
    user_id = _loaded_user_id(g.get("_login_user"))  # only if the request loaded it: logging costs no query
    if user_id is not None:
        fields["user_id"] = user_id
    access_log.info("%s %s %s %.1fms", request.method, request.path, response.status_code, elapsed_ms,
                    extra={"fields": fields})
    return response


def _loaded_user_id(user) -> int | None:
    """The signed-in user's id without a query: after the view's commit an account row is
    expired, and reading its columns (even `is_authenticated`, which reads `is_active`) would
    load it again; its identity key still names it."""
    if user is None:
        return None
    state = sa_inspect(user, raiseerr=False)
    if state is not None:
        return state.identity[0] if state.identity else None
    return getattr(user, "id", None) if user.is_authenticated else None  # the shared frame's stand-in


# --- readiness ------------------------------------------------------------------------------

def _check(name: str, probe) -> str:
    try:
        probe()
        return "ok"
    except Exception as exc:  # noqa: BLE001 - readiness reports any failure, the log says which
        log.warning("readiness check %s failed: %r", name, exc)
        return f"error: {exc.__class__.__name__}"


def redis_check(app: Flask) -> tuple[str, str | None]:
    """("ok", None), or ("degraded", why): Redis is optional at run time (bebeli.redisguard),
    so its failing is reported without failing readiness. The probe goes through the circuit
    breaker: while it is open, Redis is not asked."""
    from bebeli.redisguard import UNAVAILABLE, guarded_redis

    guarded = guarded_redis(app)
    try:
        guarded.call(lambda client: client.ping())
        return "ok", None
    except UNAVAILABLE as exc:
        reason = guarded.degraded_reason(exc)
        log.warning("readiness: redis degraded (%s)", reason)
        return "degraded", reason


def readiness_checks() -> tuple[dict[str, str], dict[str, str]]:
    """The database, and Redis when the app is configured to use it: (checks, degraded),
    where `degraded` names each optional service that is failing and why."""
    from bebeli.extensions import db

    def database():
        try:
            db.session.execute(text("SELECT 1"))
        finally:
            db.session.rollback()

    checks, degraded = {"database": _check("database", database)}, {}
    app = current_app._get_current_object()
    if app.config.get("REDIS_URL"):
        checks["redis"], reason = redis_check(app)
        if reason:
            degraded["redis"] = reason
    return checks, degraded
