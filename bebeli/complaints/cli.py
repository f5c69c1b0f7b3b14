"""Scheduled job `complaints-deadlines` (every 15 minutes, bebeli/jobs/schedule.py), by hand:
`flask complaints-deadlines`. Complaints whose seller or buyer let the deadline pass move on
(to the Dinas, or the offer accepted), and offer hides whose end passed are cleared. Safe to run
often and on several servers: one runs it (bebeli/locks.py), and every change is conditional."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from bebeli.extensions import db


def move_past_deadlines() -> str:
    """Escalate complaints the seller left unanswered, accept offers the buyer left unanswered,
    lift offer hides that ended."""
    from bebeli.complaints.services import enforce_deadlines
    from bebeli.sanctions.services import lift_expired_hides

    escalated = accepted = 0
    while True:
        done = enforce_deadlines()
        db.session.commit()
        escalated, accepted = escalated + done[0], accepted + done[1]
        if sum(done) == 0:
            break
    lifted = lift_expired_hides()
    db.session.commit()
    return f"complaints: {escalated} escalated, {accepted} offer(s) accepted; sanctions: {lifted} hide(s) lifted"


@click.command("complaints-deadlines")
@with_appcontext
def complaints_deadlines():
    """Escalate complaints the seller left unanswered, accept offers the buyer left unanswered."""
    from bebeli.jobs.schedule import run_scheduled

    click.echo(run_scheduled("complaints-deadlines"))


commands = [complaints_deadlines]
