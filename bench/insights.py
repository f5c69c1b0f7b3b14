"""Insights pages at scale: 5,000 shops and 1,000,000 orders' worth of summary rows.

The growth page (and the seller's insights page) read only the insights summaries
(`insight_shop_months`, `insight_product_months`, `insight_shop_buyers`), which the order
lifecycle keeps in step as orders move. This script therefore does not place a million
orders: it writes the summary rows those orders would leave behind straight into a separate
PostgreSQL database (built by the real migrations) with generate_series, in bulk, and then
times the pages through the Flask test client, signed in as they would be, beside /healthz
in the same run. What is measured is the pages' queries over summary tables, not the
bookkeeping that fills them.

    .venv/bin/python bench/insights.py            # build (if needed) and time
    .venv/bin/python bench/insights.py --reseed   # drop and rebuild the data first
    BENCH_INSIGHTS_URL=postgresql+psycopg://…/other .venv/bin/python bench/insights.py

Targets: the Dinas growth page under 1 s, a seller's insights page under 100 ms.
"""
from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

import pyotp
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import analyze, cpu_counters, cpu_share, reference_loop_seconds, server_connection, timed  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bebeli_bench_insights"
SHOPS, PRODUCTS_PER_SHOP, ORDERS, MONTHS, BUYERS_PER_SHOP = 5_000, 10, 1_000_000, 24, 40
PASSWORD = "bench-insights-123"
ADMIN_EMAIL, ADMIN_SECRET = "admin@bench.test", "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
KECAMATAN = [
    "Babelan", "Bojongmangu", "Cabangbungin", "Cibarusah", "Cibitung", "Cikarang Barat", "Cikarang Pusat",
    "Cikarang Selatan", "Cikarang Timur", "Cikarang Utara", "Karangbahagia", "Kedungwaringin", "Muaragembong",
    "Pebayuran", "Serang Baru", "Setu", "Sukakarya", "Sukatani", "Sukawangi", "Tambelang", "Tambun Selatan",
    "Tambun Utara", "Tarumajaya",
]
CATEGORIES = ["Makanan", "Minuman", "Kerajinan", "Fesyen", "Batik", "Kosmetik", "Pertanian", "Perikanan",
              "Alat tulis", "Perabot"]


def prepare_database(url: str, reseed: bool) -> bool:
    """Create the database if needed; True when it must be (re)built."""
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
        built = conn.execute(sa.text("SELECT to_regclass('public.insight_shop_months') IS NOT NULL "
                                     "AND EXISTS (SELECT 1 FROM insight_shop_months)")).scalar()
    engine.dispose()
    return not built


def build(app) -> None:
    """Accounts, shops and products through the models (their defaults apply), then the summary
    rows in SQL."""
    from bebeli.auth.models import Role, RoleAssignment, User
    from bebeli.auth.services import hash_password
    from bebeli.auth.totp import enrol_with_secret
    from bebeli.catalog.models import Category, Product, ProductStatus
    from bebeli.db import utcnow
    from bebeli.extensions import db
    from bebeli.sellers.models import Shop, ShopStatus

    started = time.perf_counter()
    with app.app_context():
        password = hash_password(PASSWORD)
        admin = User(email=ADMIN_EMAIL, name="Admin Bench", password_hash=password)
        admin.roles.append(RoleAssignment(role=Role.ADMIN))
        enrol_with_secret(admin, ADMIN_SECRET)
        db.session.add(admin)
        db.session.add_all(Category(name=name, slug=name.lower().replace(" ", "-")) for name in CATEGORIES)
        db.session.flush()
        db.session.execute(sa.insert(User), [
            {"email": f"penjual{i}@bench.test", "name": f"Penjual {i}", "password_hash": password}
            for i in range(1, SHOPS + 1)])
        owners = db.session.execute(sa.select(User.id).where(User.email.like("penjual%")).order_by(User.id)).scalars().all()
        db.session.execute(sa.insert(RoleAssignment), [{"user_id": uid, "role": Role.SELLER} for uid in owners])
        now = utcnow()
        db.session.execute(sa.insert(Shop), [
            {"owner_id": uid, "name": f"Toko Bench {i}", "slug": f"toko-bench-{i}", "owner_name": f"Penjual {i}",
             "nik": f"3216{i:012d}", "nib": f"{1200000000000 + i}", "address": "Jl. Bench",
             "kecamatan": KECAMATAN[i % len(KECAMATAN)], "phone": f"62812{i:08d}", "is_local": True,
             "status": ShopStatus.VERIFIED, "verified_at": now}
            for i, uid in enumerate(owners, start=1)])
        categories = db.session.execute(sa.select(Category.id).order_by(Category.id)).scalars().all()
        shop_ids = db.session.execute(sa.select(Shop.id).order_by(Shop.id)).scalars().all()
        db.session.execute(sa.insert(Product), [
            {"shop_id": sid, "category_id": categories[(sid + k) % len(categories)], "name": f"Produk {sid}-{k}",
             "slug": f"produk-{sid}-{k}", "description": "Produk bench.", "price_amount": 25_000, "unit": "pcs",
             "stock": 100, "min_order_qty": 1, "status": ProductStatus.PUBLISHED, "published_at": now,
             "search_text": f"produk {sid} {k}"}
            for sid in shop_ids for k in range(PRODUCTS_PER_SHOP)])
        db.session.commit()
        with db.engine.begin() as conn:
            summaries(conn)
    print(f"built in {time.perf_counter() - started:.0f} s", file=sys.stderr)


