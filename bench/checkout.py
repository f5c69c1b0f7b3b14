"""Concurrent checkouts against gunicorn on 127.0.0.1 with PostgreSQL.

Builds its own database (never the development or test one) with the real migrations, seeds
buyers, two shops and two products, starts gunicorn, and drives the real pages over HTTP:

1. race — every buyer has the scarce product in the cart; all of them press "Buat pesanan"
   at the same moment for the last few units;
2. load — virtual buyers add a product, open the checkout page and check out, in a loop.

It prints checkouts per second, latency percentiles of the checkout POST, and the oversell
count: units in orders beyond what left the stock, plus any negative stock (must be 0).

    .venv/bin/python bench/checkout.py                          # defaults below
    .venv/bin/python bench/checkout.py --users 60 --units 10 --duration 30 --workers 2 --threads 4
    BENCH_CHECKOUT_URL=postgresql+psycopg://…/other .venv/bin/python bench/checkout.py
"""
from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import analyze, recreate_postgres, wait_until_serving  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bebeli_bench_checkout"
PASSWORD = "bench-password-123"
HIDDEN = re.compile(r'<input[^>]*type="hidden"[^>]*>')
NAME_VALUE = re.compile(r'name="([^"]+)"[^>]*value="([^"]*)"|value="([^"]*)"[^>]*name="([^"]+)"')


