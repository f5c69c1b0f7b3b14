"""Quota dashboard at scale: 50,000 ASN, 500 agencies, 1,000,000 paid orders over 12 months.

Builds a separate PostgreSQL database (never the development or test one) with the real
migrations, seeds it in SQL with generate_series (orders, seller orders, lines, and the
quota ledger and summaries exactly as the payment hooks would have written them), then times
every dashboard query through the same functions the pages call.

    .venv/bin/python bench/quotas.py                      # seed (if needed) and time
    .venv/bin/python bench/quotas.py --reseed             # drop and rebuild the data first
    BENCH_QUOTAS_URL=postgresql+psycopg://…/other .venv/bin/python bench/quotas.py

Prints a Markdown table (median and worst of several warm runs per query).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import analyze, server_connection, timed  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bebeli_bench_quotas"
ASN, AGENCIES, SHOPS, PRODUCTS_PER_SHOP, ORDERS = 50_000, 500, 2_000, 10, 1_000_000
KECAMATAN = [
    "Babelan", "Bojongmangu", "Cabangbungin", "Cibarusah", "Cibitung", "Cikarang Barat", "Cikarang Pusat",
    "Cikarang Selatan", "Cikarang Timur", "Cikarang Utara", "Karangbahagia", "Kedungwaringin", "Muaragembong",
    "Pebayuran", "Serang Baru", "Setu", "Sukakarya", "Sukatani", "Sukawangi", "Tambelang", "Tambun Selatan",
    "Tambun Utara", "Tarumajaya",
]


def prepare_database(url: str, reseed: bool) -> bool:
    """Create the database if needed; True when it must be (re)seeded."""
    from psycopg import sql

    target = sa.engine.make_url(url)
    with server_connection(url) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (target.database,)).fetchone()
        if exists and reseed:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(target.database)))
            exists = None
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(target.database)))
            return True
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        seeded = conn.execute(sa.text(
            "SELECT to_regclass('public.quota_spend') IS NOT NULL AND EXISTS (SELECT 1 FROM quota_spend)")).scalar()
    engine.dispose()
    return not seeded


def months_ending(month: date, count: int = 12) -> tuple[date, date]:
    first = month
    for _ in range(count - 1):
        first = date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1)
    return first, month


SEED_SQL = """
SELECT setseed(0.42);

INSERT INTO agencies (id, code, name, kind, kecamatan, is_active, created_at, updated_at)
SELECT i, 'OPD' || lpad(i::text, 4, '0'), 'Perangkat Daerah ' || i,
       (ARRAY['dinas','badan','kecamatan','kelurahan','sekretariat'])[1 + i % 5],
       (CAST(:kecamatan AS text[]))[1 + i % 23], true, now(), now()
FROM generate_series(1, :agencies) i;

INSERT INTO users (id, email, name, password_hash, session_token, is_active, created_at, updated_at)
SELECT i, 'asn' || i || '@bench.bebeli', 'ASN ' || i, 'x', md5('asn' || i), true, now(), now()
FROM generate_series(1, :asn) i;

INSERT INTO users (id, email, name, password_hash, session_token, is_active, created_at, updated_at)
SELECT :asn + i, 'toko' || i || '@bench.bebeli', 'Pemilik Toko ' || i, 'x', md5('toko' || i), true, now(), now()
FROM generate_series(1, :shops) i;

-- Agency sizes vary (a few large ones, many small), like a real regency.
INSERT INTO asn_profiles (id, user_id, nip, is_pppk, agency_id, rank, echelon, position, tpp_amount, is_active,
                          active_from, active_until, created_at, updated_at)
SELECT i, i, '199001012015' || lpad(i::text, 6, '0'), false,
       1 + floor(:agencies * power(random(), 1.6))::int,
       'III/a',
       CASE WHEN i % 50 = 0 THEN 'ii' WHEN i % 12 = 0 THEN 'iii' WHEN i % 5 = 0 THEN 'iv' ELSE 'staf' END,
       'Pelaksana', 2000000 + (i % 40) * 150000, i % 400 <> 0,
       CASE WHEN i % 97 = 0 THEN :last_month + (i % 28) ELSE DATE '2015-03-01' END,
       CASE WHEN i % 400 = 0 THEN :last_month + (i % 20) END,
       now(), now()
