"""`flask` commands: seed-demo, create-admin, send-mail, check-invariants; modules add their own (import-asn …)."""
from __future__ import annotations

import importlib

import click
from flask import Flask
from flask.cli import with_appcontext

from bebeli.extensions import db

DEMO_PASSWORD = "Bebeli-Demo-2026"

# The rooms that seed demo data, in order: each seeder may use the rows of the ones before it.
DEMO_SEEDERS = ("auth", "sellers", "catalog", "orders", "quotas", "procurement", "settlement", "reviews", "complaints",
                "insights", "pageviews")
# The rooms with their own commands (a `commands` list in their cli.py).
COMMAND_MODULES = ("auth", "directory", "sellers", "catalog", "orders", "quotas", "settlement", "reviews", "complaints", "jobs",
                   "insights", "pageviews")


@click.command("seed-demo")
@with_appcontext
def seed_demo():
    """Load demo data once; running it again changes nothing."""
    accounts: list[tuple[str, str, str]] = []
    for name in DEMO_SEEDERS:
        importlib.import_module(f"bebeli.{name}.demo").seed(accounts, DEMO_PASSWORD)
        db.session.commit()
    click.echo("")
    click.echo("Akun demo (kata sandi semua akun: %s)" % DEMO_PASSWORD)
    for role, login, note in accounts:
        click.echo(f"  {role:<22} {login:<34} {note}")
    click.echo("")


@click.command("create-admin")
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.password_option()
@with_appcontext
def create_admin(email, name, password):
    """Create the first administrator (or give an existing account the admin role)."""
    from bebeli.auth.models import Role, User
    from bebeli.auth.services import create_user, grant_role
    from bebeli.errors import DomainError

    user = db.session.scalar(db.select(User).where(User.email == email.strip().lower()))
    try:
        if user is None:
            user = create_user(email=email, name=name, password=password, roles=[Role.ADMIN])
        else:
            grant_role(user, Role.ADMIN)
    except DomainError as error:
        raise click.ClickException(str(error.message)) from None
    db.session.commit()
    click.echo(f"Admin ready: {user.email}")


def deliver_queued_mail(older_than_minutes: int | None = None) -> str:
    """Deliver queued mail that is still waiting (every message has its own job; this sweep
    catches what those left behind)."""
    from datetime import timedelta

    from bebeli.mail.services import deliver_pending

    older_than = timedelta(minutes=older_than_minutes) if older_than_minutes else None
    return f"delivered {deliver_pending(limit=500, older_than=older_than)} message(s)"


@click.command("send-mail")
@with_appcontext
def send_mail_command():
    """Deliver queued mail now (safe to run on several servers)."""
    from bebeli.jobs.schedule import run_scheduled

    click.echo(run_scheduled("send-mail"))


def init_app(app: Flask) -> None:
    from bebeli.invariants import check_invariants_command

    for command in (seed_demo, create_admin, send_mail_command, check_invariants_command):
        app.cli.add_command(command)
    for name in COMMAND_MODULES:
        for command in importlib.import_module(f"bebeli.{name}.cli").commands:
            app.cli.add_command(command)
