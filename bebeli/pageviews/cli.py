"""`flask pageviews-flush`: move counted product views into product_views_daily now."""
from __future__ import annotations

import click
from flask.cli import with_appcontext


@click.command("pageviews-flush")
@with_appcontext
def pageviews_flush():
    """Add the product views counted in Redis (and this process's memory) to the table."""
    from bebeli.jobs.schedule import run_scheduled

    click.echo(run_scheduled("pageviews-flush"))


commands = [pageviews_flush]