FROM generate_series(1, :asn) i;

INSERT INTO categories (id, parent_id, name, slug, position, is_active)
SELECT i, NULL, 'Kategori ' || i, 'kategori-' || i, i, true FROM generate_series(1, 10) i;
INSERT INTO categories (id, parent_id, name, slug, position, is_active)
SELECT 10 + i, 1 + i % 10, 'Subkategori ' || i, 'subkategori-' || i, i, true FROM generate_series(1, 40) i;

INSERT INTO shops (id, owner_id, name, slug, owner_name, nik, nib, is_pkp, address, kecamatan, phone, is_local,
                   status, offers_pickup, offers_delivery, delivery_fee_amount, created_at, updated_at)
SELECT i, :asn + i, 'Toko UMKM ' || i, 'toko-umkm-' || i, 'Pemilik ' || i, lpad(i::text, 16, '3'),
       lpad(i::text, 13, '1'), i % 7 = 0, 'Jl. Raya ' || i,
       (CAST(:kecamatan AS text[]))[1 + floor(23 * power(random(), 1.4))::int], '62812' || lpad(i::text, 8, '0'),
       i % 10 <> 0, CASE WHEN i % 20 = 0 THEN 'suspended' ELSE 'verified' END, true, true, 10000, now(), now()
FROM generate_series(1, :shops) i;

INSERT INTO products (id, shop_id, category_id, name, slug, description, price_amount, unit, stock,
                      min_order_qty, status, taken_down, sold_count, search_text, search_name, published_at,
                      created_at, updated_at)
SELECT p, 1 + (p - 1) / :per_shop, 11 + p % 40, 'Produk ' || p, 'produk-' || p, '', 5000 + (p % 60) * 5000,
       'pcs', 1000, 1, 'published', false, 0, 'produk ' || p, 'produk ' || p, now(), now(), now()
FROM generate_series(1, :shops * :per_shop) p;

-- One million paid personal orders; a power law spreads them unevenly over buyers and shops.
CREATE TEMP TABLE bench_orders AS
SELECT i AS id,
       1 + floor(:asn * random())::int AS buyer_id,
       1 + floor(:shops * power(random(), 2.2))::int AS shop_id,
       1 + floor(random() * 3)::int AS quantity,
       (CAST(:first_month AS timestamp) AT TIME ZONE 'Asia/Jakarta')
         + random() * ((CAST(:end_month AS timestamp) AT TIME ZONE 'Asia/Jakarta')
                       - (CAST(:first_month AS timestamp) AT TIME ZONE 'Asia/Jakarta')) AS paid_at
FROM generate_series(1, :orders) i;
ALTER TABLE bench_orders ADD COLUMN product_id int, ADD COLUMN price bigint;
UPDATE bench_orders SET product_id = (shop_id - 1) * :per_shop + 1 + (id % :per_shop);
UPDATE bench_orders o SET price = p.price_amount FROM products p WHERE p.id = o.product_id;

INSERT INTO orders (id, number, buyer_id, agency_id, channel, payment_status, goods_amount, ppn_amount,
                    delivery_amount, total_amount, refunded_amount, idempotency_key, paid_at, created_at, updated_at)
SELECT o.id, 'BNC-' || o.id, o.buyer_id, a.agency_id, 'personal', 'paid', o.price * o.quantity, 0, 0,
       o.price * o.quantity, 0, 'k' || o.id, o.paid_at, o.paid_at, o.paid_at
FROM bench_orders o JOIN asn_profiles a ON a.user_id = o.buyer_id;

INSERT INTO seller_orders (id, order_id, shop_id, number, status, fulfilment_method, goods_amount, ppn_amount,
                           ppn_rate_bp, delivery_fee_amount, total_amount, refunded_amount, created_at, updated_at)
SELECT o.id, o.id, o.shop_id, 'BNC-' || o.id || '-1',
       CASE WHEN o.id % 33 = 0 THEN 'cancelled' ELSE 'completed' END, 'pickup',
       o.price * o.quantity, 0, 0, 0, o.price * o.quantity, 0, o.paid_at, o.paid_at
FROM bench_orders o;

