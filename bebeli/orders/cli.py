"""Scheduled order jobs (periodic jobs in bebeli/jobs/schedule.py; the commands run them by
hand). Both are safe to run often and on several servers at once: rows are claimed with SKIP
LOCKED and every change is a conditional UPDATE."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from bebeli.extensions import db


def expire_overdue_orders() -> str:
    """Expire unpaid orders whose hold ran out and give their stock back."""
    from bebeli.lifecycle import claim_overdue_order
    from bebeli.lifecycle import expire_if_overdue

    tried: set[int] = set()
    expired = 0
    while (order := claim_overdue_order(skip=tried)) is not None:
        tried.add(order.id)
        expired += expire_if_overdue(order)
        db.session.commit()  # one order per transaction: locks are held briefly
    db.session.commit()
    return f"expired {expired} order(s)"


def autocomplete_due_orders() -> str:
    """Complete delivered orders the buyer did not confirm within ORDER_AUTOCOMPLETE_DAYS."""
    from bebeli.lifecycle import autocomplete_delivered

    total, batch = 0, 200
    while True:
        done = autocomplete_delivered(limit=batch)
        db.session.commit()
        total += done
        if done < batch:
            break
    return f"completed {total} seller order(s)"


@click.command("expire-orders")
@with_appcontext
def expire_orders():
    """Expire unpaid orders whose hold ran out and give their stock back."""
    from bebeli.jobs.schedule import run_scheduled

    click.echo(run_scheduled("expire-orders"))


@click.command("autocomplete-orders")
@with_appcontext
def autocomplete_orders():
    """Complete delivered orders the buyer did not confirm within ORDER_AUTOCOMPLETE_DAYS."""
    from bebeli.jobs.schedule import run_scheduled

    click.echo(run_scheduled("autocomplete-orders"))


commands = [expire_orders, autocomplete_orders]
