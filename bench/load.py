"""A realistic mix of signed-in ASN buyers against gunicorn + PostgreSQL on 127.0.0.1.

Builds its own database (never the development or test one) with the real migrations and
`flask seed-demo`, adds enough buyers and products, serves the app with gunicorn as configured
by gunicorn.conf.py (settings through its environment variables), and drives it with locust
(FastHttpUser, headless, one process, time-bounded), in four phases of the same run:

1. ceiling — /healthz alone: what the server and this load generator manage at all;
2. pages alone — the home page, search, a category and a product page, each alone;
3. mix — every user signs in as a different ASN buyer, then loops without think time:
   70% browsing (search 25, product 20, category 15, home 10), 20% cart (add a product, open
   the cart), 10% checkout (add, checkout page, place the order with pickup, start the
   simulated payment, pay, come back). A few scarce products make buyers race for stock;
4. paced mix — the same users and mix, each pausing 1–3 s between actions (`--think`), as
   16 people at their desks would: what each of them waits for a page.

The server has Redis (rate-limit counters and the shared page cache, under keys of this run
only) as a production server has; `--redis ''` leaves it out.

It prints requests/s, p50/p99 and errors per page, the ratio of each page to the ceiling, and
the oversell count from the database after the run (units in new order lines beyond what left
the stock, plus any negative stock): it must be 0.

    .venv/bin/python bench/load.py                        # 16 users, 60 s mix
    .venv/bin/python bench/load.py --users 32 --duration 120 --workers 5 --threads 2
    BENCH_LOAD_URL=postgresql+psycopg://…/other .venv/bin/python bench/load.py

Needs locust (`pip install -e .[bench]`), a PostgreSQL server (default 127.0.0.1:5432) and
Redis (default 127.0.0.1:6379; without it the run says so and goes on).
"""
from __future__ import annotations

import argparse
import itertools
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import gevent
import sqlalchemy as sa
from locust import FastHttpUser, between, constant, task
from locust.env import Environment

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.catalog import machine  # noqa: E402
from bench.checkout import hidden_fields  # noqa: E402
from bench.common import (  # noqa: E402
    analyze,
    cpu_counters,
    cpu_share,
    recreate_postgres,
    reference_loop_seconds,
    wait_until_serving,
)

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bebeli_bench_load"
PASSWORD = "Bench-Load-2026"
BUYERS = 300
EXTRA_PRODUCTS = 3_000
SCARCE_PRODUCTS, SCARCE_STOCK = 5, 40
ORDER_PATH = re.compile(r"/pesanan/(\d+)$")


# ------------------------------------------------------------------------------ database

def seed(url: str, upload_dir: str) -> None:
    """Migrations and the demo data through the app's own commands, then bench buyers and products."""
    env = bench_env(url, upload_dir)
    for command in (["db", "upgrade"], ["seed-demo"]):
        subprocess.run([str(ROOT / ".venv/bin/flask"), "--app", "wsgi:app", *command], cwd=ROOT, env=env,
                       check=True, stdout=subprocess.DEVNULL)
    from bebeli import create_app

    app = create_app("development", SQLALCHEMY_DATABASE_URI=url, UPLOAD_DIR=upload_dir)
    with app.app_context():
        _add_buyers(BUYERS)
        _add_products(EXTRA_PRODUCTS)


def _add_buyers(count: int) -> None:
    from bebeli.auth.models import Role, RoleAssignment, User
    from bebeli.auth.services import hash_password
    from bebeli.directory.models import Agency, AsnProfile
    from bebeli.extensions import db

    password = hash_password(PASSWORD)  # once: Argon2 is slow on purpose
    agencies = db.session.scalars(db.select(Agency).order_by(Agency.id)).all()
    for i in range(count):
        user = User(email=f"asn{i}@bench.bebeli", name=f"ASN Uji {i}", password_hash=password,
                    roles=[RoleAssignment(role=Role.BUYER)])
        nip = f"1990{1 + i % 12:02d}{1 + i % 28:02d}2015031{i % 1000:03d}"
        db.session.add(AsnProfile(user=user, nip=nip, agency=agencies[i % len(agencies)], tpp_amount=4_000_000))
    db.session.commit()