INSERT INTO order_lines (id, seller_order_id, product_id, category_id, product_name, unit, list_price_amount,
                         unit_price_amount, quantity, rejected_quantity, amount)
SELECT o.id, o.id, o.product_id, p.category_id, p.name, 'pcs', o.price, o.price, o.quantity, 0, o.price * o.quantity
FROM bench_orders o JOIN products p ON p.id = o.product_id;

-- The ledger as the payment hook writes it: goods of verified local shops, in the Jakarta
-- month of payment, by top category; then the cancellations taken back out.
INSERT INTO quota_entries (user_id, month, agency_id, order_id, seller_order_id, shop_id, category_id, kind,
                           reason, amount, at)
SELECT o.buyer_id, date_trunc('month', o.paid_at AT TIME ZONE 'Asia/Jakarta')::date, ord.agency_id, o.id, o.id,
       o.shop_id, c.parent_id, 'purchase', 'paid', o.price * o.quantity, o.paid_at
FROM bench_orders o
JOIN orders ord ON ord.id = o.id
JOIN shops s ON s.id = o.shop_id AND s.is_local AND s.status = 'verified'
JOIN products p ON p.id = o.product_id JOIN categories c ON c.id = p.category_id;

INSERT INTO quota_entries (user_id, month, agency_id, order_id, seller_order_id, shop_id, category_id, kind,
                           reason, amount, at)
SELECT user_id, month, agency_id, order_id, seller_order_id, shop_id, category_id, 'reduction', 'cancelled',
       -amount, at + interval '1 day'
FROM quota_entries WHERE order_id % 33 = 0 AND kind = 'purchase';

INSERT INTO quota_months (user_id, month, counted_amount, reserved_amount)
SELECT user_id, month, sum(amount), 0 FROM quota_entries GROUP BY user_id, month;

INSERT INTO quota_spend (month, agency_id, shop_id, category_id, amount)
SELECT month, coalesce(agency_id, 0), shop_id, coalesce(category_id, 0), sum(amount)
FROM quota_entries GROUP BY 1, 2, 3, 4;

INSERT INTO quota_exemptions (asn_id, starts_on, ends_on, reason, created_at, updated_at)
SELECT i * 23, :last_month + (i % 10), :last_month + (i % 10) + (3 + i % 20), 'leave', now(), now()
FROM generate_series(1, 2000) i;
"""

POLICIES_SQL = """
INSERT INTO quota_policies (id, name, effective_from, applies_to_all, minimum_kind, tpp_basis_points,
                            ceiling_amount, agency_target_amount, created_at, updated_at)
VALUES (1, 'Gerakan Bekasi Berani Beli', DATE '2024-01-01', true, 'by_rank', NULL, 2000000, 20000000, now(), now()),
       (2, 'Persentase TPP untuk badan', :middle_month, false, 'tpp_percent', 250, NULL, 30000000, now(), now());
