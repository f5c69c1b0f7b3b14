"""Catalog pages under load: 100,000 products, gunicorn on 127.0.0.1, measured with wrk.

For each backend it builds a separate database with the real migrations (never the
development or test one), seeds shops, categories and products (search text stemmed exactly
as the app stems it, one image per product), serves the app with gunicorn (2 sync workers)
and runs wrk against the trivial route (/healthz), the home page, a category page, a product
page and three searches, three times: as a visitor (whole pages from the cache), as a
signed-in buyer (the same shared pages, stamped with their name and CSRF token; their home
page stays personal), and with the cache off (what every request would cost: the first one
after each catalog change).

`--explain-products 1000000` then loads a million products into another PostgreSQL
database and prints the plans (EXPLAIN ANALYZE) of the searches as the app runs them.

    .venv/bin/python bench/catalog.py                         # both backends, 100k products
    .venv/bin/python bench/catalog.py --backend postgresql --duration 5
    .venv/bin/python bench/catalog.py --backend none --explain-products 1000000

Needs wrk (`apt-get install -y wrk`) and, for PostgreSQL, a server at BENCH_PG (default
postgresql+psycopg://postgres@127.0.0.1:5432). Prints Markdown for bench/RESULTS.md.
"""
from __future__ import annotations

import argparse
import http.cookiejar
import os
import platform
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import analyze, recreate_postgres, wait_until_serving  # noqa: E402

PG_SERVER = os.environ.get("BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432")
SQLITE_PATH = Path(tempfile.gettempdir()) / "bebeli-bench-catalog.sqlite3"
SHOPS = 300
# Per sub-category: product kinds × variants × sizes give the names.
WORDS = {
    "Keripik & Camilan": (["Keripik Pisang", "Keripik Singkong", "Keripik Tempe", "Rempeyek Kacang", "Makaroni",
                           "Kerupuk Kulit", "Basreng", "Kacang Telur"],
                          ["Balado", "Manis", "Pedas", "Original", "Keju", "Jagung Bakar", "Rumput Laut"]),
    "Kue & Roti": (["Bolu Pandan", "Lapis Legit", "Nastar", "Kue Kering", "Dodol Betawi", "Roti Sobek", "Brownies"],
                   ["Keju", "Cokelat", "Premium", "Tanpa Gula", "Klasik", "Mini"]),
    "Minuman & Kopi": (["Kopi Robusta", "Kopi Arabika", "Teh Serai", "Sirup Markisa", "Madu Hutan", "Jahe Merah"],
                       ["Bubuk", "Biji", "Celup", "Instan", "Botol", "Sachet"]),
    "Sambal & Bumbu": (["Sambal Bawang", "Sambal Roa", "Bumbu Pecel", "Bumbu Rendang", "Abon Sapi"],
                       ["Pedas", "Original", "Ekstra Pedas", "Manis"]),
    "Anyaman": (["Keranjang Bambu", "Tampah", "Tas Anyaman", "Besek", "Tatakan Rotan"],
                ["Besar", "Kecil", "Motif Batik", "Natural", "Warna"]),
    "Suvenir & Hiasan": (["Miniatur Golok", "Gantungan Kunci", "Hiasan Dinding", "Kap Lampu"],
                         ["Kayu Jati", "Bambu", "Khas Bekasi", "Ukir"]),
    "Batik": (["Kemeja Batik", "Kain Batik", "Blus Batik", "Seragam Batik", "Syal Batik"],
              ["Tulis", "Cap", "Printing", "Motif Teratai", "Motif Golok", "Sutra"]),
    "Tas & Aksesoris": (["Tas Jinjing", "Dompet", "Totebag", "Pouch"], ["Batik", "Kulit", "Kanvas", "Rajut"]),
    "Alat Tulis": (["Pulpen Gel", "Spidol", "Stabilo", "Pensil", "Penghapus"], ["Hitam", "Biru", "Warna", "Isi Ulang"]),
    "Kertas & Map": (["Kertas HVS", "Map Plastik", "Amplop Cokelat", "Ordner"], ["A4", "F4", "Folio", "Kuarto"]),
    "Perlengkapan Rapat": (["Buku Agenda", "Papan Nama Meja", "Name Tag"], ["Batik", "Akrilik", "Kulit"]),
    "Nasi Kotak": (["Nasi Kotak", "Nasi Liwet", "Tumpeng Mini", "Nasi Uduk"], ["Ayam Bakar", "Rendang", "Komplit"]),
    "Snack Box": (["Snack Box", "Kue Basah", "Paket Rapat"], ["Isi 3", "Isi 4", "Premium"]),
    "Prasmanan": (["Prasmanan"], ["Nusantara", "Sunda", "Betawi"]),
}
SIZES = ["", "100 gram", "250 gram", "500 gram", "1 kg", "isi 10", "isi 12"]
BUYER = ("bench.buyer@bebeli.test", "bench-rahasia-123")
SEARCHES = [("keripik pedas", "two common words"), ("batik tulis", "category and name words"),
            ("membeli kopi robusta", "stemmed, with a stopword")]


