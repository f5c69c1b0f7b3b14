#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh: the database from its .dump, the uploaded images
# from its .tar.gz (optional).
#
#   DATABASE_URL=… UPLOAD_DIR=… scripts/restore.sh [--yes] backups/bebeli-db-STAMP.dump [backups/bebeli-uploads-STAMP.tar.gz]
#
# Stop the web app and the job worker first. The database's public schema is replaced in ONE
# transaction: if anything fails, the database is left exactly as it was. The current uploads
# directory is kept beside the restored one as UPLOAD_DIR.before-restore-STAMP.
# Afterwards run `flask db upgrade` (the backup may predate the code) and start the app.
set -euo pipefail

assume_yes=0
if [ "${1:-}" = "--yes" ]; then
    assume_yes=1
    shift
fi
db_file=${1:?usage: restore.sh [--yes] DB_DUMP [UPLOADS_TAR]}
uploads_file=${2:-}
: "${DATABASE_URL:?DATABASE_URL must point at the PostgreSQL database}"
[ -f "$db_file" ] || { echo "restore.sh: $db_file not found" >&2; exit 2; }
if [ -n "$uploads_file" ]; then
    : "${UPLOAD_DIR:?UPLOAD_DIR must name the uploads directory}"
    [ -f "$uploads_file" ] || { echo "restore.sh: $uploads_file not found" >&2; exit 2; }
fi

pg_url=$(printf '%s' "$DATABASE_URL" | sed -E 's#^postgres(ql)?(\+[A-Za-z0-9_]+)?://#postgresql://#')
case "$pg_url" in
    postgresql://*) ;;
    *) echo "restore.sh: DATABASE_URL is not a PostgreSQL URL" >&2; exit 2 ;;
esac
shown_url=$(printf '%s' "$pg_url" | sed -E 's#://([^:@/]*):[^@]*@#://\1:***@#')

if [ "$assume_yes" != 1 ]; then
    echo "This REPLACES the database $shown_url${uploads_file:+ and the uploads in $UPLOAD_DIR}."
    read -r -p "Type 'restore' to continue: " answer
    [ "$answer" = "restore" ] || { echo "Cancelled."; exit 1; }
fi

# A fresh public schema and the dump as SQL, in one transaction that is committed only when
# pg_restore read the whole dump: with a truncated or corrupt file psql ends without COMMIT
# and the server rolls everything back.
{
    echo "BEGIN; SET client_min_messages = warning; DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;"
    pg_restore --no-owner --no-acl --file=- "$db_file" && echo "COMMIT;"
} | psql --quiet --no-psqlrc --set ON_ERROR_STOP=1 --output=/dev/null "$pg_url"
echo "database restored from $db_file"
# A dump holds no planner statistics: until autovacuum gets round to every table (never, where
# it is off), PostgreSQL plans them all as nearly empty and searches skip their index.
psql --quiet --no-psqlrc --set ON_ERROR_STOP=1 --command="ANALYZE" "$pg_url"
echo "planner statistics rebuilt (ANALYZE)"

if [ -n "$uploads_file" ]; then
    stamp=$(date -u +%Y%m%dT%H%M%SZ)
    parent=$(dirname "$UPLOAD_DIR")
    mkdir -p "$parent"
    staging=$(mktemp -d "$parent/.uploads-restore.XXXXXX")
    tar -C "$staging" -xzf "$uploads_file"
    chmod 755 "$staging"
    if [ -e "$UPLOAD_DIR" ]; then
        mv "$UPLOAD_DIR" "$UPLOAD_DIR.before-restore-$stamp"
        echo "previous uploads kept in $UPLOAD_DIR.before-restore-$stamp"
    fi
    mv "$staging" "$UPLOAD_DIR"
    echo "uploads restored from $uploads_file"
fi
