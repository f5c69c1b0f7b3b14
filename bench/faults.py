"""Issue 17's faults, measured: the app under gunicorn (2 sync workers) on PostgreSQL, with Redis
real, hung (a socket that accepts and never answers) or down (a closed port); the app's database
connections terminated during a checkout load; workers killed with SIGKILL mid-checkout; a
rolling restart (scripts/rolling-restart.sh) under a checkout load.

Builds its own database (never the development or test one) with the real migrations and the
checkout benchmark's seed, and prints Markdown for bench/RESULTS.md: page medians in ms and as a
multiple of /healthz measured in the same run, then one row per fault of the issue's table.
The scenarios are the fault-injection suite's (tests/faults/scenarios.py); the suite asserts on
them, this prints them.

    .venv/bin/python bench/faults.py
    BENCH_FAULTS_URL=postgresql+psycopg://…/other BENCH_REDIS_URL=redis://…/0 .venv/bin/python bench/faults.py
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import cpu_counters, cpu_share  # noqa: E402
from tests.faults.harness import FaultDatabase, FaultyRedis, closed_port_redis_url, redis_answers  # noqa: E402
from tests.faults.scenarios import (  # noqa: E402
    PER_IP,
    database_terminated,
    redis_figures,
    rolling_restart,
    workers_killed,
)

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bebeli_bench_faults"
ATTEMPTS = 26   # guesses from one address on different accounts, as in the issue
PARALLEL = 20   # wrong passwords at once on one account, as in the issue
PAGES = ("catalog", "product", "login page")


def pages_table(runs: dict[str, dict]) -> list[str]:
    lines = ["| page | " + " | ".join(f"{name} ms | × /healthz" for name in runs) + " | hung ÷ normal | down ÷ normal |",
             "|---|" + "---:|---:|" * len(runs) + "---:|---:|"]
    for page in ("healthz", *PAGES):
        cells = []
        for figures in runs.values():
            cells += [f"{figures[page]:.1f}", f"{figures[page] / figures['healthz']:.1f}"]
        ratios = [f"{runs[name][page] / runs['normal'][page]:.2f}" for name in ("Redis hung", "Redis down")]
        lines.append(f"| {page} | " + " | ".join(cells + ratios) + " |")
    return lines


def main() -> None:
    url = os.environ.get("BENCH_FAULTS_URL", DEFAULT_URL)
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
    if not redis_answers(redis_url):
        raise SystemExit(f"no Redis answers at {redis_url}")
    db = FaultDatabase(url).create()
    load_before = os.getloadavg()[0]
    cpu_before = cpu_counters()
    hung = FaultyRedis()
    try:
        runs = {"normal": redis_figures(db, redis_url, attempts=ATTEMPTS, parallel=PARALLEL),
                "Redis hung": redis_figures(db, hung.url, attempts=ATTEMPTS, parallel=PARALLEL)}
        hung_connections = hung.connections()
    finally:
        hung.close()
    runs["Redis down"] = redis_figures(db, closed_port_redis_url(), attempts=ATTEMPTS, parallel=PARALLEL)
    blip = database_terminated(db, redis_url)
    kill = workers_killed(db, redis_url)
    restart = rolling_restart(db, redis_url)
    cpu = cpu_share(cpu_before, cpu_counters())
    db.drop()

    print("\n### Pages (median of 30 requests one after the other; × /healthz of the same run)\n")
    print("\n".join(pages_table(runs)))
    normal, hung_run, down = runs["normal"], runs["Redis hung"], runs["Redis down"]

    def logins(figures: dict) -> str:
        return (f"{figures['guesses checked']} of {ATTEMPTS} guesses on different accounts checked "
                f"(limit {PER_IP}/min per address, 2 workers); {PARALLEL} parallel wrong passwords on one "
                f"account: {figures['parallel checked']} checked (limit 5); a checked login "
                f"{figures['login ms']:.0f} ms (normal {normal['login ms']:.0f} ms); "
                f"{'no 500' if 500 not in figures['login statuses'] else 'a 500'}")

    def worst(figures: dict) -> str:
        return (f"catalog {figures['catalog']:.0f} ms, product {figures['product']:.0f} ms, login page "
                f"{figures['login page']:.0f} ms (normal {normal['catalog']:.0f}/{normal['product']:.0f}/"
                f"{normal['login page']:.0f}; at most ×{max(figures[p] / normal[p] for p in PAGES):.2f})")

    t_blip, t_kill, t_restart = blip["tally"], kill["tally"], restart["tally"]
    print("\n### The issue's table, after\n")
    print("| fault | before (issue 17) | after (this run) |")
    print("|---|---|---|")
    print(f"| Redis hung (accepts, never answers) | uncached pages 4.0–6.2 s instead of 36–375 ms; login 1.3 s; "
          f"every request retries Redis | {worst(hung_run)}; {logins(hung_run)}; the app opened "
          f"{hung_connections} connections to the hung Redis in the whole run; `/readyz` {hung_run['readyz']} "
          f"(redis {hung_run['redis']}) |")
    print(f"| Redis down | `/readyz` 503; per-IP login limit gone (26 of 26 checked); 20 parallel wrong passwords "
          f"got 6 guesses against a limit of 5; development config: every login POST a 500 | `/readyz` "
          f"{down['readyz']} (redis {down['redis']}); {worst(down)}; {logins(down)} (development config) |")
    print(f"| database connections dropped | in-flight requests get a bare 500; nothing retries a read | "
          f"{blip['backends ended']} backends terminated 4 times during a checkout load: {t_blip.summary()}; "
          f"5xx other than 503: {t_blip.server_errors(allowed=(503,))}; invariants: "
          f"{'hold' if not blip['violations'] else blip['violations']} |")
    print("| mail server hung | … | see below |")
    print(f"| restart during checkouts | ~7.6 s of refused connections per server (322 errors) | "
          f"`scripts/rolling-restart.sh` took {restart['seconds']:.1f} s with {restart['requests during']} "
          f"requests during it: {t_restart.connection_errors} connection errors, {t_restart.server_errors()} 5xx "
          f"({t_restart.summary()}); invariants: {'hold' if not restart['violations'] else restart['violations']} |")
    print("| backups | … | see below |")
    print(f"| worker killed (SIGKILL) mid-checkout | no data lost | {kill['killed']} workers killed during a "
          f"checkout load: {t_kill.summary()} (the requests in the killed worker's hands lose their "
          f"connection); 5xx: {t_kill.server_errors()}; invariants: "
          f"{'hold' if not kill['violations'] else kill['violations']} |")
    print(f"\nLoad average before: {load_before:.1f}; during the runs: {cpu}.")


if __name__ == "__main__":
    main()
