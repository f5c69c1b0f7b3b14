"""Every route, requested as every persona, is allowed or refused exactly as route_policy.py says.

- Every endpoint of the app is classified (and every classified endpoint exists).
- Every GET route, as each persona, on objects of their own side and of the other side.
- Every POST route refuses visitors and personas without access (with a valid CSRF token), refuses
  everyone without a CSRF token (400), and none of these refused posts writes anything.
"""
from __future__ import annotations

import pytest

from bebeli import create_app
from tests.security.route_policy import DEV_KIND, POLICY, WEBHOOK_KIND
from tests.security.routes import COLLECTION_APP, expected, missing_params, outcome, rule_named, rules, url_for_side
from tests.security.world import ANONYMOUS, PERSONAS

GET_CASES = [
    pytest.param(rule.endpoint, rule.rule, persona, side, id=f"{rule.endpoint}:{rule.rule}:{persona}:{side}")
    for rule in rules("GET")
    for side in POLICY[rule.endpoint].sides
    for persona in PERSONAS
]
POST_CASES = [pytest.param(rule.endpoint, rule.rule, id=f"{rule.endpoint}:{rule.rule}") for rule in rules("POST")]


def test_every_route_is_classified():
    endpoints = {rule.endpoint for rule in COLLECTION_APP.url_map.iter_rules()}
    unclassified = sorted(endpoints - POLICY.keys())
    gone = sorted(POLICY.keys() - endpoints)
    assert not unclassified, f"routes missing from tests/security/route_policy.py: {unclassified}"
    assert not gone, f"route_policy.py lists endpoints that no longer exist: {gone}"


def test_every_url_argument_has_a_value():
    missing = {f"{rule.endpoint} {rule.rule}": sorted(missing_params(rule, POLICY[rule.endpoint]))
               for rule in rules("GET") + rules("POST") if missing_params(rule, POLICY[rule.endpoint])}
    assert not missing, f"URL arguments without a value in route_policy.py: {missing}"


@pytest.mark.parametrize(("endpoint", "pattern", "persona", "side"), GET_CASES)
def test_get(app, world, personas, endpoint, pattern, persona, side):
    access = POLICY[endpoint]
    url = url_for_side(rule_named(app, endpoint, pattern), access, world[side])
    response = personas[persona].get(url)
    want = expected(access, persona, side, dev_outbox=app.config["DEV_OUTBOX"])
    got = outcome(response, access)
    assert got == want, f"GET {url} as {persona}: {got} ({response.status_code} {response.location or ''}), " \
                        f"policy says {want}"


@pytest.fixture(scope="module")
def csrf_tokens(personas) -> dict[str, str]:
    return {persona: client.csrf_token("/masuk" if persona == ANONYMOUS else "/akun")
            for persona, client in personas.items()}


@pytest.mark.parametrize(("endpoint", "pattern"), POST_CASES)
def test_post(app, world, personas, csrf_tokens, fingerprint, endpoint, pattern):
    access = POLICY[endpoint]
    rule = rule_named(app, endpoint, pattern)
    before = fingerprint()
    problems = []
    for side in access.sides:
        url = url_for_side(rule, access, world[side])
        wants = {persona: expected(access, persona, side, dev_outbox=app.config["DEV_OUTBOX"])
                 for persona in personas}
        # The CSRF check comes before any other: a visitor and someone allowed (whose post would
        # otherwise go through) stand for everyone.
        for persona in {ANONYMOUS, next((p for p, want in wants.items() if want == "allowed"), "admin")}:
            response = personas[persona].post(url, data={})
            if response.status_code != 400:
                problems.append(f"{persona} without CSRF token: {response.status_code}")
        for persona, client in personas.items():
            want = wants[persona]
            if access.kind == WEBHOOK_KIND or want == "allowed":
                continue  # a webhook's refusal is the 400 above; allowed posts would change the world
            response = client.post(url, data={"csrf_token": csrf_tokens[persona]})
            got = outcome(response, access)
            if got != want:
                problems.append(f"{persona} on {side}: {got} ({response.status_code} {response.location or ''}), "
                                f"policy says {want}")
    after = fingerprint()
    changed = sorted(name for name in before if before[name] != after[name])
    assert not problems, f"POST {pattern}: " + "; ".join(problems)
    assert not changed, f"refused posts to {pattern} wrote to {changed}"


def test_dev_routes_are_absent_without_dev_outbox(app, database_uri):
    production_like = create_app("testing", SQLALCHEMY_DATABASE_URI=database_uri, DEV_OUTBOX=False)
    client = production_like.test_client()
    dev_rules = [rule for rule in rules("GET") if POLICY[rule.endpoint].kind == DEV_KIND]
    assert dev_rules
    for rule in dev_rules:
        assert client.get(rule.rule).status_code == 404, rule.rule