# ------------------------------------------------------------------------------ database

def pg_url(name: str) -> str:
    return f"{PG_SERVER.rstrip('/')}/{name}"


def make_app(url: str, upload_dir: str):
    from bebeli import create_app

    return create_app("development", SQLALCHEMY_DATABASE_URI=url, UPLOAD_DIR=upload_dir)


def product_rows(count: int, categories: dict, shops: list, seed: int = 7):
    """Deterministic products: (row for `products`, document text for the search index)."""
    from bebeli.catalog.text import slugify, stemmed

    rng = random.Random(seed)
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    combos = [(cat, f"{kind} {variant} {size}".strip())
              for cat, (kinds, variants) in WORDS.items() for kind in kinds for variant in variants for size in SIZES]
    for i in range(count):
        category_name, name = combos[i % len(combos)]
        category = categories[category_name]
        shop = shops[rng.randrange(len(shops))]
        description = f"{name} buatan UMKM {shop['kecamatan']}. Cocok untuk oleh-oleh dan kebutuhan kantor."
        document = " ".join((name, description, category.name, category.parent.name, shop["name"]))
        yield {
            "shop_id": shop["id"], "category_id": category.id, "name": name, "slug": f"{slugify(name)}-{i}",
            "description": description, "price_amount": rng.randrange(5, 500) * 1_000, "unit": "pcs",
            "stock": rng.choice((0, 5, 20, 100, 500)), "min_order_qty": 1, "status": "published",
            "taken_down": False, "published_at": start + timedelta(minutes=i), "sold_count": rng.randrange(0, 300),
            "search_text": stemmed(document), "search_name": f" {stemmed(name)} ",
            "created_at": start, "updated_at": start,
        }


