#!/usr/bin/env bash
# Point-in-time recovery drill, on this machine and without Docker.
#
# Makes a throwaway PostgreSQL cluster in a temporary directory, archives its WAL with
# pgBackRest (deploy/pgbackrest/pgbackrest.conf, pointed at temporary directories) to a temporary
# repository, takes a full backup of the empty database, then migrates the app schema and loads
# the demo data (replayed from the archived WAL, not from the backup), notes a time T, places one more order and "accidentally" deletes every order line (and, by cascade, what hangs on them),
# stops the cluster, restores it to T, and checks that what was written before T is back, what
# was written after T is gone, and `flask check-invariants` passes. Prints the figures.
#
#   scripts/pitr-drill.sh            (PORT=55432, PGBIN=newest /usr/lib/postgresql/*/bin,
#                                     PYTHON=.venv/bin/python, KEEP=1 keeps the directory)
#   BALLAST_MB=1000 scripts/pitr-drill.sh   also writes that much filler to a table of its own before
#                                     the backup, and half as much again after it (WAL to replay),
#                                     to time backup and restore at a realistic size
#
# As root, the cluster runs as the `postgres` user (initdb refuses root). Needs pgbackrest
# (Debian: apt-get install pgbackrest) and PostgreSQL's server binaries.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
PORT=${PORT:-55432}
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
PYTHON=${PYTHON:-$ROOT/.venv/bin/python}
STANZA=bebeli

die() { echo "pitr-drill: $*" >&2; exit 2; }
command -v pgbackrest >/dev/null || die "pgbackrest is not installed (apt-get install pgbackrest)"
[ -x "$PGBIN/initdb" ] || die "no PostgreSQL server binaries (initdb) in '$PGBIN'; set PGBIN"
[ -x "$PYTHON" ] || die "no Python at $PYTHON; set PYTHON"

WORK=$(mktemp -d /tmp/bebeli-pitr.XXXXXX)
DATA=$WORK/data
CONF=$WORK/pgbackrest.conf
RUN=$WORK/run
mkdir -p "$WORK/repo" "$WORK/log" "$RUN"
if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || die "running as root needs a 'postgres' user to own the cluster"
    chown -R postgres "$WORK"
    as_pg() { runuser -u postgres -- "$@"; }
else
    as_pg() { "$@"; }
fi

