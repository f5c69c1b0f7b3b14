"""Queue mail in the current transaction; deliver it after commit."""
from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from flask import current_app, g, has_request_context, render_template

from bebeli.db import utcnow
from bebeli.extensions import db
from bebeli.mail.models import OutboundEmail

log = logging.getLogger(__name__)


def send_mail(to: str, subject: str, template: str, *, kind: str = "general", **context) -> OutboundEmail:
    """Queue a plain-text mail rendered from `templates/mail/<template>.txt`."""
    body = render_template(f"mail/{template}.txt", **context)
    message = OutboundEmail(to=to, subject=str(subject), body=body, kind=kind)
    db.session.add(message)
    if has_request_context():
        g.mail_queued = True
    return message


def _deliver_smtp(message: OutboundEmail) -> None:
    cfg = current_app.config
    email = EmailMessage()
    email["From"] = cfg["MAIL_DEFAULT_SENDER"]
    email["To"] = message.to
    email["Subject"] = message.subject
    email.set_content(message.body)
    with smtplib.SMTP(cfg["MAIL_SERVER"], cfg["MAIL_PORT"], timeout=10) as smtp:
        if cfg["MAIL_USE_TLS"]:
            smtp.starttls()
        if cfg["MAIL_USERNAME"]:
            smtp.login(cfg["MAIL_USERNAME"], cfg["MAIL_PASSWORD"])
        smtp.send_message(email)


def deliver_pending(limit: int = 100) -> int:
    """Deliver queued mail; commits its own bookkeeping. Safe to run from several processes:
    rows are claimed with SKIP LOCKED on PostgreSQL (SQLite serialises writers anyway)."""
    stmt = (
        db.select(OutboundEmail)
        .where(OutboundEmail.sent_at.is_(None), OutboundEmail.attempts < 5)
        .order_by(OutboundEmail.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    sent = 0
    backend = current_app.config["MAIL_BACKEND"]
    for message in db.session.scalars(stmt).all():
        message.attempts += 1
        try:
            if backend == "smtp":
                _deliver_smtp(message)
            else:
                log.info("mail to=%s subject=%r\n%s", message.to, message.subject, message.body)
            message.sent_at = utcnow()
            message.last_error = None
            sent += 1
        except (OSError, smtplib.SMTPException) as exc:
            message.last_error = str(exc)[:255]
            log.warning("mail delivery failed for %s: %s", message.id, exc)
    db.session.commit()
    return sent