def _add_products(count: int) -> None:
    """Variants of the demo products in the verified demo shops, indexed as the app indexes them,
    and a few scarce ones."""
    from bebeli.catalog.models import Product, ProductStatus
    from bebeli.catalog.search import index_product
    from bebeli.catalog.text import slugify
    from bebeli.db import utcnow
    from bebeli.extensions import db
    from bebeli.sellers.models import Shop, ShopStatus

    demo = db.session.scalars(db.select(Product).join(Shop).where(Shop.status == ShopStatus.VERIFIED)).all()
    rng = random.Random(7)
    for n in range(count + SCARCE_PRODUCTS):
        model = demo[n % len(demo)]
        scarce = n >= count
        name = f"{model.name} {'Edisi Terbatas' if scarce else rng.choice(['Mini', 'Jumbo', 'Hemat', 'Premium'])} {n}"
        product = Product(shop_id=model.shop_id, category_id=model.category_id, name=name, slug=slugify(name),
                          description=model.description, price_amount=rng.randrange(5_000, 40_000, 500),
                          unit=model.unit, stock=SCARCE_STOCK if scarce else 100_000, min_order_qty=1,
                          status=ProductStatus.PUBLISHED, published_at=utcnow())
        db.session.add(product)
        db.session.flush()
        index_product(product)
        if n % 500 == 0:
            db.session.commit()
    db.session.commit()


@dataclass
class Catalog:
    """What the virtual buyers pick from, read back from the seeded database."""

    accounts: list[str]
    products: list[tuple[int, str]]
    scarce: list[int]
    categories: list[str]
    words: list[str] = field(default_factory=lambda: ["keripik", "batik", "kopi", "sambal", "tas", "kue pedas",
                                                      "madu", "anyaman bambu", "kemeja batik tulis", "snack"])


def read_catalog(url: str) -> Catalog:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        accounts = conn.scalars(sa.text("SELECT email FROM users WHERE email LIKE '%@bench.bebeli' ORDER BY id")).all()
        products = conn.execute(sa.text("SELECT p.id, p.slug FROM products p JOIN shops s ON s.id = p.shop_id "
                                        "WHERE p.status = 'published' AND s.status = 'verified' AND p.stock > 1000 "
                                        "AND p.price_amount <= 60000")).all()
        scarce = conn.scalars(sa.text(f"SELECT id FROM products WHERE stock = {SCARCE_STOCK} ORDER BY id")).all()
        categories = conn.scalars(sa.text("SELECT DISTINCT c.slug FROM categories c JOIN products p "
                                          "ON p.category_id = c.id WHERE c.is_active")).all()
    engine.dispose()
    return Catalog(list(accounts), [tuple(p) for p in products], list(scarce), list(categories))


