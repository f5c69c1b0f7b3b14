"""deploy/: the Prometheus rules and the Grafana dashboard are valid, and every metric they name
is one the app exports (or, for the job queue, one of the documented job metrics)."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from tests.metrics.helpers import scrape

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
ALERTS = DEPLOY / "prometheus" / "alerts.yml"
DASHBOARD = DEPLOY / "grafana" / "bebeli-dashboard.json"
# Exported by the job queue's collector (bebeli.jobs.metrics), registered in
# bebeli.metrics.EXTRA_COLLECTORS: the scrape below must carry them.
JOB_METRICS = frozenset({"bebeli_queue_depth", "bebeli_queue_oldest_age_seconds", "bebeli_jobs_failed",
                         "bebeli_job_last_success_timestamp_seconds", "bebeli_job_stale"})
PROMETHEUS_OWN = frozenset({"up"})
METRIC = re.compile(r"\bbebeli_[a-z0-9_]+\b|\bup(?=\{)")
SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_sum", "_count"), "gauge": ("",), "info": ("_info",)}


def _rules() -> list[dict]:
    return [rule for group in yaml.safe_load(ALERTS.read_text())["groups"] for rule in group["rules"]]


def _dashboard_exprs() -> list[str]:
    dashboard = json.loads(DASHBOARD.read_text())
    return [target["expr"] for panel in dashboard["panels"] for target in panel.get("targets", [])]


def _names(exprs) -> set[str]:
    return {name for expr in exprs for name in METRIC.findall(expr)}


def _exported(text: str) -> set[str]:
    names = set()
    for family in text_string_to_metric_families(text):
        names.update(family.name + suffix for suffix in SUFFIXES.get(family.type, ("",)))
        names.update(sample.name for sample in family.samples)
    return names


def test_the_rules_cover_what_operators_must_hear_about():
    rules = _rules()
    alerts = {rule["alert"]: rule for rule in rules}
    for rule in rules:
        assert set(rule) >= {"alert", "expr", "for", "labels", "annotations"}, rule
        assert rule["labels"]["severity"] in ("critical", "warning")
        assert rule["annotations"]["summary"] and rule["annotations"]["description"]
    assert "bebeli_job_stale" in alerts["BebeliScheduledJobStale"]["expr"]
    assert alerts["BebeliScheduledJobStale"]["for"] == "10m"
    wanted = {"bebeli_queue_oldest_age_seconds", "bebeli_http_errors_total", "bebeli_ready", "up",
              "bebeli_redis_breaker_state", "bebeli_db_pool_in_use"}
    assert wanted <= _names(rule["expr"] for rule in rules)


def test_the_dashboard_is_an_importable_grafana_dashboard():
    dashboard = json.loads(DASHBOARD.read_text())
    assert dashboard["title"] and dashboard["uid"] and dashboard["schemaVersion"] >= 30
    assert {v["name"] for v in dashboard["templating"]["list"]} >= {"datasource", "instance"}
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    for panel in dashboard["panels"]:
        assert {"type", "title", "gridPos"} <= set(panel)
        for target in panel.get("targets", []):
            assert target["datasource"]["uid"] == "${datasource}" and target["refId"]
    titles = " ".join(panel["title"].lower() for panel in dashboard["panels"])
    for topic in ("requests", "p95", "errors", "checkouts", "payments", "queue", "scheduled job", "redis", "database"):
        assert topic in titles, topic


def test_every_metric_the_rules_and_dashboard_name_is_exported(client, ctx, metrics_token):
    from tests.factories import ProductFactory
    from tests.orders.factories import asn_buyer, paid_order

    paid_order(asn_buyer(), (ProductFactory(stock=3), 1))
    client.get("/healthz")
    client.get("/no-such-page")
    exported = _exported(scrape(client))
    assert JOB_METRICS <= exported
    exported |= PROMETHEUS_OWN
    used = _names(rule["expr"] for rule in _rules()) | _names(_dashboard_exprs())
    assert len(used) >= 15
    assert used - exported == set(), f"named in deploy/ but not exported: {sorted(used - exported)}"
    assert JOB_METRICS <= used  # the queue's figures are shown and alerted on


PROMTOOL = shutil.which("promtool")


@pytest.mark.skipif(not PROMTOOL, reason="promtool not installed (Debian package prometheus)")
@pytest.mark.parametrize("command", [["check", "rules", "alerts.yml"], ["test", "rules", "alerts.test.yml"],
                                     ["check", "config", "--syntax-only", "prometheus.yml"]])
def test_promtool_accepts_the_rules_and_their_unit_tests(command):
    done = subprocess.run([PROMTOOL, *command], cwd=DEPLOY / "prometheus", capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
