from flask import current_app, jsonify, redirect, render_template, request, session, url_for

from bebeli.catalog.cache import cached_fragment, cached_page
from bebeli.catalog.queries import category_tree, newest_products, popular_products
from bebeli.extensions import limiter
from bebeli.main import bp
from bebeli.main.navigation import ROLE_LABELS
from bebeli.observability import readiness_checks
from bebeli.urls import safe_next


@bp.get("/")
@cached_page(shares_frame=False)
def home():
    """The catalog's front page: categories, new and popular products."""
    def catalog() -> str:
        return render_template("catalog/_home.html", tree=category_tree(), newest=newest_products(12),
                               popular=popular_products(8))

    return render_template("main/home.html", catalog_html=cached_fragment("home", catalog))


@bp.get("/bahasa/<code>")
def set_language(code):
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
    return redirect(safe_next(request.args.get("next")) or url_for("main.home"))


@bp.get("/healthz")
@limiter.exempt
def healthz():
    """The process answers (for the container's health check and the load balancer)."""
    return jsonify(status="ok")


@bp.get("/readyz")
@limiter.exempt
def readyz():
    """The database (and Redis, when configured) answer: send traffic here."""
    checks = readiness_checks()
    ok = all(v == "ok" for v in checks.values())
    response = jsonify(status="ok" if ok else "unavailable", checks=checks)
    response.headers["Cache-Control"] = "no-store"
    return response, 200 if ok else 503


@bp.app_context_processor
def inject_navigation():
    from flask_login import current_user

    from bebeli.auth.permissions import TEMPLATE_RULES
    from bebeli.main.navigation import nav_links_for

    # Called by the page layout only: fragments and mail rendered with render_template skip it.
    return {"nav_links": lambda: nav_links_for(current_user), "role_labels": ROLE_LABELS, **TEMPLATE_RULES}
