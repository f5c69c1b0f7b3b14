"""The cron commands: `flask quota-reminders` (once a month per person, from the configured
day) and `flask quota-freeze`."""
from datetime import date, datetime, timezone

import pytest
import sqlalchemy as sa
from flask import current_app

from bebeli.dates import jakarta_today, month_start
from bebeli.extensions import db
from bebeli.mail.models import OutboundEmail
from tests.factories import AsnFactory, ProductFactory
from tests.quotas.factories import buy, policy


@pytest.fixture
def plain_ctx(data_app):
    """Only an app context, as cron has: the command must bring its own request context."""
    with data_app.app_context():
        yield
        db.session.rollback()


def run(app, *args):
    result = app.test_cli_runner().invoke(args=["quota-reminders", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_reminders_go_to_those_below_minimum_once_a_month(app, plain_ctx):
    policy(effective_from=date(2025, 1, 1))
    short = AsnFactory(user__email="kurang@contoh.go.id")
    done = AsnFactory(user__email="cukup@contoh.go.id")
    AsnFactory(user__email="pensiun@contoh.go.id", is_active=False)
    buy(done.user, [(ProductFactory(price_amount=50_000), 1)], datetime(2025, 3, 5, tzinfo=timezone.utc))
    buy(short.user, [(ProductFactory(price_amount=20_000), 1)], datetime(2025, 3, 5, tzinfo=timezone.utc))

    assert "1 pengingat" in run(app, "--month", "2025-03")
    assert "0 pengingat" in run(app, "--month", "2025-03")
    mails = db.session.scalars(sa.select(OutboundEmail)).all()
    assert [m.to for m in mails] == ["kurang@contoh.go.id"]
    assert "Rp\u00a020.000" in mails[0].body and "Rp\u00a050.000" in mails[0].body and "Rp\u00a030.000" in mails[0].body
    assert "/kuota/saya" in mails[0].body
    assert "2 pengingat" in run(app, "--month", "2025-04")  # a new month: nobody has bought yet


def test_no_reminders_before_the_configured_day(app, plain_ctx, monkeypatch):
    policy(effective_from=date(2025, 1, 1))
    AsnFactory()
    monkeypatch.setitem(current_app.config, "QUOTA_REMINDER_DAY", jakarta_today().day + 1)
    assert "Belum waktunya" in run(app)
    monkeypatch.setitem(current_app.config, "QUOTA_REMINDER_DAY", jakarta_today().day)
    assert f"1 pengingat dikirim untuk {month_start(jakarta_today()):%Y-%m}" in run(app)


def test_quota_freeze_freezes_the_closed_months_once(app, plain_ctx):
    policy(effective_from=date(2025, 1, 1))
    AsnFactory()
    first = app.test_cli_runner().invoke(args=["quota-freeze"]).output
    assert f"{month_start(jakarta_today()):%Y-%m}" not in first and first.count("-") == 12
    assert "tidak ada bulan baru" in app.test_cli_runner().invoke(args=["quota-freeze"]).output
