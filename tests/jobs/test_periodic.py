"""The periodic jobs: one table, the same functions as the commands, health and metrics."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from prometheus_client import CollectorRegistry, generate_latest

from bebeli.extensions import db
from bebeli.jobs import periodic, schedule
from bebeli.jobs.health import periodic_health, queue_stats
from bebeli.jobs.metrics import JobsCollector
from bebeli.jobs.models import JobRun
from bebeli.jobs.queue import jobs_app
from tests.jobs.conftest import jobs, work

# What scripts/scheduler.sh and the crontab ran before the queue replaced them, and the jobs
# added since.
FORMER_CRON = {"expire-orders", "autocomplete-orders", "send-mail", "quota-reminders",
               "notify-expired-certificates", "quota-freeze", "payouts create"}
ADDED = {"complaints-deadlines", "pageviews-flush"}
NOW = datetime(2026, 12, 3, 9, 0, tzinfo=timezone.utc)


def test_the_periodic_jobs_are_the_former_cron_commands_and_each_is_scheduled():
    assert {entry.cli for entry in schedule.PERIODIC} == FORMER_CRON | ADDED
    registered = {p.task.name: p.cron for p in jobs_app.periodic_registry.periodic_tasks.values()}
    assert registered == {periodic.task_name(entry): entry.cron for entry in schedule.PERIODIC}
    for entry in schedule.PERIODIC:
        task = jobs_app.tasks[periodic.task_name(entry)]
        assert task.lock == task.queueing_lock == entry.name  # one waiting, one running at a time


@pytest.mark.parametrize("entry", schedule.PERIODIC, ids=lambda entry: entry.name)
def test_each_command_runs_the_function_of_its_periodic_job(data_app, ctx, monkeypatch, entry):
    module, _, attribute = entry.function.partition(":")
    called = []
    monkeypatch.setattr(f"{module}.{attribute}", lambda **options: called.append(options) or "selesai")
    result = data_app.test_cli_runner().invoke(args=entry.cli.split())
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "selesai" and len(called) == 1
    run = db.session.scalar(sa.select(JobRun).where(JobRun.task_name == entry.name))
    assert run is not None and run.succeeded  # a run by hand counts for the job's health


def _run(name: str, at: datetime, ok: bool = True, error: str | None = None) -> None:
    db.session.add(JobRun(task_name=name, started_at=at, finished_at=at, succeeded=ok, error=error))


def test_a_job_is_stale_without_a_success_within_twice_its_interval(ctx):
    _run("expire-orders", NOW - timedelta(minutes=9))          # every 5 min: 9 min is within 10
    _run("autocomplete-orders", NOW - timedelta(minutes=31))   # every 15 min: 31 min is not within 30
    _run("quota-freeze", NOW - timedelta(hours=47))            # daily: within two days
    _run("quota-freeze", NOW - timedelta(hours=1), ok=False, error="RuntimeError: boom")
    db.session.commit()
    health = {row.name: row for row in periodic_health(now=NOW)}
    assert set(health) == {entry.name for entry in schedule.PERIODIC}
    assert not health["expire-orders"].stale and health["expire-orders"].every == timedelta(minutes=5)
    assert health["autocomplete-orders"].stale
    assert not health["quota-freeze"].stale and health["quota-freeze"].last_error == "RuntimeError: boom"
    assert health["quota-freeze"].last_success == NOW - timedelta(hours=47)
    assert health["payouts-create"].stale and health["payouts-create"].last_success is None  # never ran
    _run("quota-freeze", NOW - timedelta(minutes=1))
    db.session.commit()
    assert {row.name: row for row in periodic_health(now=NOW)}["quota-freeze"].last_error is None


def test_the_collector_yields_the_named_metrics(data_app, ctx):
    _run("expire-orders", datetime.now(timezone.utc) - timedelta(minutes=1))
    db.session.commit()
    registry = CollectorRegistry()
    registry.register(JobsCollector(data_app))
    families = {family.name: family for family in JobsCollector(data_app).collect()}
    assert set(families) == {"bebeli_queue_depth", "bebeli_queue_oldest_age_seconds", "bebeli_jobs_failed",
                             "bebeli_job_last_success_timestamp_seconds", "bebeli_job_stale"}
    stats = queue_stats()
    assert families["bebeli_queue_depth"].samples[0].value == stats.depth
    assert families["bebeli_jobs_failed"].samples[0].value == stats.failed
    stale = {s.labels["scheduled_job"]: s.value for s in families["bebeli_job_stale"].samples}
    assert stale["expire-orders"] == 0 and stale["payouts-create"] == 1
    last = {s.labels["scheduled_job"]: s.value for s in families["bebeli_job_last_success_timestamp_seconds"].samples}
    assert last["expire-orders"] > 0 and last["payouts-create"] == 0
    text = generate_latest(registry).decode()
    assert 'bebeli_job_stale{scheduled_job="expire-orders"} 0.0' in text and "bebeli_queue_oldest_age_seconds" in text


def test_the_status_page_shows_the_queue_and_highlights_stale_jobs(client, ctx):
    from tests.factories import admin

    _run("expire-orders", datetime.now(timezone.utc) - timedelta(minutes=1))
    staff = admin()
    db.session.commit()
    client.login(staff)
    html = client.get("/admin/sistem/").get_data(as_text=True)
    assert 'data-testid="readiness"' in html and 'data-testid="queue-depth"' in html
    row = html[html.index('data-job="expire-orders"'):].split("</tr>")[0]
    assert "row-warning" not in html[html.index('data-job="expire-orders"') - 40:html.index('data-job="expire-orders"')]
    assert 'data-testid="stale"' not in row
    stale_row = html[html.index('data-job="payouts-create"'):].split("</tr>")[0]
    assert 'data-testid="stale"' in stale_row
    dashboard = client.get("/admin/").get_data(as_text=True)
    assert 'href="/admin/sistem/"' in dashboard


def test_a_periodic_job_run_by_the_worker_is_recorded(app, queue, ctx):
    from procrastinate import tasks as procrastinate_tasks

    from bebeli.jobs.connector import SessionConnector
    from procrastinate import manager

    entry = schedule.BY_NAME["expire-orders"]
    deferrer = procrastinate_tasks.configure_task(name=periodic.task_name(entry), queue=periodic.PERIODIC_QUEUE,
                                                  job_manager=manager.JobManager(SessionConnector()))
    job_id = deferrer.defer(timestamp=0)
    db.session.commit()
    work(app, periodic.PERIODIC_QUEUE)  # the worker may defer the job's due run too, and work it
    assert jobs(app, id=job_id)[0]["status"] == "succeeded"
    assert {job["status"] for job in jobs(app, task_name=periodic.task_name(entry))} == {"succeeded"}
    db.session.expire_all()
    run = db.session.scalar(sa.select(JobRun).where(JobRun.task_name == "expire-orders"))
    assert run is not None and run.succeeded and run.job_id is not None
    assert not {row.name: row for row in periodic_health()}["expire-orders"].stale