def summaries(conn) -> None:
    """The summary rows of ~1,000,000 orders over 24 Jakarta months: a few large shops, many
    small ones, a tenth that never sold; personal and agency channels; ten products a shop."""
    run = lambda sql, **params: conn.execute(sa.text(sql), params)  # noqa: E731
    run("SELECT setseed(0.42)")
    # A weight (orders) and an order value per shop: most sell little, a few sell a lot.
    run("""CREATE TEMP TABLE bench_shop AS
           SELECT id AS shop_id,
                  CASE WHEN random() < 0.1 THEN 0 ELSE 1 + 60 * power(random(), 4) END AS weight,
                  (50000 * (1 + 400 * power(random(), 12)))::bigint AS order_value,
                  now() - (random() * interval '1000 days') AS verified_at
           FROM shops""")
    run("UPDATE shops SET verified_at = b.verified_at FROM bench_shop b WHERE b.shop_id = shops.id")
    run("""INSERT INTO insight_shop_months (shop_id, month, channel, agency_id, revenue_amount, orders, units)
           SELECT shop_id, month, channel, agency_id, orders * order_value, orders, orders * 2
           FROM (SELECT b.shop_id, b.order_value,
                        (date_trunc('month', (now() AT TIME ZONE 'Asia/Jakarta')) - m * interval '1 month')::date AS month,
                        c.channel, c.agency_id,
                        round(b.weight * random() * :scale)::int AS orders
                 FROM bench_shop b CROSS JOIN generate_series(0, :months - 1) m
                 CROSS JOIN (VALUES ('personal', 0), ('agency', 1)) c(channel, agency_id)) t
           WHERE orders > 0""", scale=0.70, months=MONTHS)
    run("""INSERT INTO insight_product_months (product_id, month, shop_id, revenue_amount, orders, units)
           SELECT p.id, s.month, s.shop_id, s.revenue / :n, greatest(s.orders / :n, 1), greatest(s.units / :n, 1)
           FROM (SELECT shop_id, month, sum(revenue_amount) AS revenue, sum(orders) AS orders, sum(units) AS units
                 FROM insight_shop_months GROUP BY shop_id, month) s
           JOIN products p ON p.shop_id = s.shop_id""", n=PRODUCTS_PER_SHOP)
    # One row per counted seller order (the seller page reads them for a month's repeat buyers).
    run("""INSERT INTO insight_sales (seller_order_id, shop_id, buyer_id, month, channel, agency_id, paid_at,
                                      revenue_amount, units)
           SELECT row_number() OVER (), m.shop_id, 1 + (random() * (:buyers - 1))::int, m.month, m.channel,
                  m.agency_id, (m.month + interval '10 days')::timestamp AT TIME ZONE 'Asia/Jakarta',
                  m.revenue_amount / m.orders, 2
           FROM insight_shop_months m CROSS JOIN LATERAL generate_series(1, m.orders) k""", buyers=BUYERS_PER_SHOP)
    run("""INSERT INTO insight_shop_buyers (shop_id, buyer_id, orders, first_paid_at, last_paid_at)
           SELECT b.shop_id, k, 1 + (random() * 5)::int, now() - interval '700 days',
                  now() - (power(random(), 2) * interval '400 days')
           FROM bench_shop b CROSS JOIN generate_series(1, :buyers) k WHERE b.weight > 0""", buyers=BUYERS_PER_SHOP)


