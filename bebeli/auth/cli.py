"""`flask reset-totp EMAIL`: remove a lost authenticator so the user enrols again at next login."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from bebeli.extensions import db


@click.command("reset-totp")
@click.argument("email")
@with_appcontext
def reset_totp_command(email):
    """Turn off two-step login for EMAIL (after checking who is asking, in person)."""
    from bebeli.auth.models import User
    from bebeli.auth.totp import reset_totp

    user = db.session.scalar(db.select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"no account with email {email}")
    reset_totp(user)
    db.session.commit()
    click.echo(f"Two-step login reset for {user.email}; they enrol again at their next login.")


commands = [reset_totp_command]
