#!/usr/bin/env bash
# Back up BEBELI: the PostgreSQL database (pg_dump, custom format) and the uploaded images
# (tar.gz), stamped with the same UTC time, into DEST (default: $BACKUP_DIR or ./backups).
#
#   DATABASE_URL=postgresql+psycopg://… UPLOAD_DIR=/data/uploads scripts/backup.sh [DEST]
#
# The database is dumped first and the images second, so every image the dump refers to is in
# the archive. pg_dump takes a consistent snapshot: the app keeps running. Restore with
# scripts/restore.sh. Copy DEST off the host: a backup on the same disk is no backup.
set -euo pipefail

dest=${1:-${BACKUP_DIR:-backups}}
: "${DATABASE_URL:?DATABASE_URL must point at the PostgreSQL database}"
: "${UPLOAD_DIR:?UPLOAD_DIR must name the uploads directory}"

# pg_dump speaks libpq URLs: drop SQLAlchemy's "+driver" from the scheme.
pg_url=$(printf '%s' "$DATABASE_URL" | sed -E 's#^postgres(ql)?(\+[A-Za-z0-9_]+)?://#postgresql://#')
case "$pg_url" in
    postgresql://*) ;;
    *) echo "backup.sh: DATABASE_URL is not a PostgreSQL URL" >&2; exit 2 ;;
esac

stamp=$(date -u +%Y%m%dT%H%M%SZ)
db_file="$dest/bebeli-db-$stamp.dump"
uploads_file="$dest/bebeli-uploads-$stamp.tar.gz"
umask 077  # the backups hold personal data
mkdir -p "$dest"
trap 'rm -f "$db_file.partial" "$uploads_file.partial"' EXIT

# Written under a temporary name and renamed when complete: a file with the final name is whole.
pg_dump --format=custom --no-owner --no-acl --file="$db_file.partial" "$pg_url"
mv "$db_file.partial" "$db_file"

if [ -d "$UPLOAD_DIR" ]; then
    tar -C "$UPLOAD_DIR" -czf "$uploads_file.partial" .
else
    tar -czf "$uploads_file.partial" --files-from /dev/null
fi
mv "$uploads_file.partial" "$uploads_file"

echo "$db_file"
echo "$uploads_file"
