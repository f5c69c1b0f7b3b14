"""Hostile input against every form and JSON endpoint: never a 500, never a partial write.

The forms are found by opening every page each persona may see (tests/security/forms.py); each
POST endpoint is then fed seeded malformed submissions (hostile.py: missing fields, wrong types,
duplicated fields, 100 KB values, NUL and control characters, negative, huge and decimal
numbers and rupiah, injection strings, other people's ids, impossible dates, bad files, broken
encodings) by a persona allowed to use it, with a valid CSRF token. GET forms and JSON endpoints
get hostile query strings, and the payment webhook malformed bodies.

A refused submission (a 4xx, a form shown again, or a redirect with an error message) must leave
every table exactly as it was; an accepted one may write, and becomes the new baseline.
"""
from __future__ import annotations

import random
import re
from collections import Counter

import pytest
from werkzeug.datastructures import MultiDict

from bebeli.extensions import limiter
from tests.factories import TEST_PASSWORD
from tests.security.forms import forms_on
from tests.security.hostile import (
    BOUNDARY_INTS,
    INT_FIELD_KINDS,
    INT_QUERY_ARGS,
    SHAPES,
    TEXT,
    query_values,
    rendered_values,
    submission,
)
from tests.security.route_policy import (
    DEV_KIND,
    LOGIN_STEP_KIND,
    MONITOR_KIND,
    OWNER,
    POLICY,
    PUBLIC_KIND,
    STATIC_KIND,
    WEBHOOK_KIND,
)
from tests.security.routes import discover_forms, rules, url_for_side
from tests.security.world import ANONYMOUS

SEED = 20261117
# Who uses a route in this suite when several may: the narrowest role first.
PREFERENCE = ("seller", "buyer", "pp", "ppk", "bendahara", "agency_admin", "admin", ANONYMOUS)
# Refusals that write on purpose: a failed login or code counts towards the lockout, audited.
REFUSAL_WRITES = {
    "auth.login": {"login_throttles", "audit_events"},
    "auth.totp_verify": {"login_throttles", "audit_events"},
    "auth.totp_recovery_codes": {"login_throttles", "audit_events"},
}
JSON_QUERY_NAMES = ["parent", "since", "page", "q", "next"]
WEBHOOK_BODIES = [b"", b"{", b"[]", b"null", b'{"type": "checkout.session.completed", "data": {"object": {}}}',
                  b'{"id": "evt_1", "type": "\x00"}', ("{" * 5000).encode(), b"\xff\xfe"]

POST_ENDPOINTS = sorted({rule.endpoint for rule in rules("POST") if POLICY[rule.endpoint].kind != WEBHOOK_KIND})
SENT: Counter = Counter()


def _side(access) -> str:
    return "us" if access.kind == OWNER else "them"


def _allowed(access) -> list[str]:
    return [p for p in PREFERENCE if access.allows(p, _side(access))]


@pytest.fixture(scope="module")
def discovered(app, world, personas) -> dict:
    """{(endpoint, method): [(persona, form)]} from every page each persona may open."""
    return discover_forms(app, world, personas)


def _signed_in(client, persona: str, world) -> None:
    """Accepted hostile posts may end a session (log out, a new password): sign in again."""
    if persona in world.logins and client.get("/akun").status_code != 200:
        client.login(world.logins[persona], TEST_PASSWORD)


def _error_flashed(client) -> bool:
    with client.session_transaction() as session:
        flashes = session.pop("_flashes", [])
    return any(category == "error" for category, _message in flashes)


def _other_ids(world) -> list[str]:
    return sorted({str(v) for v in world["them"].values() if isinstance(v, int)})


def _target(endpoint: str, app, world, personas, discovered):
    """(persona, client, url, form) for fuzzing `endpoint`: a form a permitted persona was
    shown, else the policy's URL with guessed fields. The code step of the two-step login is
    fuzzed half-way through an administrator's login."""
    access = POLICY[endpoint]
    rule = next(app.url_map.iter_rules(endpoint))
    if access.kind == LOGIN_STEP_KIND:
        client = app.test_client()
        client.post_form("/masuk", {"identifier": world.logins["admin"], "password": TEST_PASSWORD})
        url = rule.rule
        return "admin (half-way in)", client, url, forms_on(url, client.get(url).get_data(as_text=True))[0]
    allowed = _allowed(access)
    shown = [(p, form) for p, form in discovered.get((endpoint, "POST"), []) if p in allowed]
    if shown:
        persona, form = min(shown, key=lambda pair: PREFERENCE.index(pair[0]))
        return persona, personas[persona], form.action, form
    return allowed[0], personas[allowed[0]], url_for_side(rule, access, world[_side(access)]), None


