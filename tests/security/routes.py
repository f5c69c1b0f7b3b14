"""The application's routes as the security suites see them: which rules answer GET or POST,
the URL of a rule for one side's objects, and what a response amounts to (allowed, sent to
the login page, refused)."""
from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from flask import Flask

from bebeli import create_app
from tests.security.forms import Form, endpoint_of, forms_on
from tests.security.route_policy import DEV_KIND, LOGIN_STEP_KIND, MONITOR_KIND, OWNER, POLICY, STATIC_KIND, Access
from tests.security.world import ANONYMOUS, PERSONAS

LOGIN_PATH = "/masuk"
REDIRECTS = frozenset({301, 302, 303, 307, 308})

# Parametrisation happens before any fixture exists: the routes are read from an app built the
# same way as the session's (no database is touched).
COLLECTION_APP: Flask = create_app("testing")


def rules(method: str, app: Flask = COLLECTION_APP) -> list:
    """Classified rules answering `method`, in a stable order (unclassified ones are reported by
    the classification test instead)."""
    found = [rule for rule in app.url_map.iter_rules() if method in rule.methods and rule.endpoint in POLICY]
    return sorted(found, key=lambda rule: (rule.endpoint, rule.rule))


def rule_named(app: Flask, endpoint: str, pattern: str):
    return next(rule for rule in app.url_map.iter_rules(endpoint) if rule.rule == pattern)


def _required(rule) -> set[str]:
    return set(rule.arguments) - set(rule.defaults or ())


def missing_params(rule, access: Access) -> set[str]:
    return _required(rule) - set(access.params)


def url_for_side(rule, access: Access, values: dict) -> str:
    """The rule's URL with the objects of one side of the world."""
    arguments = {arg: values[access.params[arg]] for arg in _required(rule)}
    _domain, path = rule.build(arguments, append_unknown=False)
    if access.query:
        path += "?" + urlencode({name: values[key] for name, key in access.query.items()})
    return path


def outcome(response, access: Access) -> str:
    """'allowed', 'login' (sent to the login page), 'refused' (403/404, or the route's own
    refusal redirect), 'error' (5xx) or another 4xx status."""
    status = response.status_code
    if status >= 500:
        return "error"
    if status in (401, 403, 404):
        return "refused"
    if status in REDIRECTS:
        path = urlsplit(response.location).path
        if path == LOGIN_PATH:
            return "login"
        if access.refused_to and path == _path_of(access.refused_to):
            return "refused"
        return "allowed"
    return "allowed" if status < 400 else f"status {status}"


def _path_of(endpoint: str) -> str:
    rule = next(COLLECTION_APP.url_map.iter_rules(endpoint))
    return rule.build({}, append_unknown=False)[1]


def expected(access: Access, persona: str, side: str, *, dev_outbox: bool) -> str:
    if access.allows(persona, side, dev_outbox=dev_outbox):
        return "allowed"
    if (persona == ANONYMOUS and access.kind != MONITOR_KIND) or access.kind == LOGIN_STEP_KIND:
        return "login"  # a scraper is refused outright, never sent to the login page
    return "refused"


def own_side(access: Access) -> str:
    """The side whose objects a persona allowed to use the route uses it on."""
    return "us" if access.kind == OWNER else "them"


def discover_forms(app: Flask, world, personas) -> dict[tuple[str, str], list[tuple[str, Form]]]:
    """{(endpoint, method): [(persona, form)]}: the forms on every page each persona may open,
    as rendered (fields, kinds and values)."""
    adapter = app.url_map.bind("localhost")
    found: dict = {}
    for persona in PERSONAS:
        for rule in rules("GET"):
            access = POLICY[rule.endpoint]
            if access.kind in (STATIC_KIND, DEV_KIND) or not access.allows(persona, own_side(access)):
                continue
            url = url_for_side(rule, access, world[own_side(access)])
            response = personas[persona].get(url)
            if response.mimetype != "text/html":
                continue
            for form in forms_on(url, response.get_data(as_text=True)):
                endpoint = endpoint_of(adapter, form)
                if endpoint:
                    found.setdefault((endpoint, form.method), []).append((persona, form))
    return found
