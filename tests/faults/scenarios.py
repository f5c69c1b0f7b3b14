"""The fault scenarios, each a function that runs it against a FaultDatabase and returns its
figures: the tests in tests/faults assert on them, bench/faults.py prints them."""
from __future__ import annotations

import os
import signal
import statistics
import subprocess
import threading
import time

import requests
import sqlalchemy as sa

from tests.faults.harness import ROOT, Gunicorn, Load, hidden_fields, login_attempts, median_ms

PER_IP = 5  # the login limit per address in these runs ("5 per minute")
PAGES = (("healthz", "/healthz"), ("catalog", "/katalog"), ("product", "/produk/{product}"), ("login page", "/masuk"))


def redis_figures(db, redis_url: str, *, attempts: int = 16, parallel: int = 0, runs: int = 30,
                  per_ip: int = PER_IP) -> dict:
    """Under gunicorn with `redis_url` as Redis: median ms of each page over `runs` requests;
    `attempts` wrong passwords from one address on different accounts, the limit per address
    `per_ip` a minute (how many were checked,
    i.e. not refused with 429, and the median ms of those); with `parallel`, that many wrong
    passwords at once on one account (how many the app checked); /readyz and its Redis field."""
    figures: dict = {}
    with Gunicorn(db.url, redis_url, LOGIN_LIMIT_PER_IP=f"{per_ip} per minute",
                  LOGIN_LIMIT_PER_ACCOUNT="1000 per minute") as server:
        http = requests.Session()
        product = next(iter(db.products))
        for name, url in PAGES:
            figures[name] = median_ms(http, server.base + url.format(product=product), runs)
        answers = login_attempts(server.base, attempts)
        statuses = [status for status, _ in answers]
        figures["login statuses"] = statuses
        figures["login ms"] = statistics.median([ms for status, ms in answers if status != 429])
        figures["guesses checked"] = sum(1 for status in statuses if status != 429)
        figures["last refused"] = statuses[-1] == 429
        ready = requests.get(f"{server.base}/readyz", timeout=10)
        figures["readyz"] = ready.status_code
        figures["redis"] = ready.json()["checks"].get("redis")
    if parallel:  # on a server of its own: here the limit per address must not interfere
        with Gunicorn(db.url, redis_url) as server:
            figures["parallel checked"] = parallel_guesses(server.base, db, parallel)
    return figures


def parallel_guesses(base: str, db, count: int) -> int:
    """`count` wrong passwords for one account sent at the same moment, each from its own
    session. Returns how many the app checked (audit rows auth.login_failed for the account)."""
    email = db.buyers[-1]
    sessions = [requests.Session() for _ in range(count)]
    tokens = [hidden_fields(s.get(f"{base}/masuk", timeout=30).text)["csrf_token"] for s in sessions]
    start = threading.Barrier(count)

    def guess(session, token, n):
        start.wait()
        session.post(f"{base}/masuk", data={"csrf_token": token, "identifier": email, "password": f"tebakan-{n}"},
                     allow_redirects=False, timeout=60)

    threads = [threading.Thread(target=guess, args=(s, t, n)) for n, (s, t) in enumerate(zip(sessions, tokens))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    engine = sa.create_engine(db.url)
    try:
        with engine.connect() as conn:
            user_id = conn.execute(sa.text("SELECT id FROM users WHERE email = :e"), {"e": email}).scalar()
            checked = conn.execute(sa.text("SELECT count(*) FROM audit_events WHERE action = 'auth.login_failed' "
                                           "AND object_id = :id"), {"id": str(user_id)}).scalar()
            conn.execute(sa.text("DELETE FROM login_throttles WHERE key = :k"), {"k": f"user:{user_id}"})
            conn.execute(sa.text("DELETE FROM audit_events WHERE object_id = :id AND action LIKE 'auth.%'"),
                         {"id": str(user_id)})
            conn.commit()
    finally:
        engine.dispose()
    return checked


def database_terminated(db, redis_url: str, *, buyers: slice = slice(0, 4), times: int = 4) -> dict:
    """A checkout and page load while the app's PostgreSQL backends are terminated `times`
    times, 0.5 s apart."""
    ended = []
    with Gunicorn(db.url, redis_url) as server:
        with Load(server.base, db.buyers[buyers], list(db.products)[1]) as load:
            time.sleep(1)
            for _ in range(times):
                ended.append(db.terminate_backends())
                time.sleep(0.5)
            time.sleep(1)
        ready = requests.get(f"{server.base}/readyz", timeout=10).status_code
    return {"tally": load.tally, "backends ended": sum(ended), "readyz after": ready, "violations": db.violations()}


def workers_killed(db, redis_url: str, *, buyers: slice = slice(4, 10), kills: int = 2) -> dict:
    """A checkout load while a gunicorn worker is killed with SIGKILL `kills` times, 1 s apart."""
    killed = []
    with Gunicorn(db.url, redis_url) as server:
        with Load(server.base, db.buyers[buyers], list(db.products)[1]) as load:
            time.sleep(1)
            for _ in range(kills):
                victim = server.workers()[0]
                os.kill(victim, signal.SIGKILL)
                killed.append(victim)
                time.sleep(1)
        ready = requests.get(f"{server.base}/readyz", timeout=10).status_code
        replaced = not set(killed) & set(server.workers())
    return {"tally": load.tally, "killed": len(killed), "replaced": replaced, "readyz after": ready,
            "violations": db.violations()}


def rolling_restart(db, redis_url: str, *, buyers: slice = slice(0, 3), pause: float = 0.05) -> dict:
    """scripts/rolling-restart.sh (a code upgrade: USR2, then TERM of the old master) under a
    checkout and page load. A sync worker told to stop notices it at its next wake-up, up to
    half the worker timeout later: 10 s here, so the old master is gone within ~5 s."""
    with Gunicorn(db.url, redis_url, GUNICORN_TIMEOUT="10") as server:
        old_master, old_workers = server.master_pid, set(server.workers())
        with Load(server.base, db.buyers[buyers], list(db.products)[1], pause=pause) as load:
            time.sleep(1.5)
            before = load.tally.requests
            started = time.monotonic()
            restart = subprocess.run([str(ROOT / "scripts/rolling-restart.sh"), str(server.pidfile)],
                                     capture_output=True, text=True, timeout=120)
            seconds = time.monotonic() - started
            during = load.tally.requests - before
            time.sleep(1.5)
        figures = {"tally": load.tally, "seconds": seconds, "requests during": during,
                   "exit": restart.returncode, "output": restart.stderr + server.log_tail(),
                   "new master": server.master_pid != old_master,
                   "new workers": bool(server.workers()) and not old_workers & set(server.workers()),
                   "readyz after": requests.get(f"{server.base}/readyz", timeout=10).status_code}
    figures["violations"] = db.violations()
    return figures
