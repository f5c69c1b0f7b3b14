#!/bin/sh
# Run once by the postgres image's entrypoint, on a new data volume, while its setup server runs:
# the pgBackRest stanza, then a first full backup so there is something to recover from at once.
# (For an existing volume: docker compose exec -u postgres db pgbackrest --stanza=bebeli stanza-create)
set -e
pgbackrest --stanza=bebeli stanza-create
pgbackrest --stanza=bebeli --type=full backup
