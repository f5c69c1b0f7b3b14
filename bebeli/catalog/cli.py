"""`flask reindex-catalog`: rebuild every product's search text and the vocabulary."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from bebeli.extensions import db


@click.command("reindex-catalog")
@with_appcontext
def reindex_catalog_command():
    """Re-stem every product (after a bulk import or a change to the stemming rules)."""
    from bebeli.catalog.search import rebuild_vocabulary, reindex_batch

    done, last_id = 0, 0
    while (last_id := reindex_batch(last_id)) is not None:
        db.session.commit()  # one batch per transaction: the catalog stays usable meanwhile
        done += 1
    words = rebuild_vocabulary()
    db.session.commit()
    click.echo(f"re-indexed {done} batch(es); {words} distinct words")


commands = [reindex_catalog_command]
