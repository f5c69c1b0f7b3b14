"""The front page, language switch, health checks, and the navigation each role sees."""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, jsonify, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from bebeli.auth.homes import ROLE_LABELS
from bebeli.auth.models import Role
from bebeli.auth.permissions import BUYER_ROLES, signed_in

from bebeli.catalog.cache import cached_fragment, cached_page
from bebeli.catalog.queries import category_tree, newest_products, popular_products
from bebeli.extensions import limiter
from bebeli.main import bp
from bebeli.observability import readiness_checks
from bebeli.quotas.home import home_panel
from bebeli.urls import safe_next


@dataclass(frozen=True)
class NavLink:
    endpoint: str
    label: object
    roles: tuple[Role | str, ...] = ()  # empty: everyone (signed in or not)
    anonymous_only: bool = False


NAV_LINKS: list[NavLink] = [
    NavLink("main.home", _l("Beranda")),
    NavLink("catalog.search", _l("Katalog")),
    NavLink("cart.view", _l("Keranjang"), BUYER_ROLES),
    NavLink("orders.index", _l("Pesanan Saya"), BUYER_ROLES),
    NavLink("sellers.dashboard", _l("Toko Saya"), (Role.SELLER,)),
    NavLink("orders.seller_index", _l("Pesanan Masuk"), (Role.SELLER,)),
    NavLink("settlement.income", _l("Penghasilan"), (Role.SELLER,)),
    NavLink("insights.page", _l("Wawasan"), (Role.SELLER,)),
    NavLink("reviews.seller_index", _l("Ulasan"), (Role.SELLER,)),
    NavLink("procurement.inbox", _l("Pengadaan"), (Role.PP, Role.PPK, Role.TREASURER, Role.SELLER, Role.AGENCY_ADMIN)),
    NavLink("directory.asn_list", _l("Direktori ASN"), (Role.ADMIN, Role.AGENCY_ADMIN)),
    NavLink("quotas.dashboard", _l("Pemantauan"), (Role.ADMIN, Role.AGENCY_ADMIN)),
    NavLink("admin.dashboard", _l("Admin"), (Role.ADMIN,)),
    NavLink("notifications.index", _l("Notifikasi"), tuple(Role)),
    NavLink("sellers.register", _l("Daftar UMKM"), anonymous_only=True),
]


def nav_links_for(user) -> list[dict]:
    links = []
    user_signed_in = signed_in(user)
    for link in NAV_LINKS:
        if link.anonymous_only and user_signed_in:
            continue
        if link.roles and not (user_signed_in and user.has_role(*link.roles)):
            continue
        href = url_for(link.endpoint)
        active = request.endpoint == link.endpoint or (
            href != "/" and request.path.startswith(href)
        )
        links.append({"href": href, "label": link.label, "active": active})
    return links


@bp.get("/")
@cached_page(shares_frame=False)
def home():
    """The catalog's front page: categories, new and popular products."""
    def catalog() -> str:
        return render_template("catalog/_home.html", tree=category_tree(), newest=newest_products(12),
                               popular=popular_products(8))

    return render_template("main/home.html", catalog_html=cached_fragment("home", catalog), **home_panel(current_user))


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
    """The database answers: send traffic here. Redis (when configured) is optional: while it
    fails the answer is still 200, with "redis": "degraded" and the reason under "degraded"."""
    checks, degraded = readiness_checks()
    ok = all(v == "ok" for name, v in checks.items() if name not in degraded)
    body = {"status": ("degraded" if degraded else "ok") if ok else "unavailable", "checks": checks}
    if degraded:
        body["degraded"] = degraded
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response, 200 if ok else 503


@bp.app_context_processor
def inject_navigation():
    from bebeli.auth.permissions import TEMPLATE_RULES

    # Called by the page layout only: fragments and mail rendered with render_template skip it.
    return {"nav_links": lambda: nav_links_for(current_user), "role_labels": ROLE_LABELS, **TEMPLATE_RULES}
