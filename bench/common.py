"""What the benchmark scripts share: a fresh PostgreSQL database, waiting for gunicorn, and how
much of the machine's CPU a phase had."""
from __future__ import annotations

import statistics
import subprocess
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import sqlalchemy as sa


@contextmanager
def server_connection(url: str, database: str = "postgres") -> Iterator:
    """An autocommit connection to `database` (by default the maintenance database) on `url`'s
    PostgreSQL server."""
    import psycopg

    target = sa.engine.make_url(url)
    with psycopg.connect(dbname=database, autocommit=True, host=target.host or "127.0.0.1",
                         port=target.port or 5432, user=target.username or "postgres",
                         password=target.password) as conn:
        yield conn


def analyze(url: str | sa.engine.URL) -> str:
    """VACUUM ANALYZE `url`'s database, as autovacuum does on a server within a minute of a bulk
    load: without statistics PostgreSQL plans every table as nearly empty (a search then reads
    products through the price index and checks each row's text, ten times slower than through
    the search index). Returns the server's autovacuum setting, for the report."""
    with server_connection(url, sa.engine.make_url(url).database) as conn:
        conn.execute("VACUUM ANALYZE")
        return conn.execute("SHOW autovacuum").fetchone()[0]


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


def cpu_counters() -> list[int] | None:
    """The machine's CPU time so far, in ticks: user, nice, system, idle, iowait, irq, softirq,
    steal (Linux /proc/stat); None elsewhere."""
    try:
        return [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    except (OSError, ValueError):
        return None


def cpu_share(before: list[int] | None, after: list[int] | None) -> str:
    """How busy all cores were between two readings, and how much of the time the hypervisor
    gave to other guests ("steal"): on a shared virtual machine the same code measures slower
    when the host is busy, and this says so next to the figures."""
    if not before or not after:
        return "CPU share unknown"
    delta = [b - a for a, b in zip(before, after)]
    total = sum(delta) or 1
    idle, steal = delta[3] + delta[4], delta[7]
    return f"CPU {100 * (total - idle - steal) / total:.0f}% busy, {100 * steal / total:.0f}% stolen by the host"


def reference_loop_seconds(n: int = 5_000_000) -> float:
    """Seconds a plain Python loop of `n` additions takes now, best of three: the same code
    gives a different figure on a faster or busier machine, and this lets two runs be compared."""
    best = float("inf")
    for _ in range(3):
        started, total = time.perf_counter(), 0
        for i in range(n):
            total += i
        best = min(best, time.perf_counter() - started)
    return best


def timed(fn, runs: int) -> tuple[float, float]:
    """(median, worst) milliseconds of `runs` calls of `fn`, after one warm-up call (the caches
    and the statement cache warm, as a running server's are)."""
    fn()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), max(samples)
