"""What counting product views costs a product page: the same cached page, in one process,
without counting, counting in the worker's memory, and counting in Redis (one HINCRBY).

Each round times REQUESTS product pages (from the page cache, a browser's User-Agent) and as
many /healthz, interleaved, through the Flask test client; the figure is the median of the
rounds of (product page ÷ /healthz), so the machine's speed and load cancel out.

    .venv/bin/python bench/pageviews.py                 # SQLite, Redis at BENCH_REDIS if it answers
    .venv/bin/python bench/pageviews.py --rounds 15 --requests 500

Prints Markdown for bench/RESULTS.md.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/0")
BROWSER = {"User-Agent": "Mozilla/5.0 (Linux; Android 13) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile"}


def make_app(path: Path, redis_url: str):
    from flask_migrate import upgrade

    from bebeli import create_app

    app = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}", REDIS_URL=redis_url,
                     CATALOG_CACHE_SECONDS=3600, CACHE_KEY_PREFIX=f"bebeli-bench-{uuid.uuid4().hex[:8]}",
                     PAGEVIEWS_DRAIN_SECONDS=3600, RATELIMIT_ENABLED=False)
    with app.app_context():
        upgrade()
    return app


def seed(app) -> str:
    from bebeli.catalog.models import CatalogState
    from bebeli.extensions import db
    from tests.factories import ProductFactory

    with app.app_context():
        db.session.merge(CatalogState(id=1, generation=0))
        product = ProductFactory(name="Kopi Robusta Bubuk")
        db.session.commit()
        return f"/produk/{product.id}/{product.slug}"


def timed(client, path: str, n: int) -> float:
    started = time.perf_counter()
    for _ in range(n):
        client.get(path, headers=BROWSER)
    return (time.perf_counter() - started) / n


def set_counting(app, on: bool) -> None:
    from bebeli.pageviews.views import count_product_view

    funcs = app.after_request_funcs.setdefault(None, [])
    if not on and count_product_view in funcs:
        funcs.remove(count_product_view)
    elif on and count_product_view not in funcs:
        funcs.append(count_product_view)


def measure(app, path: str, rounds: int, requests: int) -> dict[bool, tuple[float, float, float]]:
    """Per counting off/on: (median ratio product ÷ /healthz, median µs of a product page,
    median µs of /healthz). Each round times /healthz, the page without and the page with
    counting back to back, so the machine's drift hits all three alike."""
    client = app.test_client()
    assert client.get(path, headers=BROWSER).status_code == 200
    assert client.get(path, headers=BROWSER).headers.get("X-Cache") == "HIT"
    seen = {False: ([], [], []), True: ([], [], [])}
    for index in range(rounds):
        order = (False, True) if index % 2 == 0 else (True, False)
        health = timed(client, "/healthz", requests)
        for counting in order:
            set_counting(app, counting)
            page = timed(client, path, requests)
            ratios, pages, healths = seen[counting]
            ratios.append(page / health)
            pages.append(page * 1e6)
            healths.append(health * 1e6)
    set_counting(app, True)
    return {counting: tuple(statistics.median(values) for values in lists) for counting, lists in seen.items()}


def hook_cost(app, path: str, calls: int = 20_000) -> float:
    """µs of the counting itself (the after-request hook on a product page's 200, a browser's
    User-Agent, a visitor), timed alone: what the page comparison above measures, without its noise."""
    from flask import Response

    from bebeli.pageviews.views import count_product_view

    with app.test_request_context(path, headers=BROWSER):
        app.preprocess_request()
        response = Response("ok")
        count_product_view(response)
        started = time.perf_counter()
        for _ in range(calls):
            count_product_view(response)
        return (time.perf_counter() - started) / calls * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=21)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()

    import redis

    try:
        redis.Redis.from_url(REDIS, socket_timeout=1).ping()
        redis_url = REDIS
    except redis.RedisError:
        redis_url = ""
    rows, hooks = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for label, url in (("memory", ""), ("Redis", redis_url)):
            if label == "Redis" and not url:
                print(f"(no Redis at {REDIS}: the Redis rows are left out)", file=sys.stderr)
                continue
            app = make_app(Path(tmp) / f"{label}.sqlite3", url)
            path = seed(app)
            results = measure(app, path, args.rounds, args.requests)
            for counting in (False, True):
                rows.append((label, counting, *results[counting]))
            hooks.append((label, hook_cost(app, path), results[False][1]))
            if url:
                import redis as redis_module

                client = redis_module.Redis.from_url(url)
                for name in client.scan_iter(f"{app.config['CACHE_KEY_PREFIX']}:*"):
                    client.delete(name)

    print(f"Product page from the page cache, Flask test client, {args.rounds} rounds × {args.requests} requests "
          f"of each (/healthz, page without and with counting, back to back), median:\n")
    print("| Counter store | Counting | Product page (µs) | /healthz (µs) | Page ÷ /healthz | vs. without |")
    print("|---|---|---:|---:|---:|---:|")
    for label, counting, ratio, page, health in rows:
        base = next(r[2] for r in rows if r[0] == label and not r[1])
        print(f"| {label} | {'yes' if counting else 'no'} | {page:.0f} | {health:.0f} | {ratio:.3f} | "
              f"{(ratio / base - 1) * 100:+.1f} % |")
    print("\nThe counting alone (the after-request hook, 20,000 calls in one request context):\n")
    print("| Counter store | Hook (µs per view) | Share of a cached product page |")
    print("|---|---:|---:|")
    for label, cost, page in hooks:
        print(f"| {label} | {cost:.1f} | {cost / page * 100:.1f} % |")


if __name__ == "__main__":
    main()
