"""Personal pages and downloads are never kept by a browser or a proxy.

Every route the access-control suite lists as personal (signed-in, role or owner routes: the
account page, orders, invoices, quota exports with names and NIP, the ASN directory,
procurement documents, agency pages …) is opened by a persona allowed to see it, and must say
`Cache-Control: no-store`; so must a public page opened by a signed-in persona (it carries
their name and CSRF token), except the routes that show the same bytes to everyone
(bebeli.security.PUBLIC_CACHEABLE). A visitor's public catalog pages stay cacheable."""
from __future__ import annotations

import pytest

from bebeli.security import PUBLIC_CACHEABLE
from tests.security.route_policy import (
    DEV_KIND,
    LOGIN_STEP_KIND,
    MONITOR_KIND,
    POLICY,
    PUBLIC_KIND,
    STATIC_KIND,
    WEBHOOK_KIND,
)
from tests.security.routes import rules, url_for_side
from tests.security.world import ANONYMOUS, PERSONAS

NOT_PERSONAL = (PUBLIC_KIND, STATIC_KIND, DEV_KIND, WEBHOOK_KIND, LOGIN_STEP_KIND, MONITOR_KIND)  # /metrics: no-store, tests/metrics
PERSONAL_RULES = [pytest.param(rule.endpoint, rule.rule, id=f"{rule.endpoint}:{rule.rule}")
                  for rule in rules("GET") if POLICY[rule.endpoint].kind not in NOT_PERSONAL]
PUBLIC_RULES = [pytest.param(rule.endpoint, rule.rule, id=f"{rule.endpoint}:{rule.rule}")
                for rule in rules("GET") if POLICY[rule.endpoint].kind == PUBLIC_KIND]


def _rule(app, endpoint: str, pattern: str):
    return next(rule for rule in app.url_map.iter_rules(endpoint) if rule.rule == pattern)


def _side(access) -> str:
    return access.sides[0]  # owner routes: the persona's own side


def test_the_walk_covers_the_personal_routes():
    endpoints = {param.values[0] for param in PERSONAL_RULES}
    for endpoint in ("auth.account", "orders.detail", "orders.invoice", "quotas.export", "directory.asn_list",
                     "directory.asn_detail", "procurement.document", "procurement.officials", "quotas.agency_detail"):
        assert endpoint in endpoints, endpoint


@pytest.mark.parametrize(("endpoint", "pattern"), PERSONAL_RULES)
def test_personal_pages_and_downloads_are_not_stored(app, world, personas, endpoint, pattern):
    access = POLICY[endpoint]
    side = _side(access)
    persona = next(p for p in PERSONAS if p != ANONYMOUS and access.allows(p, side))
    url = url_for_side(_rule(app, endpoint, pattern), access, world[side])
    response = personas[persona].get(url)
    assert response.status_code < 500, f"GET {url} as {persona}: {response.status_code}"
    assert "no-store" in response.headers.get("Cache-Control", ""), \
        f"GET {url} as {persona} ({response.status_code}): Cache-Control {response.headers.get('Cache-Control')!r}"


@pytest.mark.parametrize(("endpoint", "pattern"), PUBLIC_RULES)
def test_public_pages_seen_signed_in_are_not_stored(app, world, personas, endpoint, pattern):
    access = POLICY[endpoint]
    url = url_for_side(_rule(app, endpoint, pattern), access, world["them"])
    response = personas["buyer"].get(url)
    control = response.headers.get("Cache-Control", "")
    if endpoint in PUBLIC_CACHEABLE:
        assert "no-store" not in control, f"{url}: {control!r}"
    else:
        assert "no-store" in control, f"GET {url} signed in ({response.status_code}): {control!r}"


def test_a_visitors_catalog_page_stays_cacheable(app, world, personas):
    response = personas[ANONYMOUS].get("/katalog")
    assert response.status_code == 200 and "no-store" not in response.headers.get("Cache-Control", "")
