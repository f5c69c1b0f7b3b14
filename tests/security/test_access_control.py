"""Every route, requested as every persona, is allowed or refused exactly as route_policy.py says.

- Every endpoint of the app is classified (and every classified endpoint exists).
- Every GET route, as each persona, on objects of their own side and of the other side.
- Every POST route refuses visitors and personas without access (with a valid CSRF token), refuses
  everyone without a CSRF token (400), and none of these refused posts writes anything.
- Every object a rendered form names in its body (an id in a hidden field or a choice, an email)
  is classified in route_policy.py, and a form posted with the other side's object instead of
  one's own is refused and writes nothing, while the same form with one's own is accepted.
"""
from __future__ import annotations

import re

import pytest

from bebeli import create_app
from bebeli.extensions import limiter
from tests.factories import make_nip
from tests.security.hostile import rendered_values
from tests.security.route_policy import BODY_REFERENCES, DEV_KIND, NOT_REFERENCES, POLICY, WEBHOOK_KIND
from tests.security.routes import (
    COLLECTION_APP,
    discover_forms,
    expected,
    missing_params,
    outcome,
    own_side,
    rule_named,
    rules,
    url_for_side,
)
from tests.security.world import ANONYMOUS, PERSONAS
from tests.sellers.helpers import registration_data

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


# --- objects named in form bodies ------------------------------------------------------------------

REFERENCE_KINDS = frozenset({"hidden", "select", "radio", "number", "email"})
# Who fills a form when several personas are shown it: the narrowest role first.
PREFERENCE = ("seller", "buyer", "pp", "ppk", "bendahara", "agency_admin", "admin", ANONYMOUS)
# What a person types into forms that the page renders empty, so that the post is complete:
# the one field under test then decides between accepted and refused.
TYPED = {
    "directory.asn_new": lambda us: {"nip": make_nip(seq=777), "name": "ASN Baru", "email": "asn.baru@contoh.go.id"},
    "procurement.officials": lambda us: {"email": us["candidate_email"], "role": "pp"},
    "sellers.register": lambda us: {**registration_data(email="umkm.baru@contoh.id"), "kelurahan": "Karangasih"},
    "reviews.write": lambda us: {"rating": "5"},
}
BODY_CASES = [pytest.param(endpoint, field, key, id=f"{endpoint}:{field}:{key}")
              for (endpoint, field), keys in BODY_REFERENCES.items() for key in keys]


def _generic(name: str) -> str:
    """A field name with its row numbers written N: shops-0-shop_id → shops-N-shop_id."""
    return re.sub(r"\d+", "N", name)


def _names_an_object(field) -> bool:
    return field.kind in REFERENCE_KINDS and not field.name.endswith("csrf_token")


@pytest.fixture(scope="module")
def post_forms(app, world, personas) -> dict:
    """{endpoint: (persona, form)}: each POST form as shown to the narrowest persona allowed."""
    found = {}
    for (endpoint, method), shown in discover_forms(app, world, personas).items():
        allowed = [(persona, form) for persona, form in shown
                   if method == "POST" and POLICY[endpoint].allows(persona, own_side(POLICY[endpoint]))]
        if allowed:
            found[endpoint] = min(allowed, key=lambda pair: PREFERENCE.index(pair[0]))
    return found


def test_every_object_named_in_a_form_body_is_classified(post_forms):
    shown = {(endpoint, _generic(f.name)) for endpoint, (_persona, form) in post_forms.items()
             for f in form.fields.values() if _names_an_object(f)}
    unclassified = sorted(ref for ref in shown if ref not in BODY_REFERENCES and ref[1] not in NOT_REFERENCES)
    gone = sorted(set(BODY_REFERENCES) - shown)
    assert not unclassified, f"form fields naming objects, missing from route_policy.BODY_REFERENCES: {unclassified}"
    assert not gone, f"BODY_REFERENCES lists fields no rendered form has: {gone}"


def _submission(app, world, personas, post_forms, endpoint: str, field: str, value) -> tuple:
    """(client, url, data): the form as rendered for its persona's own side, typed in where the
    page leaves it empty, with `field` set to `value` (None: as rendered)."""
    persona, form = post_forms[endpoint]
    # A visitor's accepted post signs a new account in: a client of its own keeps the persona's.
    client = app.test_client() if persona == ANONYMOUS else personas[persona]
    data = rendered_values(form)
    for name, typed in TYPED.get(endpoint, lambda us: {})(world["us"]).items():
        data.setlist(name, [typed])
    if value is not None:
        for name in [n for n in data if _generic(n) == field]:
            data.setlist(name, [str(value)])
    data.add("csrf_token", client.csrf_token("/masuk" if persona == ANONYMOUS else "/akun"))
    return client, form.action, data


def _refused(client, response) -> bool:
    """A 4xx, the form shown again, or a redirect carrying an error message."""
    with client.session_transaction() as session:
        flashes = session.pop("_flashes", [])
    return response.status_code >= 400 or response.status_code == 200 or any(c == "error" for c, _m in flashes)


@pytest.mark.parametrize(("endpoint", "field", "key"), BODY_CASES)
def test_the_other_sides_object_in_a_form_body_is_refused(app, world, personas, post_forms, fingerprint,
                                                            endpoint, field, key):
    limiter.reset()
    client, url, data = _submission(app, world, personas, post_forms, endpoint, field, world["them"][key])
    assert any(_generic(name) == field for name in data), f"{field} is not on the form of {endpoint}"
    before = fingerprint()
    response = client.post(url, data=data)
    assert _refused(client, response), f"POST {url} with the other side's {key} in {field}: {response.status_code}"
    changed = sorted(name for name, digest in fingerprint().items() if digest != before[name])
    assert not changed, f"refused POST {url} ({field}={key} of the other side) wrote to {changed}"


# Adding to a cart changes the checkout forms rendered earlier (their total and key): it goes last.
@pytest.mark.parametrize("endpoint", sorted({endpoint for endpoint, _field in BODY_REFERENCES},
                                            key=lambda endpoint: (endpoint == "cart.add", endpoint)))
def test_the_same_form_with_ones_own_objects_is_accepted(app, world, personas, post_forms, endpoint):
    """The refusals above are about the object alone: the same post, as rendered, goes through."""
    limiter.reset()
    client, url, data = _submission(app, world, personas, post_forms, endpoint, "", None)
    response = client.post(url, data=data)
    assert not _refused(client, response), f"POST {url} as rendered: {response.status_code} " \
                                           f"{response.get_data(as_text=True)[:3000]}"
