#!/bin/sh
# Run once by the postgres image's entrypoint, on a new data volume, while its setup server runs:
# the pgBackRest stanza, then a first full backup so there is something to recover from at once.
# (For an existing volume: docker compose exec -u postgres db pgbackrest --stanza=bebeli stanza-create)
# A new data volume beside an old repository (the pgbackrest volume of an earlier database) stops
# here: restore from that repository instead (README, "Point-in-time recovery"), or move it aside.
set -e
pgbackrest --stanza=bebeli stanza-create
pgbackrest --stanza=bebeli --type=full backup
