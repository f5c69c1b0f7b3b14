"""The job queue on PostgreSQL: a job is part of the transaction that defers it, the worker
delivers mail, and web requests never talk to the mail server."""
from __future__ import annotations

import smtplib
import socket
import threading
import time

import pytest
import sqlalchemy as sa

from bebeli.extensions import db
from bebeli.mail.models import OutboundEmail
from bebeli.mail.services import send_mail
from tests.jobs.conftest import jobs, work


def _mail(to: str = "siti@contoh.go.id") -> OutboundEmail:
    from flask import current_app

    with current_app.test_request_context("/"):
        return send_mail(to, "Uji", "order_update", user=None, message="Halo", url=None)


def test_a_job_deferred_in_a_rolled_back_transaction_does_not_exist(app, queue, ctx):
    message = _mail()
    assert message.id is not None
    db.session.rollback()
    assert jobs(app) == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboundEmail)) == 0


def test_a_job_deferred_in_a_committed_transaction_exists_with_its_mail(app, queue, ctx):
    message = _mail()
    assert jobs(app) == []  # not before the commit: other connections do not see it
    db.session.commit()
    [job] = jobs(app)
    assert (job["task_name"], job["queue_name"], job["status"], job["args"]) == \
        ("deliver-mail", "mail", "todo", {"email_id": message.id})


def test_the_worker_delivers_queued_mail(app, queue, ctx, caplog):
    caplog.set_level("INFO", logger="bebeli.mail.services")
    first, second = _mail("a@contoh.go.id"), _mail("b@contoh.go.id")
    db.session.commit()
    work(app, "mail")
    db.session.expire_all()
    assert all(db.session.get(OutboundEmail, m.id).sent_at is not None for m in (first, second))
    assert {job["status"] for job in jobs(app, task_name="deliver-mail")} == {"succeeded"}
    assert "mail to=a@contoh.go.id" in caplog.text


class HungServer:
    """A mail server that accepts connections and never says a word."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.accepted: list[socket.socket] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self):
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.accepted.append(conn)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(2)
        for conn in self.accepted:
            conn.close()
        self.sock.close()


@pytest.fixture
def smtp_calls(monkeypatch):
    """Every SMTP connection the code opens (the real class still runs)."""
    calls = []
    real = smtplib.SMTP

    def recording(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr("bebeli.mail.services.smtplib.SMTP", recording)
    return calls


def test_a_hung_mail_server_does_not_touch_a_checkout(app, client, queue, ctx, monkeypatch, smtp_calls):
    from bebeli.orders.models import Order
    from tests.orders.factories import asn_buyer, fill_cart
    from tests.orders.test_checkout import _checkout_page, _form
    from tests.factories import ProductFactory

    buyer = asn_buyer()
    product = ProductFactory(stock=5)
    fill_cart(buyer, (product, 1))
    client.login(buyer)
    _, key = _checkout_page(client)
    with HungServer() as server:
        monkeypatch.setitem(app.config, "MAIL_BACKEND", "smtp")
        monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
        monkeypatch.setitem(app.config, "MAIL_PORT", server.port)
        monkeypatch.setitem(app.config, "MAIL_USE_TLS", False)
        started = time.perf_counter()
        response = client.post_form("/keranjang/checkout", _form(key, [product.shop]), page="/keranjang/checkout")
        response.close()  # what runs after the response ran now
        elapsed = time.perf_counter() - started
        assert response.status_code == 302
        assert smtp_calls == [] and server.accepted == []
    order = db.session.scalar(sa.select(Order))
    mail = db.session.scalars(sa.select(OutboundEmail)).all()
    assert order is not None and mail and all(m.sent_at is None and m.attempts == 0 for m in mail)
    waiting = jobs(app, task_name="deliver-mail", status="todo")
    assert sorted(job["args"]["email_id"] for job in waiting) == sorted(m.id for m in mail)
    print(f"checkout with a hung mail server: {elapsed * 1000:.0f} ms, {len(smtp_calls)} SMTP connection(s)")


def test_a_refused_defer_undoes_only_itself_and_the_transaction_goes_on(app, queue, ctx):
    from procrastinate.exceptions import AlreadyEnqueued

    from bebeli.jobs import periodic
    from bebeli.jobs.queue import defer, jobs_app

    task = jobs_app.tasks[periodic.task_name(periodic.PERIODIC[0])]
    first = defer(task, timestamp=1)
    with pytest.raises(AlreadyEnqueued):
        defer(task, timestamp=2)  # its queueing lock: one run waiting at most
    message = _mail()  # the transaction is still usable
    db.session.commit()
    assert [job["id"] for job in jobs(app, task_name=task.name)] == [first]
    assert jobs(app, task_name="deliver-mail")[0]["args"] == {"email_id": message.id}
