"""/metrics: who may read it, and what requests leave in it."""
from __future__ import annotations

import uuid

import pytest

from tests.metrics.helpers import AUTH, TOKEN, scrape, series, value


def test_refused_without_token(client, metrics_token):
    response = client.get("/metrics")
    assert response.status_code == 403
    assert "bebeli_http_requests_total" not in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("header", ["Bearer wrong-token", f"Bearer {TOKEN}x", TOKEN, f"Basic {TOKEN}", "Bearer "])
def test_refused_with_a_wrong_token(client, metrics_token, header):
    assert client.get("/metrics", headers={"Authorization": header}).status_code == 403


def test_no_token_is_accepted_when_none_is_configured(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "METRICS_TOKEN", "")
    assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 403


def test_allowed_with_the_token_from_anywhere(client, metrics_token):
    response = client.get("/metrics", headers=AUTH, environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert response.status_code == 200
    assert response.mimetype == "text/plain" and response.headers["Cache-Control"] == "no-store"
    assert "bebeli_build_info" in response.get_data(as_text=True)


def test_allowed_from_configured_addresses_only_when_not_proxied(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "METRICS_ALLOW_IPS", "127.0.0.1, 10.1.0.0/16")
    assert client.get("/metrics").status_code == 200                                        # loopback
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.1.2.3"}).status_code == 200  # the network
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.2.0.1"}).status_code == 403
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"}).status_code == 403
    # Through a reverse proxy on the same machine every request comes from 127.0.0.1: the
    # forwarding header gives it away, whatever client it names.
    for header in ({"X-Forwarded-For": "127.0.0.1"}, {"X-Forwarded-For": "203.0.113.9"}, {"Forwarded": "for=1.2.3.4"}):
        assert client.get("/metrics", headers=header).status_code == 403, header


def test_behind_a_trusted_proxy_the_peer_is_the_proxy_not_the_forwarded_client(app):
    from bebeli import create_app

    proxied = create_app("testing", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
                         TRUSTED_PROXY_COUNT=1, METRICS_ALLOW_IPS="10.9.0.0/16", METRICS_TOKEN=TOKEN)
    client = proxied.test_client()
    # ProxyFix believes the proxy and makes 10.9.0.5 the client address: still refused.
    spoofed = client.get("/metrics", headers={"X-Forwarded-For": "10.9.0.5"}, environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert spoofed.status_code == 403
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.9.0.7"}).status_code == 200
    assert client.get("/metrics", headers={**AUTH, "X-Forwarded-For": "198.51.100.1"}).status_code == 200


def test_requests_are_counted_and_timed_per_endpoint_method_and_status_class(client, metrics_token):
    before = scrape(client)
    for _ in range(3):
        assert client.get("/healthz").status_code == 200
    client.head("/healthz")
    client.post("/healthz")  # 405: the rule exists, the method does not
    after = scrape(client)
    ok = {"endpoint": "main.healthz", "method": "GET", "status": "2xx"}
    assert value(after, "bebeli_http_requests_total", **ok) - value(before, "bebeli_http_requests_total", **ok) == 3
    assert value(after, "bebeli_http_request_duration_seconds_count", **ok) - \
        value(before, "bebeli_http_request_duration_seconds_count", **ok) == 3
    assert value(after, "bebeli_http_request_duration_seconds_sum", **ok) > \
        value(before, "bebeli_http_request_duration_seconds_sum", **ok)
    infinite = value(after, "bebeli_http_request_duration_seconds_bucket", le="+Inf", **ok)
    assert infinite == value(after, "bebeli_http_request_duration_seconds_count", **ok)
    head = {"endpoint": "main.healthz", "method": "HEAD", "status": "2xx"}
    assert value(after, "bebeli_http_requests_total", **head) - value(before, "bebeli_http_requests_total", **head) == 1
    assert value(after, "bebeli_http_requests_total", endpoint="unmatched", method="POST", status="4xx") - \
        value(before, "bebeli_http_requests_total", endpoint="unmatched", method="POST", status="4xx") == 1


def test_server_errors_are_counted_per_endpoint(app):
    from flask import abort

    from bebeli import create_app

    fresh = create_app("testing", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"], METRICS_TOKEN=TOKEN,
                       PROPAGATE_EXCEPTIONS=False)  # as in production: an exception becomes the 500 page

    def boom(code):
        if code == 0:
            raise RuntimeError("a bug")
        abort(code)

    fresh.add_url_rule("/__metrics-boom/<int:code>", "metrics_test_boom", boom)
    client = fresh.test_client()
    before = scrape(client)
    for code in (0, 500, 503, 404):
        assert client.get(f"/__metrics-boom/{code}").status_code == (code or 500)
    after = scrape(client)
    assert value(after, "bebeli_http_errors_total", endpoint="metrics_test_boom") - \
        value(before, "bebeli_http_errors_total", endpoint="metrics_test_boom") == 3
    assert value(after, "bebeli_http_requests_total", endpoint="metrics_test_boom", method="GET", status="5xx") - \
        value(before, "bebeli_http_requests_total", endpoint="metrics_test_boom", method="GET", status="5xx") == 3
    assert value(after, "bebeli_http_requests_total", endpoint="metrics_test_boom", method="GET", status="4xx") - \
        value(before, "bebeli_http_requests_total", endpoint="metrics_test_boom", method="GET", status="4xx") == 1


def test_random_paths_and_methods_add_no_series(client, metrics_token):
    client.get(f"/{uuid.uuid4().hex}")  # the "unmatched" series exist from here on
    client.open("/x", method="BREW")
    before = set(series(scrape(client)))
    for _ in range(25):
        client.get(f"/{uuid.uuid4().hex}/{uuid.uuid4().hex}?q={uuid.uuid4().hex}")
        client.get(f"/produk/{uuid.uuid4().int % 10**9}/{uuid.uuid4().hex}")  # a real rule, no such product
        client.open(f"/{uuid.uuid4().hex}", method=uuid.uuid4().hex[:8].upper())
    after = set(series(scrape(client)))
    new = {name_labels for name_labels in after - before if name_labels[0].startswith("bebeli_http")}
    # At most the product page's own 404 series (one endpoint, one status class) may appear.
    endpoints = {dict(labels).get("endpoint") for _, labels in new}
    assert endpoints <= {"catalog.product"}, sorted(new)
    assert not [labels for _, labels in after if any(uuid_like(v) for _, v in labels)]


def uuid_like(text: str) -> bool:
    return len(text) >= 16 and all(c in "0123456789abcdef" for c in text.lower())


def test_scrape_time_figures(client, metrics_token):
    text = scrape(client)
    assert value(text, "bebeli_ready") == 1
    assert value(text, "bebeli_dependency_up", dependency="database") == 1
    assert value(text, "bebeli_scrape_collector_up", collector="Readiness") == 1
    build = [labels for (name, labels) in series(text) if name == "bebeli_build_info"]
    assert build and dict(build[0])["version"]


def test_a_failing_collector_costs_its_figures_not_the_scrape(client, metrics_token, monkeypatch):
    from bebeli import metrics

    class Broken:
        def collect(self):
            raise RuntimeError("the queue table is gone")

    monkeypatch.setattr(metrics, "EXTRA_COLLECTORS", [Broken])
    text = scrape(client)
    assert value(text, "bebeli_scrape_collector_up", collector="Broken") == 0
    assert value(text, "bebeli_ready") == 1


def test_an_extra_collector_is_registered_by_name(client, metrics_token, monkeypatch):
    monkeypatch.setattr("bebeli.metrics.EXTRA_COLLECTORS", ["tests.metrics.sample_collector:QueueStandIn"])
    text = scrape(client)
    assert value(text, "bebeli_queue_depth") == 7
    assert value(text, "bebeli_scrape_collector_up", collector="QueueStandIn") == 1
