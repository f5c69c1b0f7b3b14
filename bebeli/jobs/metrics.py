"""Job and queue health for Prometheus: a custom collector read at each scrape.

    bebeli.metrics.EXTRA_COLLECTORS holds "bebeli.jobs.metrics:scrape_collector", which builds
    one for the app answering the scrape.

Each scrape runs three small queries (bebeli/jobs/health.py) in an application context of
its own. When the database does not answer, the scrape yields nothing for these metrics (the
scrape itself still succeeds), and the failure is logged.
"""
from __future__ import annotations

import logging

from flask import Flask
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

log = logging.getLogger(__name__)


class JobsCollector(Collector):
    def __init__(self, app: Flask):
        self.app = app

    def describe(self):
        # Registration must not query the database: describe the names without values.
        return list(self._families(None, []))

    def collect(self):
        from bebeli.jobs.health import periodic_health, queue_stats

        try:
            with self.app.app_context():
                stats, periodic = queue_stats(), periodic_health()
        except Exception:  # noqa: BLE001 - a failed scrape of the queue must not fail the others
            log.warning("job metrics unavailable", exc_info=True)
            return
        yield from self._families(stats, periodic)

    @staticmethod
    def _families(stats, periodic):
        depth = GaugeMetricFamily("bebeli_queue_depth", "Jobs waiting to run (inline: mail waiting to be sent).")
        age = GaugeMetricFamily("bebeli_queue_oldest_age_seconds", "How long the oldest waiting job has waited.")
        failed = GaugeMetricFamily("bebeli_jobs_failed", "Dead jobs: failed after their last retry.")
        last = GaugeMetricFamily("bebeli_job_last_success_timestamp_seconds",
                                 "Unix time of the periodic job's last success (0: never).", labels=["scheduled_job"])
        stale = GaugeMetricFamily("bebeli_job_stale", "1 when the periodic job has not succeeded within its "
                                  "expected interval (twice over).", labels=["scheduled_job"])
        if stats is not None:
            depth.add_metric([], stats.depth)
            age.add_metric([], stats.oldest_age_seconds)
            failed.add_metric([], stats.failed)
        for job in periodic:
            last.add_metric([job.name], job.last_success.timestamp() if job.last_success else 0)
            stale.add_metric([job.name], 1 if job.stale else 0)
        return depth, age, failed, last, stale


def scrape_collector() -> JobsCollector:
    """The entry in bebeli.metrics.EXTRA_COLLECTORS: called inside the scrape's request."""
    from flask import current_app

    return JobsCollector(current_app._get_current_object())
