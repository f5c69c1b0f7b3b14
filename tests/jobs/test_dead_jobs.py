"""A job that keeps failing is retried with growing pauses, then lies dead on the status page,
where an administrator puts it back in the queue (audited)."""
from __future__ import annotations

import socket
from datetime import datetime, timezone

import sqlalchemy as sa

from bebeli.audit.models import AuditEvent
from bebeli.extensions import db
from bebeli.mail.models import OutboundEmail
from tests.factories import admin
from tests.jobs.conftest import jobs, work
from tests.jobs.test_queue import _mail
from tests.pageforms import rendered_form


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens there once the socket is closed


def _make_due(app, job_id: int) -> None:
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(sa.text("UPDATE procrastinate_jobs SET scheduled_at = now() WHERE id = :id"), {"id": job_id})


def test_a_failing_job_is_retried_with_backoff_then_dead_and_retried_from_the_status_page(app, client, queue, ctx,
                                                                                          monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "smtp")
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", _closed_port())
    message = _mail("gagal@contoh.go.id")
    db.session.commit()
    [job] = jobs(app, task_name="deliver-mail")

    pauses = []
    for attempt in range(1, 6):
        before = datetime.now(timezone.utc)
        work(app, "mail")
        [job] = jobs(app, id=job["id"])
        assert job["attempts"] == attempt
        if job["status"] == "failed":
            break
        assert job["status"] == "todo"
        pauses.append(round((job["scheduled_at"] - before).total_seconds()))
        _make_due(app, job["id"])
    assert job["status"] == "failed" and job["attempts"] == 5
    assert [p // 5 * 5 for p in pauses] == [5, 25, 125, 625]  # 5 ** attempt seconds (within a second)
    db.session.expire_all()
    assert db.session.get(OutboundEmail, message.id).attempts == 5

    staff = admin()
    db.session.commit()
    client.login(staff)
    html = client.get("/admin/sistem/").get_data(as_text=True)
    assert f'data-job-id="{job["id"]}"' in html and "ConnectionRefusedError" in html
    assert 'data-testid="queue-failed">1<' in html

    form = rendered_form(html, "/admin/sistem/ulang")
    assert form.get("job_id") == str(job["id"])
    response = client.post("/admin/sistem/ulang", data=form.data())
    assert response.status_code == 302
    assert jobs(app, id=job["id"])[0]["status"] == "todo"
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "jobs.retry"))
    assert (event.actor_id, event.object_id, event.details["task"]) == (staff.id, str(job["id"]), "deliver-mail")

    # Once the mail server is back, the retried job delivers the message.
    monkeypatch.setitem(app.config, "MAIL_BACKEND", "log")
    work(app, "mail")
    assert jobs(app, id=job["id"])[0]["status"] == "succeeded"
    db.session.expire_all()
    assert db.session.get(OutboundEmail, message.id).sent_at is not None
    assert f'data-job-id="{job["id"]}"' not in client.get("/admin/sistem/").get_data(as_text=True)


def test_a_retry_of_a_job_that_is_not_dead_is_refused_and_writes_nothing(app, client, queue, ctx):
    _mail()
    staff = admin()
    db.session.commit()
    [job] = jobs(app, task_name="deliver-mail")
    client.login(staff)
    response = client.post_form("/admin/sistem/ulang", {"job_id": job["id"]}, page="/admin/sistem/")
    assert response.status_code == 302
    assert jobs(app, id=job["id"])[0]["status"] == "todo"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "jobs.retry")) == 0


def test_the_status_page_is_for_administrators_only(client, ctx):
    from tests.orders.factories import asn_buyer

    buyer = asn_buyer()
    db.session.commit()
    client.login(buyer)
    assert client.get("/admin/sistem/").status_code == 403
    assert client.post_form("/admin/sistem/ulang", {"job_id": "1"}, page="/akun").status_code == 403
