"""The periodic jobs: one table, one line each.

Each line names the job (also its lock and its `flask` command), when it runs (cron, UTC —
01:00 UTC is 08:00 WIB), how often it is expected to succeed (a job whose last success is
older than `STALE_AFTER` × that is stale: the status page and the metrics say so), and the
function it runs — the same function its `flask` command runs by hand.

`flask worker` defers each one when its time comes (procrastinate periodic tasks, declared
from this table in bebeli/jobs/periodic.py): a queueing lock keeps one run waiting at most, a
lock keeps two from running at once, and the database lock of bebeli/locks.py keeps a run by
hand from overlapping a scheduled one. Every success and failure is recorded in `job_runs`.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from bebeli.jobs.queue import run_recorded
from bebeli.locks import run_exclusively

STALE_AFTER = 2  # expected intervals without a success before a job counts as stale


@dataclass(frozen=True)
class Periodic:
    name: str          # the job, its lock, and its command (`flask <command>`)
    cron: str          # when the worker starts it, UTC
    every: timedelta   # expected interval between successes
    function: str      # "module:function", shared with the command
    command: str = ""  # the `flask` command when it is not the name
    kwargs: dict[str, Any] = field(default_factory=dict)  # what the schedule passes (not the command)

    @property
    def cli(self) -> str:
        return self.command or self.name

    def call(self, **options: Any) -> Any:
        module, _, attribute = self.function.partition(":")
        return getattr(importlib.import_module(module), attribute)(**options)


PERIODIC: tuple[Periodic, ...] = (
    Periodic("expire-orders", "*/5 * * * *", timedelta(minutes=5), "bebeli.orders.cli:expire_overdue_orders"),
    Periodic("autocomplete-orders", "*/15 * * * *", timedelta(minutes=15), "bebeli.orders.cli:autocomplete_due_orders"),
    # Each message has its own job; this sweep sends what was left waiting (mail queued
    # inline, or before the queue existed).
    Periodic("send-mail", "*/15 * * * *", timedelta(minutes=15), "bebeli.cli:deliver_queued_mail",
             kwargs={"older_than_minutes": 15}),
    Periodic("complaints-deadlines", "*/15 * * * *", timedelta(minutes=15),
             "bebeli.complaints.cli:move_past_deadlines"),
    Periodic("quota-reminders", "0 1 * * *", timedelta(days=1), "bebeli.quotas.cli:remind_below_minimum"),
    Periodic("notify-expired-certificates", "0 0 * * *", timedelta(days=1),
             "bebeli.sellers.cli:report_expired_certificates"),
    Periodic("quota-freeze", "30 17 * * *", timedelta(days=1), "bebeli.quotas.cli:freeze_closed"),
    Periodic("payouts-create", "0 2 * * *", timedelta(days=1), "bebeli.settlement.cli:create_payouts",
             command="payouts create"),
    Periodic("pageviews-flush", "*/10 * * * *", timedelta(minutes=10), "bebeli.pageviews.counter:flush_views"),
)
BY_NAME = {entry.name: entry for entry in PERIODIC}


def run_scheduled(name: str, *, job_id: int | None = None, **options: Any) -> str:
    """Run periodic job `name` now, on one server at a time, and record the outcome. Returns
    what the job reports (or that another server is running it)."""
    entry = BY_NAME[name]
    with run_exclusively(entry.name) as acquired:
        if not acquired:
            return f"{name}: skipped, another server is running it"
        return run_recorded(name, lambda: entry.call(**options), job_id=job_id)
