"""Database faults under real gunicorn and a checkout load: the app's PostgreSQL connections
terminated mid-stream (a failover, a restarted server), and a worker killed with SIGKILL
mid-checkout. Users see at most a 503 "coba lagi", never another 5xx, and the invariants hold
(issue 17: in-flight requests got a bare 500)."""
from tests.faults.scenarios import database_terminated, workers_killed


def test_terminated_database_connections_answer_503_at_worst(fault_db, redis_url):
    run = database_terminated(fault_db, redis_url)
    tally = run["tally"]
    print(f"\nDB connections terminated ({run['backends ended']} backends): {tally.summary()}")
    assert run["backends ended"] > 0
    assert tally.server_errors(allowed=(503,)) == 0, tally.statuses
    assert tally.connection_errors == 0, tally.errors[:5]
    assert tally.checkouts > 0 and run["readyz after"] == 200
    assert run["violations"] == []


def test_worker_killed_mid_checkout_leaves_the_invariants(fault_db, redis_url):
    run = workers_killed(fault_db, redis_url)
    tally = run["tally"]
    print(f"\nworkers killed with SIGKILL: {run['killed']}; {tally.summary()}")
    assert run["replaced"] and run["readyz after"] == 200
    assert tally.checkouts > 0
    assert tally.server_errors(allowed=(503,)) == 0, tally.statuses
    assert run["violations"] == []
