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


def measure(app, path: str, rounds: int, requests: int, counting: bool) -> tuple[float, float, float]:
    """(median ratio product ÷ /healthz, median µs of a product page, median µs of /healthz)."""
    from bebeli.pageviews.views import count_product_view

    funcs = app.after_request_funcs.setdefault(None, [])
    if not counting and count_product_view in funcs:
        funcs.remove(count_product_view)
    elif counting and count_product_view not in funcs:
        funcs.append(count_product_view)
    client = app.test_client()
    assert client.get(path, headers=BROWSER).status_code == 200
    assert client.get(path, headers=BROWSER).headers.get("X-Cache") == "HIT"
    ratios, pages, healths = [], [], []
    for _ in range(rounds):
        page, health = timed(client, path, requests), timed(client, "/healthz", requests)
        ratios.append(page / health)
        pages.append(page * 1e6)
        healths.append(health * 1e6)
    return statistics.median(ratios), statistics.median(pages), statistics.median(healths)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=11)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()

    import redis

    try:
        redis.Redis.from_url(REDIS, socket_timeout=1).ping()
        redis_url = REDIS
    except redis.RedisError:
        redis_url = ""
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for label, url in (("memory", ""), ("Redis", redis_url)):
            if label == "Redis" and not url:
                print(f"(no Redis at {REDIS}: the Redis rows are left out)", file=sys.stderr)
                continue
            app = make_app(Path(tmp) / f"{label}.sqlite3", url)
            path = seed(app)
            # Alternate without and with counting, so drift in the machine's load hits both.
            results = {False: [], True: []}
            for _ in range(3):
                for counting in (False, True):
                    results[counting].append(measure(app, path, args.rounds, args.requests, counting))
            for counting in (False, True):
                ratio = statistics.median(r[0] for r in results[counting])
                page = statistics.median(r[1] for r in results[counting])
                health = statistics.median(r[2] for r in results[counting])
                rows.append((label, counting, ratio, page, health))
            if url:
                import redis as redis_module

                client = redis_module.Redis.from_url(url)
                for name in client.scan_iter(f"{app.config['CACHE_KEY_PREFIX']}:*"):
                    client.delete(name)

    print(f"Product page from the page cache, Flask test client, {args.rounds} rounds × {args.requests} requests "
          f"× 3 alternations, median:\n")
    print("| Counter store | Counting | Product page (µs) | /healthz (µs) | Page ÷ /healthz | vs. without |")
    print("|---|---|---:|---:|---:|---:|")
    for label, counting, ratio, page, health in rows:
        base = next(r[2] for r in rows if r[0] == label and not r[1])
        print(f"| {label} | {'yes' if counting else 'no'} | {page:.0f} | {health:.0f} | {ratio:.3f} | "
              f"{(ratio / base - 1) * 100:+.1f} % |")


if __name__ == "__main__":
    main()
