"""Scheduled commands run on one server at a time (bebeli.locks), on SQLite and PostgreSQL."""
from __future__ import annotations

import threading

import click
import pytest
import sqlalchemy as sa
from flask.cli import with_appcontext

from bebeli.extensions import db
from bebeli.locks import exclusive, run_exclusively


class Holder(threading.Thread):
    """Another "server": takes the lock on its own app (own engine, own connection) and holds it
    until released."""

    def __init__(self, app, name: str):
        super().__init__(daemon=True)
        self.app, self.name = app, name
        self.acquired: bool | None = None
        self.holding = threading.Event()
        self.release = threading.Event()

    def run(self):
        with self.app.app_context(), run_exclusively(self.name) as acquired:
            self.acquired = acquired
            self.holding.set()
            self.release.wait(10)

    def __enter__(self):
        self.start()
        assert self.holding.wait(10)
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.join(10)


def test_only_one_holder_runs_and_the_lock_is_free_again_afterwards(app, ctx):
    with Holder(app, "expire-orders") as other:
        assert other.acquired is True
        with run_exclusively("expire-orders") as acquired:
            assert acquired is False
        # Another job is not held up by it.
        with run_exclusively("quota-reminders") as acquired:
            assert acquired is True
    with run_exclusively("expire-orders") as acquired:
        assert acquired is True


def test_the_lock_is_released_when_the_job_fails(ctx):
    with pytest.raises(RuntimeError):
        with run_exclusively("autocomplete-orders") as acquired:
            assert acquired
            raise RuntimeError("job failed")
    with run_exclusively("autocomplete-orders") as acquired:
        assert acquired is True


def test_many_servers_at_once_exactly_one_runs(app, data_app):
    apps = [app, data_app] * 3
    ran, gave_up = [], []
    start, everyone_tried = threading.Barrier(len(apps)), threading.Event()

    def server(flask_app):
        with flask_app.app_context():
            start.wait(10)
            with run_exclusively("send-reminders") as acquired:
                if acquired:
                    ran.append(flask_app)
                    everyone_tried.wait(10)  # still running while the others try
                else:
                    gave_up.append(flask_app)
                    if len(gave_up) == len(apps) - 1:
                        everyone_tried.set()

    threads = [threading.Thread(target=server, args=(a,), daemon=True) for a in apps]
    for t in threads:
        t.start()
    for t in threads:
        t.join(15)
    assert len(ran) == 1 and len(gave_up) == len(apps) - 1


@click.command("demo-job")
@with_appcontext
@exclusive("demo-job")
def demo_job():
    click.echo("job ran")


def test_exclusive_command_skips_with_a_message_while_another_server_runs_it(app, data_app):
    runner = data_app.test_cli_runner()
    with Holder(app, "demo-job"):
        result = runner.invoke(demo_job)
    assert result.exit_code == 0, result.output
    assert "skipped, another server is running it" in result.output and "job ran" not in result.output

    result = runner.invoke(demo_job)
    assert result.exit_code == 0 and "job ran" in result.output


@pytest.mark.parametrize("command", ["expire-orders", "autocomplete-orders", "send-mail", "quota-reminders",
                                     "quota-freeze", "notify-expired-certificates"])
def test_every_scheduled_command_skips_while_another_server_runs_it(app, data_app, command):
    runner = data_app.test_cli_runner()
    with Holder(app, command):
        result = runner.invoke(args=[command])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"{command}: skipped, another server is running it"


def test_a_skipped_reminder_run_sends_nothing_and_the_next_run_does(app, data_app):
    from datetime import date

    from bebeli.mail.models import OutboundEmail
    from tests.factories import AsnFactory
    from tests.quotas.factories import policy

    with data_app.app_context():
        policy(effective_from=date(2025, 1, 1))
        AsnFactory(user__email="kurang@contoh.go.id")
        db.session.commit()
        runner = data_app.test_cli_runner()
        with Holder(app, "quota-reminders"):
            runner.invoke(args=["quota-reminders", "--month", "2025-03"])
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboundEmail)) == 0
        result = runner.invoke(args=["quota-reminders", "--month", "2025-03"])
        assert "1 pengingat" in result.output, result.output
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboundEmail)) == 1
