"""Point-in-time recovery, rehearsed for real (scripts/pitr-drill.sh): a throwaway PostgreSQL
cluster archives its WAL with pgBackRest, is backed up, gets the schema and the demo data, is
damaged after a time T, and is restored to T; what was written before T is back, what came after
is gone, and `flask check-invariants` passes.

Needs pgbackrest and PostgreSQL's server binaries (skipped without them; `make test` installs
pgbackrest when it can). It builds its own cluster, so it runs in the SQLite pass only."""
from __future__ import annotations

import glob
import os
import pwd
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from bebeli.invariants import CHECKS

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _drill_or_skip() -> str:
    if os.environ.get("TEST_DATABASE_URL"):
        pytest.skip("the recovery drill makes its own cluster: it runs in the SQLite pass only")
    if not shutil.which("pgbackrest"):
        pytest.skip("pgbackrest is not installed (apt-get install pgbackrest)")
    binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not binaries:
        pytest.skip("PostgreSQL's server binaries (initdb) are not installed")
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("as root the drill's cluster needs a 'postgres' user to run as")
    return str(Path(binaries[-1]).parent)


@pytest.mark.pitr
def test_restore_to_a_point_in_time_keeps_what_came_before_and_the_invariants_hold():
    pgbin = _drill_or_skip()
    env = {**os.environ, "PORT": str(_free_port()), "PGBIN": pgbin, "PYTHON": sys.executable}
    for name in ("DATABASE_URL", "BEBELI_CONFIG", "REDIS_URL"):
        env.pop(name, None)
    done = subprocess.run([str(ROOT / "scripts" / "pitr-drill.sh")], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "violations found (exit 1)" in output  # the damage after T was seen before the restore
    assert f"OK: {len(CHECKS)} invariant check(s) hold" in output
    figures = dict(re.findall(r"(\w+)=(\S+)", output.split("PITR-DRILL OK", 1)[1]))
    assert int(figures["orders"]) >= 3 and int(figures["lines"]) >= int(figures["orders"])
    assert int(figures["wal_segments_archived"]) >= 1
    print(output)  # the figures, with -s
