"""Queue mail in the current transaction; a job delivers it after commit.

The `OutboundEmail` row is the record of every message. `send_mail` defers the `deliver-mail`
job in the same transaction (bebeli/jobs): with JOB_QUEUE=procrastinate the worker process
delivers it, retrying with growing pauses, and no web worker ever talks to SMTP; inline
(SQLite, development) it runs after the response, as before. `deliver_pending` is the sweep
behind `flask send-mail` and the periodic job of that name.
"""
from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from datetime import timedelta

from flask import current_app, render_template

from bebeli.db import utcnow
from bebeli.extensions import db
from bebeli.mail.models import OutboundEmail

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5  # the sweep gives up on a message after this many failed attempts
SMTP_TIMEOUT_SECONDS = 10


class MailNotDelivered(Exception):
    """The mail server refused or did not answer; the job is retried later."""


def send_mail(to: str, subject: str, template: str, *, kind: str = "general", **context) -> OutboundEmail:
    """Queue a plain-text mail rendered from `templates/mail/<template>.txt`."""
    body = render_template(f"mail/{template}.txt", **context)
    message = OutboundEmail(to=to, subject=str(subject), body=body, kind=kind)
    db.session.add(message)
    db.session.flush()  # the job names the row
    from bebeli.jobs.queue import defer
    from bebeli.jobs.tasks import deliver_mail

    defer(deliver_mail, email_id=message.id)
    return message


def _deliver_smtp(message: OutboundEmail) -> None:
    cfg = current_app.config
    email = EmailMessage()
    email["From"] = cfg["MAIL_DEFAULT_SENDER"]
    email["To"] = message.to
    email["Subject"] = message.subject
    email.set_content(message.body)
    with smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=SMTP_TIMEOUT_SECONDS) as smtp:
        if cfg["MAIL_USE_TLS"]:
            smtp.starttls()
        if cfg["MAIL_USERNAME"]:
            smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"])
        smtp.send_message(email)


def _attempt(message: OutboundEmail) -> bool:
    """One delivery attempt, counted on the row; True when the message went out."""
    message.attempts += 1
    try:
        if current_app.config["MAIL_BACKEND"] == "smtp":
            _deliver_smtp(message)
        else:
            log.info("mail to=%s subject=%r\n%s", message.to, message.subject, message.body)
    except (OSError, smtplib.SMTPException) as exc:
        message.last_error = f"{exc.__class__.__name__}: {exc}"[:255]
        log.warning("mail delivery failed for %s: %s", message.id, exc)
        return False
    message.sent_at = utcnow()
    message.last_error = None
    return True


def deliver_one(email_id: int) -> None:
    """The `deliver-mail` job: send one queued message unless it went out already (or another
    process is sending it now). Commits its bookkeeping; raises MailNotDelivered when the
    server refused, so the queue retries later."""
    stmt = db.select(OutboundEmail).where(OutboundEmail.id == email_id).with_for_update(skip_locked=True)
    message = db.session.scalars(stmt).first()
    if message is None or message.sent_at is not None:
        db.session.rollback()
        return
    delivered = _attempt(message)
    error = message.last_error
    db.session.commit()
    if not delivered:
        raise MailNotDelivered(error)


def deliver_pending(limit: int = 100, *, older_than: timedelta | None = None) -> int:
    """Deliver queued mail; commits its own bookkeeping. Safe to run from several processes:
    rows are claimed with SKIP LOCKED on PostgreSQL (SQLite serialises writers anyway).
    `older_than` leaves younger messages to their own jobs (the periodic sweep)."""
    stmt = (
        db.select(OutboundEmail)
        .where(OutboundEmail.sent_at.is_(None), OutboundEmail.attempts < MAX_ATTEMPTS)
        .order_by(OutboundEmail.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    if older_than is not None:
        stmt = stmt.where(OutboundEmail.created_at < utcnow() - older_than)
    sent = sum(_attempt(message) for message in db.session.scalars(stmt).all())
    db.session.commit()
    return sent