def _brief(data) -> str:
    """The input, short enough for a failure message (100 KB values and files abbreviated)."""
    if isinstance(data, bytes):
        return repr(data[:80])
    items = [(name, value if isinstance(value, str) else f"<file {value[1]}>") for name, value in data.items(multi=True)
             if name != "csrf_token"]
    return repr([(name, value[:40] + ("…" if len(value) > 40 else "")) for name, value in items])[:400]


def _send(client, url: str, data, content_type: str | None, token: str):
    """Post a hostile body with a valid CSRF token (in the body, or as a header for JSON)."""
    if content_type == "application/json":
        return client.post(url, data=data, content_type=content_type, headers={"X-CSRFToken": token})
    if isinstance(data, MultiDict):
        data.add("csrf_token", token)
    else:
        data += b"&csrf_token=" + token.encode()
    return client.post(url, data=data, content_type=content_type)


@pytest.mark.parametrize("endpoint", POST_ENDPOINTS)
def test_hostile_posts(app, world, personas, discovered, fingerprint, endpoint):
    persona, client, url, form = _target(endpoint, app, world, personas, discovered)
    _signed_in(client, persona, world)
    token = client.csrf_token("/akun" if persona in world.logins else "/masuk")
    rng = random.Random(f"{SEED}:{endpoint}")
    allowed_writes = REFUSAL_WRITES.get(endpoint, set())
    baseline, problems = fingerprint(), []
    for shape in SHAPES:
        limiter.reset()  # the login and registration limits would turn later inputs into 429s
        data, content_type = submission(rng, form, shape, _other_ids(world))
        response = _send(client, url, data, content_type, token)
        SENT[endpoint] += 1
        refused = response.status_code >= 400 or response.status_code == 200 or _error_flashed(client)
        after = fingerprint()
        if response.status_code >= 500:
            problems.append(f"{shape}: {response.status_code} for {_brief(data)}")
        changed = {name for name in after if after[name] != baseline[name]} - allowed_writes
        if refused and changed:
            problems.append(f"{shape}: refused ({response.status_code}) but wrote to {sorted(changed)} for {_brief(data)}")
        baseline = after
    assert not problems, f"POST {url} as {persona}: " + "; ".join(problems)


def _query_targets(app, world, discovered) -> list[tuple[str, str, str, list[str]]]:
    """(endpoint, persona, url, names): GET forms as shown, and public JSON endpoints."""
    targets = []
    for (endpoint, method), shown in sorted(discovered.items(), key=lambda item: item[0]):
        if method == "GET":
            persona, form = shown[0]
            names = [name for name in form.fields if name != "csrf_token"] or JSON_QUERY_NAMES
            targets.append((endpoint, persona, form.action.split("?")[0], names))
    for rule in rules("GET"):
        access = POLICY[rule.endpoint]
        if access.kind == PUBLIC_KIND and not rule.arguments and rule.endpoint not in {t[0] for t in targets}:
            url = url_for_side(rule, access, world["them"])
            # JSON APIs live under /api/ (an empty feed answers 204 without a body).
            if url.startswith("/api/") or app.test_client().get(url).mimetype == "application/json":
                targets.append((rule.endpoint, ANONYMOUS, url, JSON_QUERY_NAMES))
    return targets


def test_hostile_queries(app, world, personas, discovered, fingerprint):
    """GET forms (search, filters) and JSON endpoints with hostile query strings: no 500, no write."""
    targets = _query_targets(app, world, discovered)
    assert targets
    before, problems = fingerprint(), []
    for endpoint, persona, url, names in targets:
        rng = random.Random(f"{SEED}:{endpoint}:query")
        for shape in SHAPES:
            query = query_values(rng, names, _other_ids(world), shape)
            response = personas[persona].get(url, query_string=query)
            SENT[endpoint] += 1
            if response.status_code >= 500:
                problems.append(f"GET {url} as {persona}: {response.status_code} for {_brief(query)}")
    changed = sorted(name for name, digest in fingerprint().items() if digest != before[name])
    assert not problems, "; ".join(problems)
    assert not changed, f"GET requests wrote to {changed}"


def test_hostile_webhook_bodies(app, world, fingerprint):
    """Unsigned or malformed provider calls are refused with 400 and change nothing."""
    client = app.test_client()
    webhooks = [rule.rule for rule in rules("POST") if POLICY[rule.endpoint].kind == WEBHOOK_KIND]
    before = fingerprint()
    for url in webhooks:
        for body in WEBHOOK_BODIES:
            for signature in (None, "t=1,v1=" + "0" * 64, TEXT[1]):
                headers = {"Stripe-Signature": signature} if signature else {}
                response = client.post(url, data=body, content_type="application/json", headers=headers)
                SENT[url] += 1
                assert response.status_code == 400, (url, body[:40], signature)
    assert fingerprint() == before


