"""Payout batch at scale: 5,000 shops and 1,000,000 ledger entries on PostgreSQL.

Builds a separate PostgreSQL database (never the development or test one) with the real
migrations, seeds shops and their ledger in SQL (sales with their hold, fees, refunds, earlier
payouts; the balance rows as `ledger.post` keeps them), then times `payouts.create_batch` — the
function the scheduled job and the admin button call — several times, each in a transaction
rolled back afterwards, and the admin page's largest-balances query.

    .venv/bin/python bench/payouts.py                     # seed (if needed) and time
    .venv/bin/python bench/payouts.py --reseed            # drop and rebuild the data first

Prints a Markdown table (median and worst of the warm runs).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import analyze, recreate_postgres, timed  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bebeli_bench_payouts"
SHOPS, ENTRIES = 5_000, 1_000_000

SEED_SQL = """
SELECT setseed(0.16);

INSERT INTO users (id, email, name, password_hash, session_token, is_active, created_at, updated_at)
SELECT i, 'toko' || i || '@bench.bebeli', 'Pemilik Toko ' || i, 'x', md5('toko' || i), true, now(), now()
FROM generate_series(1, :shops) i;

-- One shop in twenty suspended, one in fifty without an account number: skipped and listed.
INSERT INTO shops (id, owner_id, name, slug, owner_name, nik, nib, is_pkp, address, kecamatan, phone, is_local,
                   status, offers_pickup, offers_delivery, delivery_fee_amount, bank_name, bank_account_number,
                   bank_account_name, created_at, updated_at)
SELECT i, i, 'Toko UMKM ' || i, 'toko-umkm-' || i, 'Pemilik ' || i, lpad(i::text, 16, '3'), lpad(i::text, 13, '1'),
       false, 'Jl. Raya ' || i, 'Cikarang Utara', '62812' || lpad(i::text, 8, '0'), true,
       CASE WHEN i % 20 = 0 THEN 'suspended' ELSE 'verified' END, true, true, 10000,
       (ARRAY['Bank BJB', 'BRI', 'Mandiri', 'BNI', 'BCA', 'Bank Syariah Indonesia', 'Koperasi Sejahtera'])[1 + i % 7],
       CASE WHEN i % 50 = 7 THEN NULL ELSE lpad(i::text, 10, '9') END, 'Pemilik ' || i, now(), now()
FROM generate_series(1, :shops) i;

-- The ledger: sales over 90 days (a power law over shops), each available three days after it
-- completed, one fee per ten sales, a refund per twenty, and a payout per shop a month ago.
INSERT INTO ledger_entries (shop_id, kind, amount, key, at, available_at, note)
SELECT 1 + floor(:shops * power(random(), 1.8))::int,
       CASE WHEN i % 20 = 0 THEN 'refund' WHEN i % 10 = 0 THEN 'fee' ELSE 'sale' END,
       CASE WHEN i % 20 = 0 THEN -(5000 + floor(random() * 20) * 1000)
            WHEN i % 10 = 0 THEN -(100 + floor(random() * 10) * 100)
            ELSE 10000 + floor(random() * 60) * 5000 END,
       'bench:' || i, t, CASE WHEN i % 20 = 0 OR i % 10 = 0 THEN t ELSE t + interval '3 days' END, 'bench'
FROM (SELECT i, now() - random() * interval '90 days' AS t FROM generate_series(1, :entries - :shops) i) s;

INSERT INTO ledger_entries (shop_id, kind, amount, key, at, available_at, note)
SELECT shop_id, 'payout', -least(sum(amount) / 2, 5000000), 'bench-payout:' || shop_id,
       now() - interval '30 days', now() - interval '30 days', 'bench'
FROM ledger_entries GROUP BY shop_id HAVING sum(amount) > 20000;

INSERT INTO shop_balances (shop_id, balance_amount, entry_count)
SELECT shop_id, sum(amount), count(*) FROM ledger_entries GROUP BY shop_id
"""


def seed(engine) -> None:
    started = time.perf_counter()
    with engine.begin() as conn:
        for statement in SEED_SQL.split(";\n"):
            if statement.strip():
                conn.execute(sa.text(statement), {"shops": SHOPS, "entries": ENTRIES})
        conn.execute(sa.text("SELECT setval(pg_get_serial_sequence('users', 'id'), (SELECT max(id) FROM users))"))
        conn.execute(sa.text("SELECT setval(pg_get_serial_sequence('shops', 'id'), (SELECT max(id) FROM shops))"))
    analyze(engine.url)
    print(f"seeded in {time.perf_counter() - started:.0f} s", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reseed", action="store_true", help="drop and rebuild the benchmark database")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    url = os.environ.get("BENCH_PAYOUTS_URL", DEFAULT_URL)

    from flask_migrate import upgrade

    from bebeli import create_app
    from bebeli.extensions import db
    from bebeli.settlement import payouts

    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            seeded = conn.execute(sa.text("SELECT count(*) FROM ledger_entries")).scalar() > 0
    except sa.exc.OperationalError:
        seeded = False
    except sa.exc.ProgrammingError:
        seeded = False
    engine.dispose()
    if args.reseed or not seeded:
        recreate_postgres(url)
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
    with app.app_context(), app.test_request_context():
        if args.reseed or not seeded:
            upgrade()
            seed(db.engine)
        counts = {t: db.session.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar()
                  for t in ("shops", "ledger_entries", "shop_balances")}
        made = {}

        def batch():
            made["result"] = payouts.create_batch(period_key="bench")
            made["count"], made["total"] = made["result"].batch.payout_count, made["result"].batch.total_amount
            made["skipped"] = len(made["result"].skipped)
            db.session.rollback()

        def largest():
            db.paginate(payouts.largest_balances(), per_page=50, page=1, error_out=False).items
            db.session.rollback()

        rows = [("create_batch (lock, re-read, payouts, entries, balances)", *timed(batch, args.runs)),
                ("largest balances, first page of 50", *timed(largest, args.runs))]
    print(f"{counts['shops']:,} shops, {counts['ledger_entries']:,} ledger entries; a batch pays "
          f"{made['count']:,} shops Rp {made['total']:,}, skips {made['skipped']:,}\n")
    print("| step | median | worst |\n|---|---:|---:|")
    for name, median, worst in rows:
        print(f"| {name} | {median:,.0f} ms | {worst:,.0f} ms |")


if __name__ == "__main__":
    main()
