"""Security headers and HTTPS.

- Content-Security-Policy without inline script or style (`data:` images for the QR code of
  the two-step login; the S3_PUBLIC_URL host when uploads are served from there),
  frame-ancestors 'none', nosniff, a strict referrer policy, a
  permissions policy, and cross-origin isolation of windows.
- In production (FORCE_HTTPS): plain-HTTP requests are redirected to HTTPS, except the health
  probes, which the container and the load balancer call directly, and /metrics (its scraper); HSTS on HTTPS responses.
- Requests carrying a NUL character in a query, form field or JSON body are refused with 400
  before any view runs: no text column stores it (PostgreSQL refuses it outright) and no
  legitimate input contains it.
- Behind TRUSTED_PROXY_COUNT reverse proxies, the client address and scheme come from their
  X-Forwarded-For/-Proto headers, so per-IP rate limits count real clients, not the proxy.
- With CHECK_HOST (production), a request naming a host other than PUBLIC_BASE_URL's, the
  TRUSTED_HOSTS list or loopback is refused with a plain 400 before anything else runs.
- Nothing personal is kept by a browser or a proxy: every response to a signed-in session
  (and every download) says `Cache-Control: no-store`, except the routes in PUBLIC_CACHEABLE,
  which show the same bytes to everyone.

Each app gets its own Talisman: the extension keeps per-app settings on the instance.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, abort, redirect, request, session
from flask_talisman import Talisman
from werkzeug.exceptions import SecurityError
from werkzeug.middleware.proxy_fix import ProxyFix

from bebeli.urls import trusted_hosts

CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "form-action": "'self' https://checkout.stripe.com",
    "frame-ancestors": "'none'",
    "base-uri": "'self'",
    "object-src": "'none'",
}
PERMISSIONS_POLICY = {"geolocation": "()", "camera": "()", "microphone": "()", "payment": "()"}
HSTS_MAX_AGE = 365 * 24 * 3600
PLAIN_HTTP_ENDPOINTS = frozenset({"main.healthz", "main.readyz", "metrics.scrape"})
# The same bytes for every viewer, signed in or not: browsers and proxies may keep them.
PUBLIC_CACHEABLE = frozenset({"static", "catalog.media", "procurement.ocds_releases"})


def init_app(app: Flask) -> None:
    production = bool(app.config.get("FORCE_HTTPS", False))
    proxies = int(app.config.get("TRUSTED_PROXY_COUNT", 0))
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    app.extensions["talisman"] = Talisman(
        app,
        content_security_policy=content_security_policy(app),
        force_https=False,  # done below, so that health probes stay on plain HTTP
        strict_transport_security=production,
        strict_transport_security_max_age=HSTS_MAX_AGE,
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        session_cookie_http_only=True,
        frame_options="DENY",
        referrer_policy="strict-origin-when-cross-origin",
        permissions_policy=PERMISSIONS_POLICY,
        x_content_type_options=True,
        x_xss_protection=False,  # the old XSS auditor header is retired; the CSP does this job
    )
    if app.config.get("CHECK_HOST") and app.config.get("TRUSTED_HOSTS") is None:
        app.config["TRUSTED_HOSTS"] = trusted_hosts(app.config)
    # First of all hooks (the CSRF check would otherwise render an error page without a host).
    app.before_request_funcs.setdefault(None, []).insert(0, _refuse_unknown_host)
    if production:
        app.before_request(_redirect_to_https)
    app.before_request(_refuse_nul_bytes)
    app.after_request(_isolate_windows)
    app.after_request(_no_store_personal)


def _refuse_unknown_host():
    """Flask found the Host header untrusted before routing: answer at once, in plain text (no
    page can be rendered, its links have no host to be built on)."""
    if isinstance(request.routing_exception, SecurityError):
        return Response("Bad Request: unknown host\n", status=400, mimetype="text/plain")
    return None


def _no_store_personal(response):
    if request.endpoint in PUBLIC_CACHEABLE:
        return response
    if "no-store" in response.headers.get("Cache-Control", ""):
        return response  # said already ("private, no-store" on private files)
    if "_user_id" in session or response.headers.get("Content-Disposition", "").startswith("attachment"):
        response.headers["Cache-Control"] = "no-store"
    return response


def _has_nul(pairs) -> bool:
    return any("\x00" in key or "\x00" in value for key, value in pairs)


def _refuse_nul_bytes():
    if "\x00" in request.path or _has_nul(request.args.items(multi=True)):
        abort(400)
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        if request.is_json:
            if b"\\u0000" in request.get_data(cache=True):
                abort(400)
        elif _has_nul(request.form.items(multi=True)):
            abort(400)


def content_security_policy(app: Flask) -> dict:
    """The policy, allowing images from the public bucket or CDN when uploads live there."""
    policy = dict(CSP)
    public = urlsplit(app.config.get("S3_PUBLIC_URL") or "")
    if public.scheme and public.netloc:
        policy["img-src"] += f" {public.scheme}://{public.netloc}"
    return policy


def _redirect_to_https():
    if request.is_secure or request.endpoint in PLAIN_HTTP_ENDPOINTS:
        return None
    return redirect(request.url.replace("http://", "https://", 1), code=301)


def _isolate_windows(response):
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    return response
