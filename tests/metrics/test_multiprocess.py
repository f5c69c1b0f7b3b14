"""Gunicorn's multiprocess mode: every worker writes its own files, a scrape answered by any
worker adds them all up, a dead worker's counters stay and its live gauges go."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
import urllib.request
from pathlib import Path

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from tests.core.test_ops import ROOT, _free_port, _production_env, _wait_until_up
from tests.metrics.helpers import AUTH, TOKEN, value

HEALTHZ = {"endpoint": "main.healthz", "method": "GET", "status": "2xx"}

_WRITER = textwrap.dedent("""
    import sys
    from bebeli import create_app
    app = create_app("testing", METRICS_TOKEN="unused")
    client = app.test_client()
    for _ in range(int(sys.argv[1])):
        assert client.get("/healthz").status_code == 200
""")


def _write_from_a_process(directory: Path, requests: int) -> None:
    env = dict(os.environ, PROMETHEUS_MULTIPROC_DIR=str(directory))
    done = subprocess.run([sys.executable, "-c", _WRITER, str(requests)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]


def test_two_processes_are_added_up_by_the_multiprocess_collector(tmp_path):
    _write_from_a_process(tmp_path, 3)
    _write_from_a_process(tmp_path, 4)
    assert len(list(tmp_path.glob("counter_*.db"))) == 2  # one file per process
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(tmp_path))
    text = generate_latest(registry).decode()
    assert value(text, "bebeli_http_requests_total", **HEALTHZ) == 7
    assert value(text, "bebeli_http_request_duration_seconds_count", **HEALTHZ) == 7


def _get(url: str, headers=None) -> str:
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=10) as response:
        return response.read().decode()


def _worker_pids(directory: Path, master: int) -> set[int]:
    return {int(path.stem.rsplit("_", 1)[1]) for path in directory.glob("counter_*.db")} - {master}


def test_gunicorn_workers_are_added_up_and_a_dead_worker_keeps_its_counts(app, tmp_path):
    directory = tmp_path / "metrics"
    directory.mkdir()
    (directory / "counter_999999.db").write_bytes(b"left over from an earlier run")
    port = _free_port()
    env = dict(_production_env(app, port, f"redis://127.0.0.1:{_free_port()}/0"), WEB_CONCURRENCY="2",
               PROMETHEUS_MULTIPROC_DIR=str(directory), METRICS_TOKEN=TOKEN)
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"], cwd=ROOT,
                              env=env, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(f"{base}/healthz", server)
        assert not (directory / "counter_999999.db").exists()  # emptied at start
        for _ in range(40):
            _get(f"{base}/healthz")
        first = _get(f"{base}/metrics", AUTH)
        assert value(first, "bebeli_http_requests_total", **HEALTHZ) >= 40
        # A scrape touches Redis (readiness, through the breaker): here it is down, the breaker opens.
        assert value(first, "bebeli_dependency_up", dependency="redis") == 0
        assert value(first, "bebeli_redis_breaker_state") == 2

        workers = _worker_pids(directory, server.pid)
        assert workers
        victim = sorted(workers)[0]
        os.kill(victim, signal.SIGKILL)
        deadline = time.monotonic() + 20
        while (directory / f"gauge_livemax_{victim}.db").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not (directory / f"gauge_livemax_{victim}.db").exists()   # its live gauges are gone
        assert (directory / f"counter_{victim}.db").exists()              # its counts stay
        _wait_until_up(f"{base}/healthz", server)
        for _ in range(10):
            _get(f"{base}/healthz")
        second = _get(f"{base}/metrics", AUTH)
        counted = value(second, "bebeli_http_requests_total", **HEALTHZ)
        assert counted >= value(first, "bebeli_http_requests_total", **HEALTHZ) + 10
        # Every /healthz answered is counted exactly once, whichever worker answered it.
        answered = 40 + 10 + 1 + 1  # and the two waits for the server to be up (at least one each)
        assert answered <= counted <= answered + 400
    finally:
        server.terminate()
        server.communicate(timeout=30)
