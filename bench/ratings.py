"""The catalog sorted by rating stays on its index: seeds the benchmark catalog (bench/catalog.py's
shops and products), gives a third of the products review aggregates, then prints the query
plans of "Rating tertinggi" (browsing, a category, a text search) as the app runs them, and
checks that browsing the whole catalog by rating walks `ix_products_rating` instead of sorting
every product. Exits 1 when it does not.

    .venv/bin/python bench/ratings.py                          # both backends, 100,000 products
    .venv/bin/python bench/ratings.py --backend sqlite --products 20000

Needs a PostgreSQL server at BENCH_PG for the postgresql pass (database bebeli_bench_ratings).
"""
from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.catalog import _explain, make_app, pg_url, seed  # noqa: E402
from bench.common import analyze, recreate_postgres  # noqa: E402

SQLITE_PATH = Path(tempfile.gettempdir()) / "bebeli-bench-ratings.sqlite3"
INDEX = "ix_products_rating"


def give_ratings(app, seed_value: int = 11) -> int:
    """Review aggregates on every third product (as bebeli.reviews.stats keeps them)."""
    from bebeli.catalog.models import Product
    from bebeli.extensions import db
    from bebeli.reviews.stats import bayesian_milli

    rng = random.Random(seed_value)
    with app.app_context():
        ids = db.session.scalars(sa.select(Product.id).where(Product.id % 3 == 0)).all()
        rows = []
        for product_id in ids:
            dist = [rng.randint(0, 30) for _ in range(5)]
            count, total = sum(dist), sum((i + 1) * n for i, n in enumerate(dist))
            rows.append({"b_id": product_id, "rating_count": count, "rating_sum": total,
                         "rating_score": bayesian_milli(count, total),
                         **{f"rating_{i + 1}": n for i, n in enumerate(dist)}})
        table = Product.__table__
        stmt = sa.update(table).where(table.c.id == sa.bindparam("b_id")).values(
            **{name: sa.bindparam(name) for name in rows[0] if name != "b_id"})
        for start in range(0, len(rows), 5_000):
            db.session.execute(stmt, rows[start:start + 5_000])
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            analyze(db.engine.url)
        else:
            db.session.execute(sa.text("ANALYZE"))
            db.session.commit()
        return len(rows)


def rating_plans(app) -> tuple[list[str], bool]:
    """(Markdown lines, whether browsing by rating used the index)."""
    from bebeli.catalog.models import Category
    from bebeli.catalog.queries import category_ids_under
    from bebeli.catalog.search import SearchFilters, search_products
    from bebeli.extensions import db

    lines, browsing_on_index = [], False
    with app.app_context():
        category = db.session.scalar(sa.select(Category).where(Category.name == "Keripik & Camilan"))
        cases = [("browse the catalog", None, SearchFilters()),
                 ("a category", None, SearchFilters(category_ids=tuple(category_ids_under(category)))),
                 ("4 stars and up", None, SearchFilters(min_rating=4)),
                 ("text “keripik”", "keripik", SearchFilters())]
        for label, query, filters in cases:
            captured = []

            def capture(conn, cursor, statement, parameters, context, executemany):
                captured.append((statement, parameters))

            sa.event.listen(db.engine, "before_cursor_execute", capture)
            try:
                started = time.perf_counter()
                result = search_products(query, filters, "rating")
                elapsed = (time.perf_counter() - started) * 1000
            finally:
                sa.event.remove(db.engine, "before_cursor_execute", capture)
            lines.append(f"\n#### by rating, {label}: {result.page.total:,}{'+' if result.total_is_capped else ''} "
                         f"matches, search_products() {elapsed:.1f} ms\n")
            listing = [(s, p) for s, p in captured if "ORDER BY" in s and " products" in s]
            for statement, parameters in listing:
                plan = _explain(db.session.connection(), statement, parameters)
                lines.append(plan)
                if label == "browse the catalog":
                    browsing_on_index = INDEX in plan
            db.session.rollback()
    return lines, browsing_on_index


def run_backend(backend: str, count: int) -> tuple[list[str], bool]:
    url = f"sqlite:///{SQLITE_PATH}" if backend == "sqlite" else pg_url("bebeli_bench_ratings")
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
        seed(app, count)
        rated = give_ratings(app)
        plans, ok = rating_plans(app)
        head = [f"\n### {backend}, {count:,} products ({rated:,} with reviews)\n",
                f"Browsing by rating walks `{INDEX}`: {'yes ✓' if ok else 'NO ✗'}"]
        return head + plans, ok
    finally:
        shutil.rmtree(upload_dir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--products", type=int, default=100_000)
    args = parser.parse_args()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    lines, all_ok = ["## Catalog by rating: query plans"], True
    for backend in backends:
        found, ok = run_backend(backend, args.products)
        lines += found
        all_ok = all_ok and ok
    print("\n".join(lines))
    sys.exit(0 if all_ok else 1)


if __name__ == "__main__":
    main()
