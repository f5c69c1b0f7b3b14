"""What a scrape reads: every worker's files (gunicorn, PROMETHEUS_MULTIPROC_DIR) or this
process's own metrics, plus collectors that read their figures at scrape time.

Each scrape builds its own registry, so a collector added to EXTRA_COLLECTORS (bebeli.metrics)
runs inside the scrape's request, with the app context and a database session. A collector
that fails is left out of that scrape (logged, and `bebeli_scrape_collector_up` says 0): the
rest of the figures are still served.
"""
from __future__ import annotations

import importlib
import logging
import os
import platform
from importlib import metadata

from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

log = logging.getLogger(__name__)


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


class ThisProcess:
    """The default registry of this process: single-process mode (no PROMETHEUS_MULTIPROC_DIR)."""

    def collect(self):
        return REGISTRY.collect()


class BuildInfo:
    """bebeli_build_info{version, revision, python} 1 (revision: BEBELI_REVISION, set by the deploy)."""

    def collect(self):
        try:
            version = metadata.version("bebeli")
        except metadata.PackageNotFoundError:
            version = "unknown"
        family = GaugeMetricFamily("bebeli_build_info", "The running release", labels=("version", "revision", "python"))
        family.add_metric((version, os.environ.get("BEBELI_REVISION", "unknown"), platform.python_version()), 1)
        yield family


class Readiness:
    """The same checks as /readyz: bebeli_ready (the database answers) and
    bebeli_dependency_up{dependency} for the database and, when configured, Redis (optional:
    0 means degraded, not unready)."""

    def collect(self):
        from bebeli.observability import readiness_checks

        checks, _degraded = readiness_checks()
        up = GaugeMetricFamily("bebeli_dependency_up", "A service the app uses answers (1) or not (0)",
                               labels=("dependency",))
        for name, result in sorted(checks.items()):
            up.add_metric((name,), 1 if result == "ok" else 0)
        yield up
        yield GaugeMetricFamily("bebeli_ready", "The app would answer /readyz with 200 (the database answers)",
                                value=1 if checks.get("database") == "ok" else 0)


class _Guarded:
    """Runs one collector; a failure costs its figures, never the scrape."""

    def __init__(self, name: str, collector, status: dict):
        self.name, self.collector, self.status = name, collector, status

    def collect(self):
        try:
            families = list(self.collector.collect())
        except Exception:  # noqa: BLE001 - one broken collector must not take the others down
            log.exception("metrics collector %s failed", self.name)
            self.status[self.name] = 0
            return []
        self.status[self.name] = 1
        return families


class _CollectorStatus:
    def __init__(self, status: dict):
        self.status = status

    def collect(self):
        family = GaugeMetricFamily("bebeli_scrape_collector_up", "A scrape-time collector answered (1) or failed (0)",
                                   labels=("collector",))
        for name, up in sorted(self.status.items()):
            family.add_metric((name,), up)
        yield family


def resolve(entry):
    """An EXTRA_COLLECTORS entry: "module:Name" (imported at the first scrape) or the callable."""
    if isinstance(entry, str):
        module, _, name = entry.partition(":")
        return getattr(importlib.import_module(module), name)
    return entry


def build_registry(extra=()) -> CollectorRegistry:
    """A registry for one scrape. The scrape-time collectors run first (a scrape collects in
    registration order): what they change — the readiness probe may open this worker's Redis
    breaker — is already in the workers' figures read after them."""
    registry = CollectorRegistry(auto_describe=False)
    status: dict[str, int] = {}
    for entry in (BuildInfo, Readiness, *extra):
        factory = resolve(entry)
        registry.register(_Guarded(getattr(factory, "__name__", repr(factory)), factory(), status))
    registry.register(_CollectorStatus(status))
    path = multiprocess_dir()
    if path:
        MultiProcessCollector(registry, path=path)
    else:
        registry.register(ThisProcess())
    return registry


def exposition(extra=()) -> bytes:
    return generate_latest(build_registry(extra))
