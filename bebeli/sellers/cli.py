"""`flask notify-expired-certificates`: the daily periodic job (bebeli/jobs/schedule.py), by hand."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from bebeli.extensions import db


def report_expired_certificates() -> str:
    """Mail sellers and admins about certificates that expired since the last run."""
    from bebeli.sellers.services import notify_expired_certificates

    # Mail is rendered as in a request, with links to the public address.
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_BASE_URL"]):
        count = notify_expired_certificates()
        db.session.commit()
    return f"{count} expired certificate(s) reported"


@click.command("notify-expired-certificates")
@with_appcontext
def notify_expired_certificates_command():
    """Mail sellers and admins about certificates that expired since the last run."""
    from bebeli.jobs.schedule import run_scheduled

    click.echo(run_scheduled("notify-expired-certificates"))


commands = [notify_expired_certificates_command]