cleanup() {
    as_pg "$PGBIN/pg_ctl" -D "$DATA" -m immediate stop >/dev/null 2>&1 || true
    if [ "${KEEP:-0}" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

now() { date +%s.%N; }
START=$(date +%s.%N)
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
sql() { as_pg "$PGBIN/psql" -h "$RUN" -p "$PORT" -U postgres -d "${DB:-bebeli}" -XAtqc "$1"; }
flask() {
    DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$PORT/bebeli" BEBELI_CONFIG=development \
        FLASK_APP=wsgi:app "$PYTHON" -m flask "$@"
}
wait_promoted() {  # recovery replays all the WAL up to T: allow it up to 10 minutes
    local until=$(( $(date +%s) + 600 ))
    while [ "$(date +%s)" -lt "$until" ]; do
        [ "$(DB=postgres sql 'select pg_is_in_recovery()' 2>/dev/null)" = f ] && return 0
        sleep 0.1
    done
    tail -n 20 "$DATA"/log/*.log >&2 || true
    die "the restored cluster did not finish recovery"
}

# The shipped configuration (deploy/pgbackrest/pgbackrest.conf), pointed at the drill's directories.
sed -e "s|^repo1-path=.*|repo1-path=$WORK/repo|" -e "s|^log-path=.*|log-path=$WORK/log\nlock-path=$RUN|" \
    -e "s|^pg1-path=.*|pg1-path=$DATA|" -e "s|^pg1-port=.*|pg1-port=$PORT|" \
    -e "s|^pg1-socket-path=.*|pg1-socket-path=$RUN|" -e "s|^pg1-user=.*|pg1-user=postgres|" \
    -e "s|^log-level-console=.*|log-level-console=warn|" \
    "$ROOT/deploy/pgbackrest/pgbackrest.conf" >"$CONF"
grep -q "^\[$STANZA\]" "$CONF" || die "deploy/pgbackrest/pgbackrest.conf has no [$STANZA] stanza"

echo "[$(since "$START") s] == a throwaway cluster on port $PORT ($PGBIN), WAL archived by pgBackRest to $WORK/repo"
as_pg "$PGBIN/initdb" -D "$DATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
# The archiving settings of the compose image (the `-c name=value` of deploy/postgres/Dockerfile),
# archive_command reading the drill's configuration; then what a drill cluster needs.
grep -o '"-c", "[^"]*"' "$ROOT/deploy/postgres/Dockerfile" | sed 's/^"-c", "\(.*\)"$/\1/' >"$WORK/settings"
grep -q '^archive_command=' "$WORK/settings" || die "deploy/postgres/Dockerfile sets no archive_command"
while IFS='=' read -r name value; do
    echo "$name = '${value/pgbackrest /pgbackrest --config=$CONF }'"
done <"$WORK/settings" >>"$DATA/postgresql.conf"
cat >>"$DATA/postgresql.conf" <<EOF
port = $PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$RUN'
# A drill cluster: commits need not wait for the disk (the WAL is still written and archived).
synchronous_commit = off
logging_collector = on
log_directory = 'log'
EOF
as_pg "$PGBIN/pg_ctl" -D "$DATA" -w -l "$WORK/log/postgres-start.log" start >/dev/null
as_pg pgbackrest --config="$CONF" --stanza=$STANZA stanza-create
DB=postgres sql "create database bebeli" >/dev/null
BALLAST_MB=${BALLAST_MB:-0}
ballast() {  # ~$1 MB of rows in drill_ballast (outside the app's schema; ~1 MB per 8,000 rows)
    [ "$1" -gt 0 ] || return 0
    sql "set client_min_messages = warning;
         create table if not exists drill_ballast (id bigint generated always as identity primary key, payload text);
         insert into drill_ballast (payload) select md5(g::text) || md5((g + 1)::text)
         from generate_series(1, $1 * 8000) g" >/dev/null
}
ballast "$BALLAST_MB"

backup_db_mb=$(( $(sql "select pg_database_size('bebeli')") / 1048576 ))
t0=$(now)
as_pg pgbackrest --config="$CONF" --stanza=$STANZA --type=full backup
backup_s=$(since "$t0")
echo "full backup (the database: $backup_db_mb MB): ${backup_s} s"

echo "[$(since "$START") s] == after the backup: migrate, load the demo data (only the WAL archive has them)"
flask db upgrade >/dev/null 2>&1 || { flask db upgrade; exit 1; }
flask seed-demo >/dev/null
ballast $((BALLAST_MB / 2))
before_orders=$(sql "select count(*) from orders")
before_lines=$(sql "select count(*) from order_lines")
[ "$before_orders" -gt 0 ] && [ "$before_lines" -gt 0 ] || die "the demo data placed no orders"
sleep 0.2
T=$(sql "select to_char(clock_timestamp() at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00'")
echo "T = $T: $before_orders orders, $before_lines order lines"
sleep 0.2

echo "[$(since "$START") s] == after T: one more order placed, then every order line deleted by mistake"
late=$(DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$PORT/bebeli" "$PYTHON" - <<'EOF'
import sqlalchemy as sa

from bebeli import create_app, lifecycle
from bebeli.auth.models import User
from bebeli.cart.services import add_to_cart, cart_key
from bebeli.catalog.models import Product, ProductStatus
from bebeli.extensions import db
from bebeli.orders.models import FulfilmentMethod

app = create_app("development")
with app.app_context():
    buyer = db.session.scalar(sa.select(User).where(User.email == "budi.santoso@bebeli.test"))
    product = db.session.scalar(sa.select(Product).where(Product.status == ProductStatus.PUBLISHED,
                                                         Product.stock > 5).order_by(Product.id))
    add_to_cart(buyer, product, 1)
    choice = lifecycle.same_choice_for_every_shop(buyer, FulfilmentMethod.DELIVERY, "Kantor pembeli")
    order, _ = lifecycle.place_order(buyer, choice, idempotency_key=cart_key(buyer))
    db.session.commit()
    print(order.number)
EOF
)
sql "truncate order_lines cascade" >/dev/null  # and what hangs on them (reviews, complaints …)
echo "placed $late; order_lines now $(sql 'select count(*) from order_lines')"
if flask check-invariants >/dev/null 2>&1; then die "check-invariants missed the deleted order lines"; fi
echo "check-invariants on the damaged database: violations found (exit 1), as it should"
as_pg pgbackrest --config="$CONF" --stanza=$STANZA check   # switches WAL and waits for it to be archived
wal_count=$(DB=postgres sql "select archived_count from pg_stat_archiver")
wal_bytes=$(du -sb "$WORK/repo/archive" | cut -f1)
db_bytes=$(sql "select pg_database_size('bebeli')")
as_pg "$PGBIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null

echo "[$(since "$START") s] == restore to T"
t0=$(now)
as_pg pgbackrest --config="$CONF" --stanza=$STANZA --delta --type=time "--target=$T" \
    --target-action=promote restore
restore_files_s=$(since "$t0")
as_pg "$PGBIN/pg_ctl" -D "$DATA" -w -l "$WORK/log/postgres-restored.log" start >/dev/null
wait_promoted
restore_s=$(since "$t0")
echo "restore: ${restore_files_s} s to lay down the backup, ${restore_s} s until the database is open (WAL replayed to T)"

after_orders=$(sql "select count(*) from orders")
after_lines=$(sql "select count(*) from order_lines")
late_found=$(sql "select count(*) from orders where number = '$late'")
echo "after the restore: $after_orders orders, $after_lines order lines; $late present: $late_found"
[ "$after_orders" = "$before_orders" ] || die "expected $before_orders orders after the restore, found $after_orders"
[ "$after_lines" = "$before_lines" ] || die "expected $before_lines order lines after the restore, found $after_lines"
[ "$late_found" = 0 ] || die "the order placed after T ($late) is still there"
flask check-invariants
echo "PITR-DRILL OK backup_s=$backup_s backup_db_mb=$backup_db_mb restore_s=$restore_s restore_files_s=$restore_files_s" \
     "wal_segments_archived=$wal_count wal_archive_bytes=$wal_bytes db_bytes=$db_bytes orders=$after_orders lines=$after_lines"