INSERT INTO quota_rank_amounts (policy_id, echelon, amount)
VALUES (1, 'staf', 50000), (1, 'iv', 75000), (1, 'iii', 150000), (1, 'ii', 200000), (1, 'i', 250000);
INSERT INTO quota_policy_agencies (policy_id, agency_id)
SELECT 2, id FROM agencies WHERE kind = 'badan';
"""


def seed(engine, last_month: date) -> None:
    from bebeli.dates import next_month

    first, _ = months_ending(last_month)
    middle = months_ending(last_month, 6)[0]
    params = {
        "agencies": AGENCIES, "asn": ASN, "shops": SHOPS, "per_shop": PRODUCTS_PER_SHOP, "orders": ORDERS,
        "kecamatan": KECAMATAN, "first_month": first, "end_month": next_month(last_month),
        "last_month": last_month, "middle_month": middle,
    }
    started = time.perf_counter()
    with engine.begin() as conn:
        for statement in (SEED_SQL + POLICIES_SQL).split(";\n"):
            if statement.strip():
                names = {k: v for k, v in params.items() if f":{k}" in statement}
                conn.execute(sa.text(statement), names)
        for table in ("users", "agencies", "asn_profiles", "categories", "shops", "products", "orders",
                      "seller_orders", "order_lines", "quota_policies"):
            conn.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))
    analyze(engine.url)
    print(f"seeded in {time.perf_counter() - started:.0f} s", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reseed", action="store_true", help="drop and rebuild the benchmark database")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    url = os.environ.get("BENCH_QUOTAS_URL", DEFAULT_URL)

    from flask_migrate import upgrade

    from bebeli import create_app
    from bebeli.dates import parse_month
    from bebeli.extensions import db
    from bebeli.quotas import reports, services
    from bebeli.quotas.obligations import Scope, last_months

    must_seed = prepare_database(url, args.reseed)
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
    month = parse_month(None)
    with app.app_context():
        if must_seed:
            upgrade()
            seed(db.engine, month)
        counts = {t: db.session.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar()
                  for t in ("asn_profiles", "agencies", "orders", "quota_entries", "quota_months", "quota_spend")}
        busiest = db.session.execute(sa.text(
            "SELECT agency_id FROM asn_profiles GROUP BY agency_id ORDER BY count(*) DESC LIMIT 1")).scalar()
        everyone, one = Scope(), Scope(frozenset({busiest}))
        # The first dashboard view after a month ends freezes it; measure that once, cold.
        db.session.execute(sa.text("DELETE FROM quota_frozen_months"))
        started = time.perf_counter()
        frozen = services.freeze_closed_months(last_months(month, reports.TREND_MONTHS))
        db.session.commit()
        freeze_ms = (time.perf_counter() - started) * 1000
        # Freezing rewrote every row of those months; autovacuum would analyze the table
        # soon, the benchmark does it now so the planner sees the new row counts.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("ANALYZE quota_months"))
        total = reports.spend_total(month, everyone)
        buyer = db.session.execute(sa.text("SELECT user_id FROM quota_months ORDER BY counted_amount DESC LIMIT 1")).scalar()
        from bebeli.auth.models import User
        user = db.session.get(User, buyer)
        queries = [
            ("attainment per agency (all)", lambda: reports.attainment_by_agency(month, everyone)),
            ("ASN below minimum, top 20 + count (all)", lambda: reports.below_minimum(month, everyone, limit=20)),
            ("attainment + top 20 shortfalls, one statement (all)", lambda: reports.people(month, everyone, 20)),
            ("spend total (all)", lambda: reports.spend_total(month, everyone)),
            ("spend by category, with the total (all)", lambda: reports.spend_by_category(month, everyone)),
            ("spend by kecamatan (all)", lambda: reports.spend_by_kecamatan(month, everyone, total)),
            ("top 10 sellers + concentration (all)", lambda: reports.top_sellers(month, everyone, total)),
            ("12-month trend (all)", lambda: reports.trend(month, everyone)),
            ("whole dashboard (all agencies)", lambda: services.dashboard(month, everyone)),
            ("whole dashboard (largest agency)", lambda: services.dashboard(month, one)),
            ("whole dashboard, a closed month (all)", lambda: services.dashboard(last_months(month, 2)[0], everyone)),
            ("agency drill-down, page of 50", lambda: reports.agency_members(month, one, per_page=50)),
            ("ASN home progress (one ASN)", lambda: services.progress_for(user)),
            ("ASN history, 12 months", lambda: reports.history(month, Scope(user_id=buyer))),
            ("CSV rows: ASN below minimum (all)", lambda: reports.below_minimum(month, everyone)),
        ]
        print(f"\nData: {counts['asn_profiles']:,} ASN, {counts['agencies']:,} agencies, "
              f"{counts['orders']:,} orders, {counts['quota_entries']:,} ledger entries, "
              f"{counts['quota_months']:,} ASN-months, {counts['quota_spend']:,} spend rows; month {month:%Y-%m}; "
              f"largest agency {busiest}.\n")
        print(f"One-time freeze of {len(frozen)} closed months: {freeze_ms:.0f} ms.\n")
        print(f"Load average before timing: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs.\n")
        print(f"| Query | median ms | worst ms (of {args.runs}) |")
        print("|---|---:|---:|")
        for name, fn in queries:
            median, worst = timed(fn, args.runs)
            db.session.rollback()
            print(f"| {name} | {median:.0f} | {worst:.0f} |")
        print(f"\nLoad average after timing: {os.getloadavg()[0]:.1f}.")


if __name__ == "__main__":
    main()
