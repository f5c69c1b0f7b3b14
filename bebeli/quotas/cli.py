"""Quota jobs (periodic jobs in bebeli/jobs/schedule.py; the commands run them by hand):
`quota-reminders` (daily) mails ASN below their monthly minimum; `quota-freeze` (after midnight
on the 1st) freezes the month that just closed."""
from __future__ import annotations

import click
from flask import current_app, url_for
from flask.cli import with_appcontext

from bebeli.dates import jakarta_today, month_start, parse_month
from bebeli.extensions import db


def remind_below_minimum(month_text: str | None = None, force: bool = False) -> str:
    """Email ASN below their minimum after QUOTA_REMINDER_DAY, once per person and month."""
    from bebeli.quotas.services import send_reminders

    today = jakarta_today()
    day = current_app.config["QUOTA_REMINDER_DAY"]
    if not force and not month_text and today.day < day:
        return f"Belum waktunya: pengingat dikirim mulai tanggal {day}."
    month = parse_month(month_text) if month_text else month_start(today)
    # A request context gives the mail its links (PUBLIC_BASE_URL) and its language.
    with current_app.test_request_context(base_url=current_app.config["PUBLIC_BASE_URL"]):
        links = {"catalog_url": _external("catalog.search"), "history_url": _external("quotas.my_history")}
        total, after = 0, 0
        while after is not None:
            sent, after = send_reminders(month, after_user_id=after, links=links)
            db.session.commit()  # each batch stands on its own; a rerun skips who was reminded
            total += sent
    return f"{total} pengingat dikirim untuk {month:%Y-%m}."


def freeze_closed() -> str:
    """Freeze the obligations of the closed months the dashboard shows (otherwise its first
    viewer after a month ends waits for it)."""
    from bebeli.quotas.obligations import last_months
    from bebeli.quotas.reports import TREND_MONTHS
    from bebeli.quotas.services import freeze_closed_months

    frozen = freeze_closed_months(last_months(month_start(jakarta_today()), TREND_MONTHS + 1))
    db.session.commit()
    return "Dibekukan: " + (", ".join(f"{m:%Y-%m}" for m in frozen) or "tidak ada bulan baru") + "."


@click.command("quota-reminders")
@click.option("--month", "month_text", help="Bulan TTTT-BB (bawaan: bulan ini, WIB).")
@click.option("--force", is_flag=True, help="Kirim walau belum sampai QUOTA_REMINDER_DAY.")
@with_appcontext
def quota_reminders(month_text, force):
    """Email ASN below their minimum after QUOTA_REMINDER_DAY, once per person and month."""
    from bebeli.jobs.schedule import run_scheduled

    click.echo(run_scheduled("quota-reminders", month_text=month_text, force=force))


@click.command("quota-freeze")
@with_appcontext
def quota_freeze():
    """Freeze the obligations of the closed months the dashboard shows."""
    from bebeli.jobs.schedule import run_scheduled

    click.echo(run_scheduled("quota-freeze"))


def _external(endpoint: str) -> str:
    if endpoint not in current_app.view_functions:
        return url_for("main.home", _external=True)
    return url_for(endpoint, _external=True)


commands = [quota_reminders, quota_freeze]