def stock_ledger(url: str) -> tuple[dict[int, tuple[int, int]], int]:
    """({product id: (stock, units in order lines)}, orders paid so far)."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT p.id, p.stock, coalesce(sum(l.quantity), 0) FROM products p "
            "LEFT JOIN order_lines l ON l.product_id = p.id GROUP BY p.id, p.stock")).all()
        paid = conn.scalar(sa.text("SELECT count(*) FROM orders WHERE paid_at IS NOT NULL"))
    engine.dispose()
    return {row[0]: (row[1], row[2]) for row in rows}, paid


def oversell(before: dict, after: dict) -> tuple[int, int, int]:
    """(units ordered during the run, units that left the stock, oversold units)."""
    ordered = left = oversold = 0
    for product_id, (stock, lines) in after.items():
        start_stock, start_lines = before[product_id]
        new_lines, gone = lines - start_lines, start_stock - stock
        ordered, left = ordered + new_lines, left + gone
        oversold += max(0, new_lines - gone) + max(0, -stock)
    return ordered, left, oversold


# ------------------------------------------------------------------------------ server

RUN_PREFIX = f"bebeli-bench-{os.getpid()}"
SERVER_LOG = Path(tempfile.gettempdir()) / "bebeli-bench-load-server.log"  # this run's keys in Redis: nothing left from an earlier run


def bench_env(url: str, upload_dir: str, redis_url: str = "", **extra) -> dict:
    """The app's environment: development config (the simulated payment gateway), login limits
    high enough for hundreds of sign-ins from one address, quiet logs; Redis for the rate-limit
    counters and the shared page cache, as a server has them."""
    return dict(os.environ, DATABASE_URL=url, UPLOAD_DIR=upload_dir, BEBELI_CONFIG="development",
                SECRET_KEY="bench-" + "x" * 40, STRIPE_SECRET_KEY="", MAIL_BACKEND="log", LOG_LEVEL="warning",
                LOGIN_LIMIT_PER_IP="1000000 per minute", LOGIN_LIMIT_PER_ACCOUNT="100000 per minute",
                REDIS_URL=redis_url, RATELIMIT_KEY_PREFIX=RUN_PREFIX, CACHE_KEY_PREFIX=RUN_PREFIX, **extra)


def redis_or_none(url: str) -> str:
    """`url` when a Redis answers there; otherwise "" (and the run says so)."""
    if not url:
        return ""
    import redis

    try:
        redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1).ping()
        return url
    except redis.RedisError as exc:
        print(f"no Redis at {url} ({exc.__class__.__name__}): rate limits and page cache per worker",
              file=sys.stderr)
        return ""


def forget_run_keys(url: str) -> None:
    if url:
        import redis

        client = redis.Redis.from_url(url)
        for name in client.scan_iter(f"{RUN_PREFIX}*", count=1000):
            client.delete(name)


def serve(url: str, upload_dir: str, port: int, workers: int | None, threads: int,
          redis_url: str = "") -> subprocess.Popen:
    extra = {"BIND": f"127.0.0.1:{port}", "GUNICORN_THREADS": str(threads), "redis_url": redis_url}
    if workers:
        extra["WEB_CONCURRENCY"] = str(workers)
    process = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "--config", str(ROOT / "gunicorn.conf.py"), "--no-control-socket",
         "wsgi:app"], cwd=ROOT, env=bench_env(url, upload_dir, **extra),
        stdout=subprocess.DEVNULL, stderr=open(SERVER_LOG, "w"),  # warnings and errors, with tracebacks
    )
    wait_until_serving(process, port)
    return process


# ------------------------------------------------------------------------------ virtual users

class Probe(FastHttpUser):
    """The ceiling: the trivial route, nothing else."""

    wait_time = constant(0)

    @task
    def healthz(self):
        self.client.get("/healthz", name="/healthz (ceiling)")


class Buyer(FastHttpUser):
    """An ASN buyer: signs in as a seeded account, then browses, fills the cart and checks out
    (the weights are MIX below; `solo` makes a buyer who only opens one page)."""

    abstract = True
    wait_time = constant(0)
    catalog: Catalog
    logins: itertools.count
    signed_in: list[int] = [0]

    def on_start(self):
        email = self.catalog.accounts[next(self.logins) % len(self.catalog.accounts)]
        token = hidden_fields(self.client.get("/masuk", name="login").text)["csrf_token"]
        self.client.post("/masuk", data={"identifier": email, "password": PASSWORD, "csrf_token": token},
                         name="login", allow_redirects=False)
        self.signed_in[0] += 1

    def _page(self, url: str, name: str, expect=(200,)):
        with self.client.get(url, name=name, allow_redirects=False, catch_response=True) as response:
            if response.status_code not in expect:
                response.failure(f"{response.status_code} {response.headers.get('Location', '')}".strip())
            return response

    def _post(self, url: str, data: dict, name: str, expect=(302, 303)):
        with self.client.post(url, data=data, name=name, allow_redirects=False, catch_response=True) as response:
            if response.status_code not in expect:
                response.failure(f"{response.status_code} {response.headers.get('Location', '')}".strip())
            return response

    def search(self):
        self._page(f"/katalog?q={random.choice(self.catalog.words)}", "search")

    def product(self):
        product_id, slug = random.choice(self.catalog.products)
        self._page(f"/produk/{product_id}/{slug}", "product")

    def category(self):
        self._page(f"/kategori/{random.choice(self.catalog.categories)}", "category")

    def home(self):
        self._page("/", "home")

    def _add(self, product_id: int) -> None:
        token = hidden_fields(self._page("/keranjang/", "cart").text)["csrf_token"]
        self._post("/keranjang/tambah", {"product_id": product_id, "quantity": 1, "csrf_token": token}, "cart add")

    def cart(self):
        self._add(random.choice(self.catalog.products)[0])

    def checkout(self):
        scarce = self.catalog.scarce and random.random() < 0.3
        self._add(random.choice(self.catalog.scarce) if scarce else random.choice(self.catalog.products)[0])
        page = self._page("/keranjang/checkout", "checkout page", expect=(200, 302))
        if page.status_code == 302:  # a line sold out meanwhile: accept the cart's changes
            self._post("/keranjang/perbarui", {"csrf_token": self._token()}, "cart update")
            return
        form = hidden_fields(page.text)
        for name in [n for n in form if n.endswith("-shop_id")]:
            form[name.replace("shop_id", "method")] = "pickup"
        placed = self._post("/keranjang/checkout", form, "checkout place")
        match = ORDER_PATH.search(placed.headers.get("Location", ""))
        if match:
            self._pay(match.group(1), form["csrf_token"])

    def _token(self) -> str:
        return hidden_fields(self._page("/keranjang/", "cart").text)["csrf_token"]

    def _pay(self, order_id: str, token: str) -> None:
        start = self._post(f"/pembayaran/{order_id}/mulai", {"csrf_token": token}, "pay start", expect=(303,))
        gateway = start.headers.get("Location", "")
        if "/pembayaran/simulasi/" not in gateway:
            return
        path = gateway[gateway.index("/pembayaran/"):]
        self._page(path, "pay page")
        back = self._post(path, {"csrf_token": token}, "pay confirm")
        done = back.headers.get("Location", "")
        if done:
            self._page(done[done.index("/pembayaran/"):], "pay return", expect=(302,))


class Shopper(Buyer):
    """The mix: 70% browsing, 20% cart, 10% checkout."""

    tasks = {Buyer.search: 25, Buyer.product: 20, Buyer.category: 15, Buyer.home: 10, Buyer.cart: 20,
             Buyer.checkout: 10}


# ------------------------------------------------------------------------------ measuring

@dataclass
class Row:
    name: str
    requests: int
    rps: float
    p50: float
    p99: float
    failures: int


def run_phase(host: str, user_class, users: int, seconds: float) -> tuple[list[Row], float, str]:
    """Start `users`, wait until all have signed in, then measure for `seconds`: the rows, the
    requests per second in all, and the CPU share of the phase."""
    env = Environment(user_classes=[user_class], host=host)
    runner = env.create_local_runner()
    Buyer.signed_in[0] = 0
    runner.start(users, spawn_rate=users)
    deadline = time.monotonic() + 60
    while user_class is not Probe and Buyer.signed_in[0] < users and time.monotonic() < deadline:
        gevent.sleep(0.1)
    gevent.sleep(1)  # warm-up
    env.stats.reset_all()
    print(f"measuring {user_class.__name__} for {seconds:.0f}s", file=sys.stderr, flush=True)
    started, cpu = time.monotonic(), cpu_counters()
    gevent.sleep(seconds)
    elapsed, cpu = time.monotonic() - started, cpu_share(cpu, cpu_counters())
    rows = [Row(entry.name, entry.num_requests, entry.num_requests / elapsed, entry.get_response_time_percentile(0.5),
                entry.get_response_time_percentile(0.99), entry.num_failures)
            for entry in sorted(env.stats.entries.values(), key=lambda e: -e.num_requests)]
    runner.quit()
    for error in env.stats.errors.values():  # what each failed request answered
        print(f"failed: {error.method} {error.name}: {error.error} ×{error.occurrences}", file=sys.stderr)
    for error in runner.exceptions.values():  # a task that raised is an error too
        rows.append(Row(f"exception: {error['msg'][:80]}", error["count"], 0, 0, 0, error["count"]))
    return rows, env.stats.total.num_requests / elapsed, cpu


ALONE = ("search", "category", "product", "home")  # the pages measured alone, in this order


def solo(page: str):
    """A Buyer who does nothing but open `page`."""
    return type(f"Only{page.title()}", (Buyer,), {"tasks": [getattr(Buyer, page)], "abstract": False})


def table(rows: list[Row], ceiling: float | None = None) -> list[str]:
    """Markdown; with `ceiling`, each page's req/s as a share of the ceiling's (pages alone)."""
    ratio = ceiling is not None
    lines = ["| page | requests | req/s | p50 ms | p99 ms | errors |" + (" req/s ÷ ceiling |" if ratio else ""),
             "|---|---:|---:|---:|---:|---:|" + ("---:|" if ratio else "")]
    lines += [f"| {r.name} | {r.requests} | {r.rps:,.0f} | {r.p50:.0f} | {r.p99:.0f} | {r.failures} |"
              + (f" {r.rps / ceiling:.2f} |" if ratio else "") for r in rows]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=16)
    parser.add_argument("--duration", type=float, default=60, help="seconds of the mix")
    parser.add_argument("--solo", type=float, default=10, help="seconds of the ceiling and of each page alone")
    parser.add_argument("--workers", type=int, default=None, help="WEB_CONCURRENCY (default: gunicorn.conf.py's)")
    parser.add_argument("--threads", type=int, default=1, help="GUNICORN_THREADS")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--reuse", action="store_true", help="keep the database of an earlier run")
    parser.add_argument("--redis", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0"),
                        help="Redis for rate limits and the shared page cache ('' for none)")
    parser.add_argument("--think", default="1,3", help="MIN,MAX seconds each user pauses between actions in "
                        "a second mix ('0' skips it)")
    args = parser.parse_args()
    think = tuple(float(x) for x in args.think.split(",")) if args.think not in ("", "0") else None
    url = os.environ.get("BENCH_LOAD_URL", DEFAULT_URL)
    upload_dir = str(Path(tempfile.gettempdir()) / "bebeli-bench-load-uploads")
    about = f"{machine()}; reference loop (5M additions) {reference_loop_seconds():.2f} s"
    if not args.reuse:
        recreate_postgres(url)
        seed(url, upload_dir)
    autovacuum = analyze(url)
    Buyer.catalog, Buyer.logins = read_catalog(url), itertools.count()
    redis_url = redis_or_none(args.redis)
    server = serve(url, upload_dir, args.port, args.workers, args.threads, redis_url)
    host = f"http://127.0.0.1:{args.port}"
    try:
        [ceiling_row], ceiling, ceiling_cpu = run_phase(host, Probe, args.users, args.solo)
        alone = [run_phase(host, solo(page), args.users, args.solo) for page in ALONE]
        before, paid_before = stock_ledger(url)
        mix, mix_rps, mix_cpu = run_phase(host, Shopper, args.users, args.duration)
        paced = None
        if think:
            pacer = type("PacedShopper", (Shopper,), {"wait_time": between(*think)})
            paced = run_phase(host, pacer, args.users, args.duration)
        after, paid_after = stock_ledger(url)
    finally:
        server.terminate()
        server.wait()
        forget_run_keys(redis_url)
    ordered, left, oversold = oversell(before, after)
    workers = args.workers or "gunicorn.conf.py default"
    print(f"\nMachine: {about}\ngunicorn: workers {workers}, threads {args.threads}; {args.users} users; "
          f"PostgreSQL (analyzed after seeding; autovacuum {autovacuum}); Redis {'yes' if redis_url else 'no'}; "
          f"{len(Buyer.catalog.products):,} products\n")
    print("Alone (each page for %ss, signed-in buyers):\n" % args.solo)
    print("\n".join(table([ceiling_row] + [row for rows, _, _ in alone for row in rows if row.name != "login"],
                          ceiling)))
    print("\n" + "; ".join(f"{name}: {cpu}" for name, cpu in [("ceiling", ceiling_cpu)] + [
        (page, cpu) for page, (_, _, cpu) in zip(ALONE, alone)]))
    print(f"\nMix for {args.duration:.0f}s, no think time: {mix_rps:,.0f} req/s in all ({mix_cpu})\n")
    print("\n".join(table([row for row in mix if row.name != "login"])))
    if paced:
        print(f"\nMix for {args.duration:.0f}s, each user pausing {think[0]:g}–{think[1]:g} s between actions: "
              f"{paced[1]:,.0f} req/s in all ({paced[2]})\n")
        print("\n".join(table([row for row in paced[0] if row.name != "login"])))
    print(f"\nOrders paid during the mixes: {paid_after - paid_before}; units ordered {ordered}, units that "
          f"left the stock {left}; oversold units: {oversold}")


if __name__ == "__main__":
    main()