def seed(app, count: int) -> dict:
    """Shops, categories and `count` products with images; returns URLs to measure."""
    from bebeli.auth.models import Role
    from bebeli.auth.services import create_user
    from bebeli.catalog.demo import _categories, tile_image
    from bebeli.catalog.models import Category, Product, ProductImage
    from bebeli.catalog.search import rebuild_vocabulary
    from bebeli.extensions import db
    from bebeli.regions import region_kecamatan
    from bebeli.sellers.models import Shop, ShopStatus
    from bebeli.storage import get_storage, new_key

    started = time.perf_counter()
    with app.test_request_context():
        categories = {c.name: c for c in _categories().values()}
        kecamatan = list(region_kecamatan())
        shops = []
        for i in range(SHOPS):
            owner = create_user(email=f"bench.seller{i}@bebeli.test", name=f"Penjual {i}", password=None,
                                roles=[Role.SELLER])
            shop = Shop(owner=owner, name=f"UMKM Bench {i}", slug=f"umkm-bench-{i}", owner_name=f"Penjual {i}",
                        nik=f"3216{i:012d}"[:16], nib=f"{1200000000000 + i}", address="Jl. Raya",
                        kecamatan=kecamatan[i % len(kecamatan)], phone=f"62812{i:08d}", is_local=True,
                        status=ShopStatus.VERIFIED)
            db.session.add(shop)
            shops.append(shop)
        db.session.flush()
        shop_rows = [{"id": s.id, "name": s.name, "kecamatan": s.kecamatan} for s in shops]
        create_user(email=BUYER[0], name="Pembeli Bench", password=BUYER[1], roles=[Role.BUYER])
        storage = get_storage()
        images = []
        for i in range(24):
            tile = tile_image(f"Bench {i}")
            display, thumb = new_key("public", "bench", "display.webp"), new_key("public", "bench", "thumb.webp")
            storage.save(display, tile.display)
            storage.save(thumb, tile.thumb)
            images.append((display, thumb))
        db.session.commit()

        table, image_table = Product.__table__, ProductImage.__table__
        batch = []
        for row in product_rows(count, categories, shop_rows):
            batch.append(row)
            if len(batch) == 5_000:
                _insert(db, table, image_table, batch, images)
                batch = []
        if batch:
            _insert(db, table, image_table, batch, images)
        rebuild_vocabulary()
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            analyze(db.engine.url)
        else:
            db.session.execute(sa.text("ANALYZE"))
            db.session.commit()
        child = db.session.scalar(sa.select(Category).where(Category.name == "Keripik & Camilan"))
        product = db.session.scalar(sa.select(Product).where(Product.id == count // 2))
        urls = {
            "trivial (/healthz)": "/healthz",
            "home": "/",
            "category": f"/kategori/{child.slug}",
            "product": f"/produk/{product.id}/{product.slug}",
            **{f"search “{q}”": "/katalog?q=" + q.replace(" ", "+") for q, _ in SEARCHES},
        }
    print(f"seeded {count:,} products in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return urls


def _insert(db, table, image_table, batch, images):
    conn = db.session.connection()
    ids = conn.execute(table.insert().returning(table.c.id), batch).scalars().all()
    conn.execute(image_table.insert(), [
        {"product_id": pid, "position": 0, "display_key": images[pid % len(images)][0],
         "thumb_key": images[pid % len(images)][1], "width": 480, "height": 480} for pid in ids
    ])
    db.session.commit()


# ------------------------------------------------------------------------------ serving

def serve(url: str, upload_dir: str, port: int, cache_seconds: int) -> subprocess.Popen:
    env = dict(os.environ, DATABASE_URL=url, UPLOAD_DIR=upload_dir, CATALOG_CACHE_SECONDS=str(cache_seconds),
               BEBELI_CONFIG="development")
    process = subprocess.Popen(
        # --config /dev/null: this exact setup, not gunicorn.conf.py's (whose max_requests would
        # restart workers, and empty their caches, every couple of thousand requests mid-run).
        [str(ROOT / ".venv/bin/gunicorn"), "--config", "/dev/null", "--no-control-socket", "--workers", "2",
         "--worker-class", "sync", "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    wait_until_serving(process, port)
    return process


def session_cookie(port: int) -> str:
    """Sign the benchmark buyer in through the login form; returns the Cookie header."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"http://127.0.0.1:{port}/masuk", timeout=60).read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"csrf_token": token, "identifier": BUYER[0], "password": BUYER[1]}).encode()
    opener.open(f"http://127.0.0.1:{port}/masuk", data=form, timeout=60).read()
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def wrk(url: str, duration: int, connections: int, cookie: str | None = None) -> dict:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    for _ in range(20):  # warm both workers (and their caches)
        urllib.request.urlopen(request, timeout=60).read()
    command = ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency", url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    latency = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", out, re.M))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "p50": latency["50"], "p99": latency["99"], "errors": int(errors.group(1)) if errors else 0}


def to_ms(text: str) -> float:
    value, unit = float(re.match(r"[\d.]+", text).group()), re.search(r"[a-z]+", text).group()
    return value * {"us": 0.001, "ms": 1, "s": 1000}[unit]


MODES = [("visitor (whole pages cached)", 30, False), ("signed-in buyer (shared pages, own frame)", 30, True),
         ("cache off (every request renders)", 0, False)]


def cpu_per_request(url: str, upload_dir: str, urls: dict, cache_seconds: int, signed_in: bool,
                    requests: int = 200) -> dict:
    """CPU milliseconds per request, in process through the test client: unlike req/s, this
    hardly moves when other work shares the machine."""
    import logging

    from bebeli import create_app

    logging.getLogger("bebeli.access").setLevel(logging.WARNING)
    app = create_app("development", SQLALCHEMY_DATABASE_URI=url, UPLOAD_DIR=upload_dir,
                     CATALOG_CACHE_SECONDS=cache_seconds)
    client = app.test_client()
    if signed_in:
        page = client.get("/masuk").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        client.post("/masuk", data={"csrf_token": token, "identifier": BUYER[0], "password": BUYER[1]})
    costs = {}
    for name, path in urls.items():
        for _ in range(10):
            client.get(path)
        started = time.process_time()
        for _ in range(requests):
            client.get(path)
        costs[name] = (time.process_time() - started) / requests * 1000
    return costs


def measure(url: str, upload_dir: str, urls: dict, duration: int, connections: int, port: int) -> list[str]:
    lines = []
    for label, cache_seconds, signed_in in MODES:
        server = serve(url, upload_dir, port, cache_seconds)
        try:
            # A fresh sign-in for each page: wrk sends the same cookie all along and never takes
            # the refreshed one a browser would, so one cookie would outlive the session's frame
            # snapshot (FRAME_TRUST_SECONDS) halfway through the run.
            results = {name: wrk(f"http://127.0.0.1:{port}{path}", duration, connections,
                                 session_cookie(port) if signed_in else None)
                       for name, path in urls.items()}
        finally:
            server.terminate()
            server.wait(10)
        cpu = cpu_per_request(url, upload_dir, urls, cache_seconds, signed_in)
        trivial = results["trivial (/healthz)"]["rps"]
        lines += [f"\n{label}:\n", "| page | req/s | vs trivial | p50 | p99 | errors | CPU ms/req |",
                  "|---|---:|---:|---:|---:|---:|---:|"]
        for name, r in results.items():
            ok = "" if name.startswith("trivial") else (" ✓" if r["rps"] >= trivial / 2 and to_ms(r["p99"]) < 50 else " ✗")
            lines.append(f"| {name} | {r['rps']:,.0f} | {r['rps'] / trivial:.0%}{ok} | {r['p50']} | {r['p99']} "
                         f"| {r['errors']} | {cpu[name]:.2f} |")
    return lines


# ------------------------------------------------------------------------------ plans

def search_plans(app) -> list[str]:
    """EXPLAIN (ANALYZE) of every statement search_products runs for each benchmark search."""
    from bebeli.catalog.search import search_products
    from bebeli.extensions import db

    lines = []
    with app.app_context():
        for query, _ in SEARCHES:
            captured = []

            def capture(conn, cursor, statement, parameters, context, executemany):
                captured.append((statement, parameters))

            sa.event.listen(db.engine, "before_cursor_execute", capture)
            try:
                started = time.perf_counter()
                result = search_products(query)
                elapsed = (time.perf_counter() - started) * 1000
            finally:
                sa.event.remove(db.engine, "before_cursor_execute", capture)
            lines.append(f"\n#### “{query}”: {result.page.total:,}{'+' if result.total_is_capped else ''} "
                         f"matches, search_products() {elapsed:.1f} ms\n")
            lines += [_explain(db.session.connection(), statement, parameters)
                      for statement, parameters in captured
                      if statement.lstrip().upper().startswith("SELECT") and " products" in statement]
            db.session.rollback()
    return lines


def _explain(conn, statement: str, parameters) -> str:
    if conn.dialect.name == "postgresql":
        prefix = "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) "
    else:
        prefix = "EXPLAIN QUERY PLAN "
    plan = conn.exec_driver_sql(prefix + statement, parameters).all()
    return "```\n" + "\n".join(str(row[-1]) for row in plan) + "\n```"


# ------------------------------------------------------------------------------ main

def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem = next(int(line.split()[1]) // 1024 // 1024 for line in Path("/proc/meminfo").read_text().splitlines()
               if line.startswith("MemTotal"))
    return (f"{cpu}, {os.cpu_count()} cores, {mem} GB RAM, Python {platform.python_version()}, "
            f"SQLite {sqlite3.sqlite_version}, load average before the run {os.getloadavg()[0]:.1f}")


def run_backend(backend: str, args) -> list[str]:
    url = f"sqlite:///{SQLITE_PATH}" if backend == "sqlite" else pg_url("bebeli_bench_catalog")
    upload_dir = tempfile.mkdtemp(prefix="bebeli-bench-uploads-")
    try:
        if backend == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
        else:
            recreate_postgres(url)
        from flask_migrate import upgrade

        app = make_app(url, upload_dir)
        with app.app_context():
            upgrade()
        urls = seed(app, args.products)
        lines = [f"\n### {backend}, {args.products:,} products\n"]
        lines += measure(url, upload_dir, urls, args.duration, args.connections, args.port)
        lines += ["\nQuery plans of the searches:"] + search_plans(app)
        return lines
    finally:
        shutil.rmtree(upload_dir, ignore_errors=True)


def explain_at_scale(count: int) -> list[str]:
    from flask_migrate import upgrade

    url = pg_url("bebeli_bench_catalog_1m")
    recreate_postgres(url)
    upload_dir = tempfile.mkdtemp(prefix="bebeli-bench-uploads-")
    try:
        app = make_app(url, upload_dir)
        with app.app_context():
            upgrade()
        seed(app, count)
        return [f"\n### postgresql, {count:,} products: query plans\n"] + search_plans(app)
    finally:
        shutil.rmtree(upload_dir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both", "none"), default="both")
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--duration", type=int, default=10, help="seconds of wrk per page")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--port", type=int, default=5099)
    parser.add_argument("--explain-products", type=int, default=0, help="also EXPLAIN at this size (PostgreSQL)")
    args = parser.parse_args()
    if shutil.which("wrk") is None and args.backend != "none":
        sys.exit("wrk is missing: apt-get install -y wrk")

    backends = {"both": ["sqlite", "postgresql"], "none": []}.get(args.backend, [args.backend])
    command = "python bench/catalog.py " + " ".join(sys.argv[1:])
    lines = [f"Command: `{command.strip()}`  ", f"Machine: {machine()}  ",
             f"wrk -t1 -c{args.connections} -d{args.duration}s per page; gunicorn --workers 2 (sync) on 127.0.0.1."]
    for backend in backends:
        lines += run_backend(backend, args)
    if args.explain_products:
        lines += explain_at_scale(args.explain_products)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
