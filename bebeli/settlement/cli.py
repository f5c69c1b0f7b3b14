"""Scheduled settlement job `payouts-create` (daily, bebeli/jobs/schedule.py), by hand:
`flask payouts create`.
It makes a batch only on the schedule's day (PAYOUT_SCHEDULE, PAYOUT_WEEKDAY) and at most one
per period: the server lock keeps runs from overlapping, and the batch's unique period key
keeps a second run (or a second server past the lock) from making another."""
from __future__ import annotations

import click
from flask.cli import AppGroup, with_appcontext

from bebeli.extensions import db

payouts_group = AppGroup("payouts", help="Pencairan dana penjual (payout batches).")


def create_payouts(any_day: bool = False) -> str:
    """Gather the available balances into this period's payout batch."""
    from bebeli.dates import jakarta_today
    from bebeli.settlement import payouts

    if any_day:
        result = payouts.create_batch(period_key=payouts.period_of(jakarta_today()))
    else:
        result = payouts.create_scheduled_batch()
    db.session.commit()
    if result is None:
        return f"payouts: not a payout day (next: {payouts.next_payout_date():%Y-%m-%d})"
    if result.batch is None:
        return "payouts: this period's batch exists already"
    batch = result.batch
    lines = [f"payouts: batch {batch.number}: {batch.payout_count} transfer(s), total Rp {batch.total_amount}"]
    lines += [f"payouts: skipped shop {shop.id} {shop.name} (not verified or bank details incomplete)"
              for shop in result.skipped]
    return "\n".join(lines)


@payouts_group.command("create")
@click.option("--any-day", is_flag=True, help="Make this period's batch now, even if today is not the payout day.")
@with_appcontext
def create(any_day: bool):
    """Gather the available balances into this period's payout batch."""
    from bebeli.jobs.schedule import run_scheduled

    click.echo(run_scheduled("payouts-create", any_day=any_day))


commands = [payouts_group]