def seed(url: str, buyers: int, units: int) -> dict:
    """Schema from the migrations; buyers with the scarce product already in their carts."""
    from flask_migrate import upgrade

    from bebeli import create_app
    from bebeli.auth.models import Role, RoleAssignment, User
    from bebeli.auth.services import hash_password
    from bebeli.cart.models import CartLine
    from bebeli.catalog.models import Category, Product, ProductStatus
    from bebeli.db import utcnow
    from bebeli.directory.models import Agency, AsnProfile
    from bebeli.extensions import db
    from bebeli.sellers.models import Shop, ShopStatus

    app = create_app("testing", SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        upgrade()
        password = hash_password(PASSWORD)  # once: Argon2 is slow on purpose
        agency = Agency(code="BENCH", name="Dinas Uji Beban", address="Jl. Uji Beban No. 1")
        category = Category(name="Uji", slug="uji")
        db.session.add_all([agency, category])
        shops = []
        for n in (1, 2):
            owner = User(email=f"penjual{n}@bench.bebeli", name=f"Penjual {n}", password_hash=password,
                         roles=[RoleAssignment(role=Role.SELLER)])
            shops.append(Shop(owner=owner, name=f"Toko Uji {n}", slug=f"toko-uji-{n}", owner_name=owner.name,
                              nik=f"32160155069{n}0001", nib=f"120000000000{n}", address="Jl. Pasar 1",
                              kecamatan="Cikarang Utara", phone=f"6281200000{n:03d}", status=ShopStatus.VERIFIED,
                              is_local=True, delivery_fee_amount=10_000))
        scarce = Product(shop=shops[0], category=category, name="Batik Edisi Terbatas", slug="batik-terbatas",
                         price_amount=250_000, stock=units, status=ProductStatus.PUBLISHED, published_at=utcnow())
        plenty = Product(shop=shops[1], category=category, name="Keripik Pisang", slug="keripik",
                         price_amount=18_000, stock=10_000_000, status=ProductStatus.PUBLISHED, published_at=utcnow())
        db.session.add_all([*shops, scarce, plenty])
        db.session.flush()
        emails = []
        for i in range(buyers):
            user = User(email=f"asn{i}@bench.bebeli", name=f"ASN {i}", password_hash=password,
                        roles=[RoleAssignment(role=Role.BUYER)])
            nip = f"199001{1 + i // 999:02d}201503{1}{1 + i % 999:03d}"
            db.session.add(AsnProfile(user=user, nip=nip, agency=agency))
            db.session.flush()
            db.session.add(CartLine(buyer_id=user.id, product_id=scarce.id, quantity=1,
                                    price_seen_amount=scarce.price_amount))
            emails.append(user.email)
        db.session.commit()
        ids = {"scarce": scarce.id, "plenty": plenty.id}
    with app.app_context():
        db.engine.dispose()
    return {"emails": emails, **ids}


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn binds
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def start_server(url: str, port: int, workers: int, threads: int) -> subprocess.Popen:
    if not port_is_free(port):  # never measure some other server by mistake
        raise SystemExit(f"port {port} is in use; pass --port")
    env = dict(os.environ, DATABASE_URL=url, SECRET_KEY="bench-" + "x" * 40, BEBELI_CONFIG="development",
               LOGIN_LIMIT_PER_IP="100000 per minute", LOGIN_LIMIT_PER_ACCOUNT="1000 per minute",
               STRIPE_SECRET_KEY="", MAIL_BACKEND="log")
    # The app logs every request: to a file, as a pipe nobody reads would fill and stall it.
    log = tempfile.NamedTemporaryFile(prefix="bebeli-bench-checkout-", suffix=".log", delete=False)
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "--no-control-socket", "-w", str(workers), "--threads", str(threads),
         "-b", f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    wait_until_serving(server, port, seconds=20, hint=log.name)
    return server


def hidden_fields(html: str) -> dict:
    fields = {}
    for tag in HIDDEN.findall(html):
        match = NAME_VALUE.search(tag)
        if match:
            name, value = (match.group(1), match.group(2)) if match.group(1) else (match.group(4), match.group(3))
            fields[name] = value
    return fields


class Buyer:
    def __init__(self, base: str, email: str):
        self.base, self.http = base, requests.Session()
        page = self.http.get(f"{base}/masuk").text
        token = hidden_fields(page)["csrf_token"]
        answer = self.http.post(f"{base}/masuk", data={"identifier": email, "password": PASSWORD, "csrf_token": token},
                                allow_redirects=False)
        if answer.status_code != 302:
            raise SystemExit(f"login failed for {email}: {answer.status_code}")

    def checkout_form(self) -> dict | None:
        """The checkout page's form: every shop picked up at the shop (no address needed)."""
        page = self.http.get(f"{self.base}/keranjang/checkout", allow_redirects=False)
        if page.status_code != 200:
            return None
        form = hidden_fields(page.text)
        for name in [n for n in form if n.endswith("-shop_id")]:
            form[name.replace("shop_id", "method")] = "pickup"
        return form

    def checkout(self, form: dict) -> tuple[float, bool]:
        started = time.perf_counter()
        answer = self.http.post(f"{self.base}/keranjang/checkout", data=form, allow_redirects=False)
        elapsed = time.perf_counter() - started
        return elapsed, answer.status_code == 302 and "/pesanan/" in answer.headers.get("Location", "")

    def accept_changes(self) -> None:
        """What a buyer does when the cart shows a sold-out line: update the cart."""
        token = hidden_fields(self.http.get(f"{self.base}/keranjang/").text)["csrf_token"]
        self.http.post(f"{self.base}/keranjang/perbarui", data={"csrf_token": token}, allow_redirects=False)

    def add(self, product_id: int) -> None:
        token = hidden_fields(self.http.get(f"{self.base}/keranjang/").text)["csrf_token"]
        self.http.post(f"{self.base}/keranjang/tambah", allow_redirects=False,
                       data={"product_id": product_id, "quantity": 1, "csrf_token": token})


def race(buyers: list[Buyer]) -> tuple[list[float], int]:
    forms = [buyer.checkout_form() for buyer in buyers]
    start = threading.Barrier(len(buyers))
    results: list[tuple[float, bool]] = []

    def go(buyer, form):
        start.wait()
        results.append(buyer.checkout(form))

    threads = [threading.Thread(target=go, args=pair) for pair in zip(buyers, forms)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [r[0] for r in results], sum(r[1] for r in results)


def load(buyers: list[Buyer], product_id: int, seconds: float) -> tuple[list[float], int, float]:
    deadline = time.perf_counter() + seconds
    latencies: list[float] = []
    placed = [0]
    lock = threading.Lock()

    def loop(buyer):
        while time.perf_counter() < deadline:
            buyer.add(product_id)
            form = buyer.checkout_form()
            if form is None:
                buyer.accept_changes()
                continue
            elapsed, ok = buyer.checkout(form)
            with lock:
                latencies.append(elapsed)
                placed[0] += ok

    started = time.perf_counter()
    threads = [threading.Thread(target=loop, args=(buyer,)) for buyer in buyers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, placed[0], time.perf_counter() - started


def oversell(url: str, product_id: int, initial: int) -> tuple[int, int, int]:
    """(units in orders, units that left the stock, oversold units) for one product."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        stock = conn.execute(sa.text("SELECT stock FROM products WHERE id = :id"), {"id": product_id}).scalar()
        ordered = conn.execute(sa.text("SELECT coalesce(sum(quantity), 0) FROM order_lines WHERE product_id = :id"),
                               {"id": product_id}).scalar()
    engine.dispose()
    return ordered, initial - stock, max(0, ordered - (initial - stock)) + max(0, -stock)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] * 1000 if ordered else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=40, help="buyers racing for the scarce product")
    parser.add_argument("--units", type=int, default=10, help="units of the scarce product")
    parser.add_argument("--virtual", type=int, default=8, help="concurrent buyers in the load phase")
    parser.add_argument("--duration", type=float, default=20, help="seconds of the load phase")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    url = os.environ.get("BENCH_CHECKOUT_URL", DEFAULT_URL)

    recreate_postgres(url)
    data = seed(url, args.users, args.units)
    analyze(url)  # statistics, as autovacuum would have them
    server = start_server(url, args.port, args.workers, args.threads)
    try:
        base = f"http://127.0.0.1:{args.port}"
        buyers = [Buyer(base, email) for email in data["emails"]]
        race_latencies, race_won = race(buyers)
        latencies, placed, elapsed = load(buyers[: args.virtual], data["plenty"], args.duration)
    finally:
        server.terminate()
        server.wait(10)
    sold, left_stock, oversold = oversell(url, data["scarce"], args.units)
    plenty_sold, plenty_left, plenty_over = oversell(url, data["plenty"], 10_000_000)

    print(f"\n## Checkout — gunicorn {args.workers} workers × {args.threads} threads, PostgreSQL, 127.0.0.1\n")
    print("| phase | checkouts | per second | p50 ms | p95 ms | p99 ms |")
    print("|---|---|---|---|---|---|")
    print(f"| race: {args.users} buyers, {args.units} units, at once | {race_won} won / {args.users} "
          f"| – | {percentile(race_latencies, 50):.0f} | {percentile(race_latencies, 95):.0f} "
          f"| {percentile(race_latencies, 99):.0f} |")
    print(f"| load: {args.virtual} buyers for {elapsed:.0f} s | {placed} "
          f"| {placed / elapsed:.1f} | {percentile(latencies, 50):.0f} | {percentile(latencies, 95):.0f} "
          f"| {percentile(latencies, 99):.0f} |")
    print(f"\nScarce product: {sold} units in orders, {left_stock} left the stock, oversold {oversold}. "
          f"Plenty product: {plenty_sold} in orders, {plenty_left} left the stock, oversold {plenty_over}.")
    if race_won != args.units or oversold or plenty_over:
        raise SystemExit("OVERSELL OR LOST SALE DETECTED")


if __name__ == "__main__":
    main()
