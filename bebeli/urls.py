"""URL helpers shared by views, and where absolute links come from.

Every absolute link the site hands out (password-reset and other mail, Stripe's return
addresses, notifications, the OCDS feed's next page) names the configured PUBLIC_BASE_URL,
never the Host header of the request that caused it: a request sent with `Host: evil.example`
would otherwise mail a valid reset token to evil.example. `App.url_for` does this for every
`url_for(..., _external=True)`, in views, services and templates alike; relative URLs are
built as Flask builds them. In production, requests naming any other host are refused
(`trusted_hosts`, Flask's TRUSTED_HOSTS).
"""
from __future__ import annotations

from urllib.parse import quote, urlsplit

from flask import Flask, current_app, has_request_context, request
from werkzeug.routing import BuildError, MapAdapter

# The container's own health probe calls the app on the loopback address.
LOOPBACK_HOSTS = ("localhost", "127.0.0.1")


def safe_next(target: str | None) -> str | None:
    """Only same-site relative paths: never an open redirect."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


def public_base_url(app: Flask | None = None) -> str:
    """PUBLIC_BASE_URL without its trailing slash: the address absolute links start with."""
    app = app or current_app
    return app.config["PUBLIC_BASE_URL"].rstrip("/")


def public_link(path: str) -> str:
    """The absolute address of a path of this site ("/pesanan/12")."""
    return public_base_url() + "/" + path.lstrip("/")


def trusted_hosts(config) -> list[str]:
    """The host names requests may name: PUBLIC_BASE_URL's (or SERVER_NAME's), those listed in
    EXTRA_TRUSTED_HOSTS (the TRUSTED_HOSTS environment variable), and the loopback names."""
    hosts = []
    for address in (config.get("PUBLIC_BASE_URL"), config.get("SERVER_NAME")):
        name = urlsplit(address if "//" in (address or "") else f"//{address or ''}").hostname
        if name:
            hosts.append(name)
    hosts += [host for host in config.get("EXTRA_TRUSTED_HOSTS", ()) if host]
    hosts += LOOPBACK_HOSTS
    return list(dict.fromkeys(hosts))


class App(Flask):
    """Flask, with external URLs built on PUBLIC_BASE_URL instead of the request's host."""

    def url_for(self, endpoint: str, *, _anchor: str | None = None, _method: str | None = None,
                _scheme: str | None = None, _external: bool | None = None, **values) -> str:
        in_request = has_request_context()
        external = _external if _external is not None else (_scheme is not None or not in_request)
        if not external or not self.config.get("PUBLIC_BASE_URL"):
            return super().url_for(endpoint, _anchor=_anchor, _method=_method, _scheme=_scheme,
                                   _external=_external, **values)
        if endpoint[:1] == ".":
            blueprint = request.blueprint if in_request else None
            endpoint = f"{blueprint}{endpoint}" if blueprint else endpoint[1:]
        self.inject_url_defaults(endpoint, values)
        try:
            url = self._public_url_adapter().build(endpoint, values, method=_method, url_scheme=_scheme,
                                                   force_external=True)
        except BuildError as error:
            values.update(_anchor=_anchor, _method=_method, _scheme=_scheme, _external=True)
            return self.handle_url_build_error(error, endpoint, values)
        if _anchor is not None:
            url = url + "#" + quote(_anchor, safe="%!#$&'()*+,/:;=?@")
        return url

    def _public_url_adapter(self) -> MapAdapter:
        base = self.config["PUBLIC_BASE_URL"]
        cached = self.extensions.get("bebeli.public_url_adapter")
        if cached is None or cached[0] != base:
            parts = urlsplit(base)
            adapter = self.url_map.bind(parts.netloc, script_name=parts.path.rstrip("/") or "/",
                                        url_scheme=parts.scheme or "https")
            cached = self.extensions["bebeli.public_url_adapter"] = (base, adapter)
        return cached[1]
