"""What the benchmark scripts share: a fresh PostgreSQL database, and waiting for gunicorn."""
from __future__ import annotations

import subprocess
import time
import urllib.request
from contextlib import contextmanager
from typing import Iterator

import sqlalchemy as sa


@contextmanager
def server_connection(url: str) -> Iterator:
    """An autocommit connection to the maintenance database of `url`'s PostgreSQL server."""
    import psycopg

    target = sa.engine.make_url(url)
    with psycopg.connect(dbname="postgres", autocommit=True, host=target.host or "127.0.0.1",
                         port=target.port or 5432, user=target.username or "postgres",
                         password=target.password) as conn:
        yield conn


def recreate_postgres(url: str) -> None:
    """Drop `url`'s database if it exists and create it empty (never the dev or test one)."""
    from psycopg import sql

    name = sql.Identifier(sa.engine.make_url(url).database)
    with server_connection(url) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(name))


def wait_until_serving(process: subprocess.Popen, port: int, *, seconds: float = 60, hint: str = "") -> None:
    """Return once /healthz answers on `port`; otherwise stop the server and raise."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5).read()
            return
        except OSError:  # not bound yet, or bound while the workers still boot
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("gunicorn did not start" + (f"; see {hint}" if hint else ""))
