"""Security headers: a Content-Security-Policy that allows no inline script or style,
frame-ancestors none, nosniff, a strict referrer policy, and HSTS in production."""
from __future__ import annotations

from flask import Flask

from bebeli.extensions import talisman

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


def init_app(app: Flask) -> None:
    production = app.config.get("FORCE_HTTPS", False)
    talisman.init_app(
        app,
        content_security_policy=CSP,
        force_https=production,
        strict_transport_security=production,
        strict_transport_security_max_age=31536000,
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        session_cookie_http_only=True,
        frame_options="DENY",
        referrer_policy="strict-origin-when-cross-origin",
        permissions_policy={"geolocation": "()", "camera": "()", "microphone": "()"},
        x_content_type_options=True,
    )
