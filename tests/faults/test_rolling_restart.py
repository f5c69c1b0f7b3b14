"""A code upgrade under a checkout load: scripts/rolling-restart.sh (gunicorn USR2, then TERM
of the old master) loses no request: no connection error, no 5xx (issue 17: a restart during
checkouts gave ~7.6 s of refused connections, 322 errors)."""
import subprocess
import time

import requests

from tests.faults.harness import ROOT, Gunicorn, Load


def test_rolling_restart_under_checkouts_refuses_nothing(fault_db, redis_url):
    with Gunicorn(fault_db.url, redis_url) as server:
        old_master, old_workers = server.master_pid, set(server.workers())
        with Load(server.base, fault_db.buyers[:3], list(fault_db.products)[1]) as load:
            time.sleep(1.5)
            before = load.tally.requests
            started = time.monotonic()
            restart = subprocess.run([str(ROOT / "scripts/rolling-restart.sh"), str(server.pidfile)],
                                     capture_output=True, text=True, timeout=90)
            took = time.monotonic() - started
            during = load.tally.requests - before
            time.sleep(1.5)
        tally = load.tally
        assert restart.returncode == 0, restart.stderr + server.log_tail()
        new_master = server.master_pid
        assert new_master != old_master and not old_workers & set(server.workers())
        assert requests.get(f"{server.base}/readyz", timeout=10).status_code == 200

    print(f"\nrolling restart: {took:.1f} s, {during} requests during it; load: {tally.summary()}")
    assert tally.connection_errors == 0, tally.errors[:5]
    assert tally.server_errors() == 0, tally.statuses
    assert tally.checkouts > 0 and during > 0
    assert fault_db.violations() == []