def signed_in_client(app, email: str, secret: str | None = None):
    client = app.test_client()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/masuk").get_data(as_text=True)).group(1)
    response = client.post("/masuk", data={"csrf_token": token, "identifier": email, "password": PASSWORD})
    if secret and response.location and response.location.endswith("/masuk/verifikasi"):
        page = client.get("/masuk/verifikasi").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        response = client.post("/masuk/verifikasi", data={"csrf_token": token, "code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


def seller_page(app) -> str | None:
    """The seller's own insights page, in a build that has one."""
    for endpoint in ("insights.page", "insights.dashboard"):
        if endpoint in app.view_functions:
            with app.test_request_context():
                from flask import url_for

                return url_for(endpoint)
    return None


def measure(app, runs: int) -> list[str]:
    from bebeli.extensions import db

    def get(client, url):
        def call():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
        return call

    anonymous = app.test_client()
    admin = signed_in_client(app, ADMIN_EMAIL, ADMIN_SECRET)
    with app.app_context():
        counts = db.session.execute(sa.text(
            "SELECT (SELECT count(*) FROM shops), (SELECT sum(orders) FROM insight_shop_months), "
            "(SELECT count(*) FROM insight_shop_months), (SELECT count(*) FROM insight_product_months), "
            "(SELECT count(*) FROM insight_shop_buyers), (SELECT count(*) FROM insight_sales)")).one()
        top_owner = db.session.execute(sa.text(
            "SELECT u.email FROM shops s JOIN users u ON u.id = s.owner_id JOIN insight_shop_months m ON m.shop_id = s.id "
            "GROUP BY u.email ORDER BY sum(m.revenue_amount) DESC LIMIT 1")).scalar_one()
    before = cpu_counters()
    health, _ = timed(get(anonymous, "/healthz"), runs * 4)
    lines = [
        f"{counts[0]:,} shops · {int(counts[1]):,} orders summarised in {counts[2]:,} shop-month, "
        f"{counts[3]:,} product-month, {counts[4]:,} shop-buyer and {counts[5]:,} sale rows · reference loop "
        f"{reference_loop_seconds():.2f} s",
        "",
        "| page | median | worst | median ÷ /healthz | target |",
        "|---|---|---|---|---|",
        f"| /healthz | {health:.1f} ms | | 1 | |",
    ]
    growth, worst = timed(get(admin, "/admin/pertumbuhan"), runs)
    lines.append(f"| /admin/pertumbuhan (Dinas growth) | {growth:.0f} ms | {worst:.0f} ms | {growth / health:.0f}× | < 1000 ms |")
    url = seller_page(app)
    if url:
        seller = signed_in_client(app, top_owner)
        median, worst = timed(get(seller, url), runs)
        lines.append(f"| {url} (seller insights, the largest shop) | {median:.0f} ms | {worst:.0f} ms | "
                     f"{median / health:.0f}× | < 100 ms |")
    else:
        lines.append("| seller insights page | not in this build | | | |")
    lines.append(f"\n{cpu_share(before, cpu_counters())}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    url = os.environ.get("BENCH_INSIGHTS_URL", DEFAULT_URL)
    from flask_migrate import upgrade

    from bebeli import create_app

    fresh = prepare_database(url, args.reseed)
    app = create_app("development", SQLALCHEMY_DATABASE_URI=url)
    if fresh:
        with app.app_context():
            upgrade()
        build(app)
        print(f"autovacuum {analyze(url)}; VACUUM ANALYZE done", file=sys.stderr)
    print("\n".join(measure(app, args.runs)))


if __name__ == "__main__":
    main()
