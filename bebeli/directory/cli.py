"""`flask import-asn FILE`: the same import as the admin screen, from the command line."""
from __future__ import annotations

import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from bebeli.auth.models import User
from bebeli.directory.import_files import read_table
from bebeli.directory.importer import CREATE, INVALID, SAME, UPDATE, apply_plan, plan_import
from bebeli.directory.permissions import MANAGER_ROLES
from bebeli.errors import DomainError
from bebeli.extensions import db


def _actor(email: str | None) -> User | None:
    if not email:
        return None
    user = db.session.scalar(db.select(User).where(User.email == email.strip().lower()))
    if user is None or not user.has_role(*MANAGER_ROLES):
        raise click.ClickException(f"{email} is not an admin or agency admin account")
    return user


def _echo_errors(plan, limit: int) -> None:
    invalid = plan.with_action(INVALID)
    for row in invalid[:limit]:
        for column, message in row.errors.items():
            click.echo(f"  baris {row.line}, {column}: {message}", err=True)
    if len(invalid) > limit:
        click.echo(f"  … dan {len(invalid) - limit} baris bermasalah lainnya", err=True)


@click.command("import-asn")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--actor", "actor_email", metavar="EMAIL",
              help="Record the import as this admin or agency admin (an agency admin is limited to their agency).")
@click.option("--dry-run", is_flag=True, help="Check every row and report; write nothing.")
@click.option("--yes", "-y", is_flag=True, help="Do not ask before writing.")
@click.option("--max-errors", default=50, show_default=True, help="How many invalid rows to list.")
@with_appcontext
def import_asn(path: Path, actor_email: str | None, dry_run: bool, yes: bool, max_errors: int):
    """Import ASN from a CSV or XLSX file (the columns of the admin screen's template).

    Rows are keyed by NIP: known NIPs are updated, new ones get an account. Invalid rows are
    listed and skipped; the valid ones are written in one transaction.
    """
    # Messages are translated per request (the locale lives in the session): give them one.
    with current_app.test_request_context():
        _import(path, _actor(actor_email), dry_run, yes, max_errors)


def _import(path: Path, actor: User | None, dry_run: bool, yes: bool, max_errors: int) -> None:
    started = time.perf_counter()
    try:
        table = read_table(path.name, path.read_bytes(), max_rows=current_app.config["ASN_IMPORT_MAX_ROWS"])
        with click.progressbar(length=len(table.rows), label="Memeriksa") as bar:
            plan = plan_import(table, actor=actor, progress=bar.update)
    except DomainError as error:
        raise click.ClickException(str(error.message)) from None
    click.echo(f"{len(plan.rows)} baris: {plan.count(CREATE)} baru, {plan.count(UPDATE)} diperbarui, "
               f"{plan.count(SAME)} tidak berubah, {plan.count(INVALID)} bermasalah")
    _echo_errors(plan, max_errors)
    to_write = plan.count(CREATE) + plan.count(UPDATE)
    if dry_run or not to_write:
        click.echo("Tidak ada yang ditulis.")
        return
    if not yes:
        click.confirm(f"Tulis {to_write} baris?", abort=True)
    try:
        with click.progressbar(length=to_write, label="Menulis") as bar:
            created, updated = apply_plan(plan, actor=actor, source=path.name, progress=bar.update)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(str(error.message)) from None
    click.echo(f"Selesai dalam {time.perf_counter() - started:.1f} detik: {created} ASN baru, {updated} diperbarui.")


commands = [import_asn]
