"""What the metrics cost: the time to answer /healthz with the request instruments on and off,
in one process, with and without gunicorn's multiprocess mode (values in mmap'd files), and
the time to answer a scrape.

    .venv/bin/python bench/metrics.py [requests per round, default 3000]

/healthz is the cheapest route there is, so the ratio is the worst case: the instruments cost
the same few microseconds on a page that takes milliseconds. Rounds alternate on and off so
that a noisy neighbour hurts both sides alike; medians are reported.
"""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ROUNDS = 7

_MEASURE = """
import json, statistics, sys, time
from bebeli import create_app
from bebeli.metrics import instruments

n, rounds = int(sys.argv[1]), int(sys.argv[2])
app = create_app("testing", METRICS_TOKEN="bench")
client = app.test_client()
hooks = (app.before_request_funcs[None], app.after_request_funcs[None])

def instruments_on(on):
    before, after = hooks
    for hook_list, hook in ((before, instruments._start), (after, instruments._observe)):
        if on and hook not in hook_list:
            hook_list.insert(0, hook)
        if not on and hook in hook_list:
            hook_list.remove(hook)

def per_request(on):
    instruments_on(on)
    started = time.perf_counter()
    for _ in range(n):
        client.get("/healthz")
    return (time.perf_counter() - started) / n

for on in (True, False):
    per_request(on)  # warm up
off, on = [], []
for _ in range(rounds):
    off.append(per_request(False))
    on.append(per_request(True))
# The hooks alone, in a request context: what the instruments add to every request, without
# the rest of the request's noise on a shared machine.
from flask import Response
response = Response("ok")
with app.test_request_context("/healthz"):
    from flask import request
    request.url_rule, request.view_args = next(app.url_map.iter_rules("main.healthz")), {}
    hook_times = []
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(n):
            instruments._start()
            instruments._observe(response)
        hook_times.append((time.perf_counter() - started) / n)
instruments_on(True)
scrapes = []
for _ in range(50):
    started = time.perf_counter()
    assert client.get("/metrics", headers={"Authorization": "Bearer bench"}).status_code == 200
    scrapes.append(time.perf_counter() - started)
print(json.dumps({"off_us": statistics.median(off) * 1e6, "on_us": statistics.median(on) * 1e6,
                  "hooks_us": statistics.median(hook_times) * 1e6,
                  "scrape_ms": statistics.median(scrapes) * 1e3}))
"""


def measure(n: int, multiprocess_dir: str | None) -> dict:
    env = dict(os.environ)
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    if multiprocess_dir:
        env["PROMETHEUS_MULTIPROC_DIR"] = multiprocess_dir
    done = subprocess.run([sys.executable, "-c", _MEASURE, str(n), str(ROUNDS)], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    with tempfile.TemporaryDirectory() as directory:
        for label, path in (("single process", None), ("multiprocess (files)", directory)):
            result = measure(n, path)
            hooks, off = result["hooks_us"], result["off_us"]
            print(f"{label:22} /healthz {off:6.1f} µs off, {result['on_us']:6.1f} µs on (end to end); "
                  f"the hooks alone {hooks:4.1f} µs = {(off + hooks) / off:.3f}× /healthz; scrape {result['scrape_ms']:.1f} ms")


if __name__ == "__main__":
    main()
