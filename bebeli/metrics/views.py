"""GET /metrics: the Prometheus exposition, for allowed scrapers only (see bebeli.metrics)."""
from __future__ import annotations

import hmac
import ipaddress
from functools import lru_cache

from flask import Response, current_app, request
from prometheus_client import CONTENT_TYPE_LATEST

from bebeli import metrics
from bebeli.extensions import limiter
from bebeli.metrics import bp
from bebeli.metrics.collectors import exposition


@lru_cache(maxsize=16)
def allowed_networks(setting: str) -> tuple:
    """"127.0.0.1, ::1, 10.0.0.0/8" → networks; a malformed entry is a configuration error."""
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in setting.split(",") if item.strip())


def _peer_address() -> str:
    """The TCP peer, before ProxyFix replaced it with the client named in X-Forwarded-For."""
    original = request.environ.get("werkzeug.proxy_fix.orig", {})
    return original.get("REMOTE_ADDR") or request.environ.get("REMOTE_ADDR") or ""


def scrape_allowed() -> bool:
    token = current_app.config.get("METRICS_TOKEN") or ""
    given = request.headers.get("Authorization", "")
    if token and given.startswith("Bearer ") and hmac.compare_digest(given[7:].strip().encode(), token.encode()):
        return True
    # By address only when the request did not come through the reverse proxy: behind a proxy
    # on the same machine every public request arrives from 127.0.0.1 too, with X-Forwarded-For.
    if "X-Forwarded-For" in request.headers or "Forwarded" in request.headers:
        return False
    try:
        peer = ipaddress.ip_address(_peer_address())
    except ValueError:
        return False
    return any(peer in network for network in allowed_networks(current_app.config.get("METRICS_ALLOW_IPS", "")))


@bp.get("/metrics")
@limiter.exempt
def scrape():
    if not scrape_allowed():
        return Response("Forbidden: metrics need a bearer token or an allowed address\n", status=403,
                        mimetype="text/plain", headers={"Cache-Control": "no-store"})
    return Response(exposition(metrics.EXTRA_COLLECTORS), headers={"Content-Type": CONTENT_TYPE_LATEST,
                                                            "Cache-Control": "no-store"})