def _path_with(rule, access, values: dict, name: str, value: str) -> str:
    """The rule's URL for one side's objects, with URL argument `name` set to `value` verbatim
    (past the converters, as a hand-typed address would be)."""
    path = rule.rule
    for argument in rule.arguments:
        replacement = value if argument == name else str(values[access.params[argument]])
        path = re.sub(rf"<(?:[^:<>]+:)?{argument}>", replacement, path)
    return path


BOUNDARY_RULES = [
    pytest.param(rule.endpoint, rule.rule, method, id=f"{method} {rule.rule}")
    for method in ("GET", "POST") for rule in rules(method)
    if rule.arguments and POLICY[rule.endpoint].kind not in (STATIC_KIND, DEV_KIND, WEBHOOK_KIND, LOGIN_STEP_KIND, MONITOR_KIND)
]


@pytest.mark.parametrize(("endpoint", "pattern", "method"), BOUNDARY_RULES)
def test_boundary_integers_in_the_path(app, world, personas, fingerprint, endpoint, pattern, method):
    """2^31, 2^63, 10^20, -1 and 0 in every URL argument: a 404 (or the route's refusal), never a 5xx."""
    access = POLICY[endpoint]
    rule = next(r for r in app.url_map.iter_rules(endpoint) if r.rule == pattern)
    persona = _allowed(access)[0]
    client = personas[persona]
    _signed_in(client, persona, world)
    token = client.csrf_token("/akun" if persona in world.logins else "/masuk")
    before, problems = fingerprint(), []
    for name in rule.arguments:
        for value in BOUNDARY_INTS:
            url = _path_with(rule, access, world[_side(access)], name, value)
            response = client.get(url) if method == "GET" else client.post(url, data={"csrf_token": token})
            SENT[endpoint] += 1
            if response.status_code >= 500:
                problems.append(f"{method} {url} as {persona}: {response.status_code}")
    assert not problems, "; ".join(problems)
    if method == "GET":
        assert fingerprint() == before


def test_boundary_integers_in_query_strings(app, world, personas):
    """Every integer query argument of every page, at the edges of the id range: never a 5xx."""
    problems = []
    for rule in rules("GET"):
        access = POLICY[rule.endpoint]
        if access.kind in (STATIC_KIND, DEV_KIND, WEBHOOK_KIND, LOGIN_STEP_KIND, MONITOR_KIND):
            continue
        persona = _allowed(access)[0]
        path = url_for_side(rule, access, world[_side(access)]).split("?")[0]
        for value in BOUNDARY_INTS:
            response = personas[persona].get(path, query_string={name: value for name in INT_QUERY_ARGS})
            SENT[rule.endpoint] += 1
            if response.status_code >= 500:
                problems.append(f"GET {path}?…={value} as {persona}: {response.status_code}")
    assert not problems, "; ".join(problems)


@pytest.mark.parametrize("endpoint", POST_ENDPOINTS)
def test_boundary_integers_in_form_fields(app, world, personas, discovered, fingerprint, endpoint):
    """Each number, hidden, select or radio field of a rendered form (product_id, budget_line,
    quantity …) set to an integer at the edges of the id range, the other fields as rendered:
    never a 5xx, and a refusal writes nothing."""
    persona, client, url, form = _target(endpoint, app, world, personas, discovered)
    fields = [f for f in (form.fields.values() if form else []) if f.kind in INT_FIELD_KINDS and f.name != "csrf_token"]
    if not fields:
        pytest.skip("no number or id field on this form")
    _signed_in(client, persona, world)
    token = client.csrf_token("/akun" if persona in world.logins else "/masuk")
    baseline, problems = fingerprint(), []
    for f in fields:
        for value in BOUNDARY_INTS:
            limiter.reset()
            data = rendered_values(form)
            data.setlist(f.name, [value])
            data.add("csrf_token", token)
            response = client.post(url, data=data)
            SENT[endpoint] += 1
            refused = response.status_code >= 400 or response.status_code == 200 or _error_flashed(client)
            after = fingerprint()
            if response.status_code >= 500:
                problems.append(f"{f.name}={value}: {response.status_code}")
            changed = {name for name in after if after[name] != baseline[name]} - REFUSAL_WRITES.get(endpoint, set())
            if refused and changed:
                problems.append(f"{f.name}={value}: refused ({response.status_code}) but wrote to {sorted(changed)}")
            baseline = after
    assert not problems, f"POST {url} as {persona}: " + "; ".join(problems)


def test_at_least_500_hostile_inputs(capsys):
    total = sum(SENT.values())
    with capsys.disabled():
        print(f"\nhostile inputs sent: {total} to {len(SENT)} endpoints")
    assert total >= 500, SENT
