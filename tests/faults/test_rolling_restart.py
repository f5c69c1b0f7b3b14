"""A code upgrade under a checkout load: scripts/rolling-restart.sh (gunicorn USR2, then TERM
of the old master) loses no request: no connection error, no 5xx (issue 17: a restart during
checkouts gave ~7.6 s of refused connections, 322 errors)."""
from tests.faults.scenarios import rolling_restart


def test_rolling_restart_under_checkouts_refuses_nothing(fault_db, redis_url):
    run = rolling_restart(fault_db, redis_url, pause=0.2)  # a steady load that leaves the new master CPU
    tally = run["tally"]
    print(f"\nrolling restart: {run['seconds']:.1f} s, {run['requests during']} requests during it; {tally.summary()}")
    assert run["exit"] == 0, run["output"]
    assert run["new master"] and run["new workers"] and run["readyz after"] == 200
    assert tally.connection_errors == 0, tally.errors[:5]
    assert tally.server_errors() == 0, tally.statuses
    assert tally.checkouts > 0 and run["requests during"] > 0
    assert run["violations"] == []
