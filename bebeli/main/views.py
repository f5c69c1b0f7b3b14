from flask import current_app, jsonify, redirect, render_template, request, session, url_for
from sqlalchemy import text

from bebeli.extensions import db, limiter
from bebeli.main import bp
from bebeli.main.navigation import ROLE_LABELS
from bebeli.urls import safe_next


@bp.get("/")
def home():
    return render_template("main/home.html")


@bp.get("/bahasa/<code>")
def set_language(code):
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
    return redirect(safe_next(request.args.get("next")) or url_for("main.home"))


@bp.get("/healthz")
@limiter.exempt
def healthz():
    return jsonify(status="ok")


@bp.get("/readyz")
@limiter.exempt
def readyz():
    checks = {}
    try:
        db.session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - readiness reports any failure
        checks["database"] = f"error: {exc.__class__.__name__}"
    storage_uri = current_app.config["RATELIMIT_STORAGE_URI"]
    if storage_uri.startswith("redis"):
        try:
            import redis

            redis.Redis.from_url(storage_uri, socket_timeout=1).ping()
            checks["redis"] = "ok"
        except Exception as exc:  # noqa: BLE001
            checks["redis"] = f"error: {exc.__class__.__name__}"
    ok = all(v == "ok" for v in checks.values())
    return jsonify(status="ok" if ok else "unavailable", checks=checks), 200 if ok else 503


@bp.app_context_processor
def inject_navigation():
    from flask_login import current_user

    from bebeli.auth.permissions import TEMPLATE_RULES
    from bebeli.main.navigation import nav_links_for

    return {"nav_links": nav_links_for(current_user), "role_labels": ROLE_LABELS, **TEMPLATE_RULES}
