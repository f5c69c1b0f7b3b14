"""`flask insights-rebuild`: recompute the sales summaries from the orders (after a restore, or
to check them: the receivers in `bebeli.wiring` keep them in step otherwise)."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from bebeli.extensions import db


@click.command("insights-rebuild")
@with_appcontext
def insights_rebuild():
    """Recompute the insight summaries from the orders, in one transaction."""
    from bebeli.insights.ledger import rebuild

    count = rebuild()
    db.session.commit()
    click.echo(f"Ringkasan penjualan dihitung ulang dari {count} pesanan terbayar.")


commands = [insights_rebuild]
