"""Check that the PostgreSQL test server answers and create the test database if missing.

Exit 0 when the database is ready, 1 (with the reason printed) when it is not.
"""
from __future__ import annotations

import sys

from sqlalchemy.engine import make_url


def main(url: str) -> int:
    try:
        import psycopg
        from psycopg import sql
    except ImportError as exc:  # pragma: no cover
        print(f"psycopg is not installed: {exc}")
        return 1
    target = make_url(url)
    if target.get_backend_name() != "postgresql" or not target.database:
        print(f"not a PostgreSQL database URL: {url}")
        return 1
    params = dict(host=target.host or "127.0.0.1", port=target.port or 5432, user=target.username or "postgres",
                  password=target.password, connect_timeout=3)
    try:
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (target.database,)).fetchone()
            if not exists:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(target.database)))
                print(f"created database {target.database}")
    except psycopg.Error as exc:
        print(f"PostgreSQL at {params['host']}:{params['port']} did not answer: {str(exc).strip()}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
