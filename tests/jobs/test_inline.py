"""Inline mode (SQLite, development): the same task runs after the commit — after the response
in a request — and a rolled-back transaction runs nothing. Tested on both databases."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from bebeli.extensions import db
from bebeli.jobs.models import JobRun
from bebeli.mail.models import OutboundEmail
from tests.jobs.test_queue import _mail


@pytest.fixture
def inline(app, data_app, monkeypatch):
    for flask_app in (app, data_app):
        monkeypatch.setitem(flask_app.config, "JOB_QUEUE", "inline")


def _sent(message) -> bool:
    """Read on a connection of its own: what is committed."""
    with db.engine.connect() as conn:
        return conn.scalar(sa.select(OutboundEmail.sent_at).where(OutboundEmail.id == message.id)) is not None


def test_inline_jobs_run_after_commit_and_not_after_rollback(inline, ctx, monkeypatch):
    import bebeli.mail.services as services

    ran = []
    real = services.deliver_one
    monkeypatch.setattr(services, "deliver_one", lambda email_id: (ran.append(email_id), real(email_id)))
    _mail("batal@contoh.go.id")
    db.session.rollback()
    assert ran == []
    kept = _mail("jadi@contoh.go.id")
    db.session.flush()
    assert ran == [] and not _sent(kept)  # nothing before the commit
    db.session.commit()
    assert ran == [kept.id] and _sent(kept)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboundEmail)) == 1


def test_in_a_request_the_job_runs_after_the_response(app, client, inline, ctx):
    from tests.factories import UserFactory

    user = UserFactory(email="lupa@contoh.go.id")
    db.session.commit()
    response = client.post_form("/lupa-kata-sandi", {"identifier": user.email})
    message = db.session.scalar(sa.select(OutboundEmail).where(OutboundEmail.to == user.email))
    assert message is not None and response.status_code in (200, 302)
    response.close()
    assert _sent(message)


def test_a_failed_inline_job_is_recorded_and_the_mail_waits_for_the_sweep(app, data_app, inline, ctx, monkeypatch):
    for flask_app in (app, data_app):
        monkeypatch.setitem(flask_app.config, "MAIL_BACKEND", "smtp")
        monkeypatch.setitem(flask_app.config, "MAIL_SERVER", "127.0.0.1")
        monkeypatch.setitem(flask_app.config, "MAIL_PORT", 9)  # discard: nothing listens
    message = _mail()
    db.session.commit()
    stored = db.session.get(OutboundEmail, message.id)
    assert stored.sent_at is None and stored.attempts == 1 and stored.last_error
    run = db.session.scalar(sa.select(JobRun).where(JobRun.task_name == "deliver-mail"))
    assert run is not None and not run.succeeded and "MailNotDelivered" in run.error

    from bebeli.jobs.health import queue_stats

    stats = queue_stats()
    assert (stats.mode, stats.depth, stats.failed) == ("inline", 1, 0)
    monkeypatch.setitem(data_app.config, "MAIL_BACKEND", "log")
    result = data_app.test_cli_runner().invoke(args=["send-mail"])
    assert result.output.strip() == "delivered 1 message(s)" and _sent(message)
