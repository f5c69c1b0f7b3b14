"""The app under real gunicorn, on a PostgreSQL database of its own, with Redis real, down or
hung, and real HTTP clients: what the fault-injection suite (tests/faults) and its benchmark
(bench/faults.py) share.

    db = FaultDatabase(url).create()      # migrated, seeded: two shops, two products, buyers
    with Gunicorn(db.url, redis_url, port) as server:
        ...                               # server.base, server.workers(), server.master_pid
    db.violations()                       # the invariants (bebeli.invariants + stock), [] when they hold
"""
from __future__ import annotations

import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import requests
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.checkout import Buyer, hidden_fields, seed  # noqa: E402
from bench.common import recreate_postgres, server_connection  # noqa: E402
from tests.core.test_redis_faults import FaultyRedis  # noqa: E402,F401 - the hung Redis
from tests.pageforms import rendered_form  # noqa: E402

GUNICORN = str(Path(sys.executable).parent / "gunicorn")
SCARCE_UNITS = 10
PLENTY_UNITS = 10_000_000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def closed_port_redis_url() -> str:
    """A Redis URL where nothing listens: connections are refused (Redis down)."""
    return f"redis://127.0.0.1:{free_port()}/0"


def answers(url: str) -> bool:
    """Whether a PostgreSQL server answers at `url` (a SQLAlchemy URL)."""
    try:
        with server_connection(url):
            return True
    except Exception:  # noqa: BLE001 - any failure means "not here"
        return False


def redis_answers(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@dataclass
class FaultDatabase:
    """A fresh database for the app under test, migrated and seeded, with the seeded stock
    remembered for the invariants."""

    url: str
    buyers: list[str] = field(default_factory=list)
    products: dict = field(default_factory=dict)

    def create(self, buyers: int = 12) -> "FaultDatabase":
        recreate_postgres(self.url)
        data = seed(self.url, buyers, SCARCE_UNITS)
        self.buyers = data["emails"]
        self.products = {data["scarce"]: SCARCE_UNITS, data["plenty"]: PLENTY_UNITS}
        return self

    def drop(self) -> None:
        from psycopg import sql

        with server_connection(self.url) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(sa.engine.make_url(self.url).database)))

    def terminate_backends(self) -> int:
        """pg_terminate_backend for every connection the app holds to this database (as a
        failover or a restarted PostgreSQL would); returns how many were ended."""
        name = sa.engine.make_url(self.url).database
        with server_connection(self.url) as conn:
            rows = conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                "WHERE datname = %s AND pid <> pg_backend_pid()", (name,)).fetchall()
        return sum(1 for (ended,) in rows if ended)

    def violations(self) -> list[str]:
        return invariant_violations(self.url, self.products)


def invariant_violations(url: str, initial_stock: dict[int, int]) -> list[str]:
    """Every check of `flask check-invariants` (bebeli.invariants: no order without lines, the
    quota ledger equals the paid orders, …), plus the one only a run that knows the seeded stock
    can make: stock + units in orders = the stock seeded (no order in these runs is cancelled)."""
    from bebeli import invariants

    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            found = [f"{name}: {text}" for name, text in invariants.violations(conn)]
            for product_id, initial in initial_stock.items():
                stock, ordered = conn.execute(sa.text(
                    "SELECT p.stock, (SELECT coalesce(sum(quantity), 0) FROM order_lines WHERE product_id = p.id) "
                    "FROM products p WHERE p.id = :id"), {"id": product_id}).one()
                if stock + ordered != initial:
                    found.append(f"stock: product {product_id}: stock {stock} + ordered {ordered} != seeded {initial}")
    finally:
        engine.dispose()
    return found


class Gunicorn:
    """`gunicorn -c gunicorn.conf.py wsgi:app` on 127.0.0.1:`port`, 2 sync workers, against
    `database_url`, with `redis_url` as page cache and rate-limit store ("" = no Redis)."""

    def __init__(self, database_url: str, redis_url: str = "", *, port: int | None = None, workers: int = 2,
                 **environment: str):
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.workdir = Path(tempfile.mkdtemp(prefix="bebeli-faults-"))
        self.pidfile = self.workdir / "gunicorn.pid"
        self.log = self.workdir / "gunicorn.log"
        prefix = f"bebeli-faults-{uuid.uuid4().hex[:10]}"
        self.env = dict(
            os.environ, BEBELI_CONFIG="development", DATABASE_URL=database_url, REDIS_URL=redis_url,
            SECRET_KEY="faults-" + "x" * 40, STRIPE_SECRET_KEY="", MAIL_BACKEND="log",
            CACHE_KEY_PREFIX=prefix, RATELIMIT_KEY_PREFIX=prefix, UPLOAD_DIR=str(self.workdir / "uploads"),
            BIND=f"127.0.0.1:{self.port}", WEB_CONCURRENCY=str(workers), LOG_LEVEL="warning",
            LOGIN_LIMIT_PER_IP="100000 per minute", LOGIN_LIMIT_PER_ACCOUNT="1000 per minute",
            PYTHONPATH=str(ROOT),
        )
        self.env.pop("TEST_DATABASE_URL", None)
        self.env.update(environment)
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "Gunicorn":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self, seconds: float = 40) -> None:
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [GUNICORN, "-c", str(ROOT / "gunicorn.conf.py"), "--no-control-socket", "-p", str(self.pidfile),
                 "wsgi:app"], cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {self.log_tail()}")
            try:
                if requests.get(f"{self.base}/healthz", timeout=2).status_code == 200 and len(self.workers()) >= 1:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"gunicorn did not start: {self.log_tail()}")

    @property
    def master_pid(self) -> int:
        """The serving master: after a code upgrade (USR2), the new one."""
        try:
            return int(self.pidfile.read_text().strip())
        except (OSError, ValueError):
            return self.process.pid

    def workers(self, master: int | None = None) -> list[int]:
        master = master or self.master_pid
        try:
            return [int(pid) for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split()]
        except OSError:
            return []

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        """gunicorn's quick shutdown (QUIT): the runs are over, nothing is waited for."""
        masters = {self.master_pid}
        if self.process is not None:
            masters.add(self.process.pid)
        for pid in masters:
            try:
                os.kill(pid, signal.SIGQUIT)
            except ProcessLookupError:
                pass
        if self.process is not None:
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and any(_alive(pid) for pid in masters):
            time.sleep(0.1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie of ours counts as gone
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except OSError:
        return False


def median_ms(session: requests.Session, url: str, runs: int = 30) -> float:
    """Median milliseconds of `runs` GETs of `url` one after the other, after one warm-up."""
    session.get(url, timeout=30)
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        answer = session.get(url, timeout=30)
        samples.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 200, (url, answer.status_code)
    return statistics.median(samples)


def login_attempts(base: str, count: int) -> list[tuple[int, float]]:
    """`count` wrong passwords from one address, each for a different account: (status, ms) each."""
    http = requests.Session()
    token = hidden_fields(http.get(f"{base}/masuk", timeout=30).text)["csrf_token"]
    answers = []
    for i in range(count):
        started = time.perf_counter()
        status = http.post(f"{base}/masuk", allow_redirects=False, timeout=30,
                           data={"csrf_token": token, "identifier": f"tamu{i}@faults.bebeli",
                                 "password": "salah-123456"}).status_code
        answers.append((status, (time.perf_counter() - started) * 1000))
    return answers


@dataclass
class Tally:
    """What a load saw: statuses by count, connection errors, and when each error happened."""

    statuses: dict[int, int] = field(default_factory=dict)
    connection_errors: int = 0
    checkouts: int = 0
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def status(self, code: int) -> None:
        with self.lock:
            self.statuses[code] = self.statuses.get(code, 0) + 1

    def failed(self, error: Exception) -> None:
        with self.lock:
            self.connection_errors += 1
            self.errors.append(type(error).__name__)

    @property
    def requests(self) -> int:
        return sum(self.statuses.values()) + self.connection_errors

    def server_errors(self, *, allowed: tuple[int, ...] = ()) -> int:
        return sum(n for code, n in self.statuses.items() if code >= 500 and code not in allowed)

    def summary(self) -> str:
        codes = ", ".join(f"{code}: {n}" for code, n in sorted(self.statuses.items()))
        return (f"{self.requests} requests ({codes}), {self.connection_errors} connection errors, "
                f"{self.checkouts} checkouts")


class Load:
    """Buyers in threads, each in a loop: add a product, open the checkout page, post its form
    as rendered; plus one thread reading catalog pages. Runs until stop()."""

    def __init__(self, base: str, emails: list[str], product_id: int, *, pages: tuple[str, ...] = ("/katalog",),
                 pause: float = 0.05):
        """`pause`: seconds each thread waits between its requests (a steady load that leaves
        the machine some CPU, as a real one does; 0 = as fast as the server answers)."""
        self.base, self.product_id, self.pages, self.pause = base, product_id, pages, pause
        self.buyers = [Buyer(base, email) for email in emails]
        self.tally = Tally()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._shop, args=(b,), daemon=True) for b in self.buyers]
        self._threads.append(threading.Thread(target=self._browse, daemon=True))

    def __enter__(self) -> "Load":
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> Tally:
        self._stop.set()
        for thread in self._threads:
            thread.join(60)
        return self.tally

    def _call(self, http: requests.Session, method: str, url: str, **kwargs) -> requests.Response | None:
        time.sleep(self.pause)
        try:
            answer = http.request(method, self.base + url, timeout=30, allow_redirects=False, **kwargs)
        except requests.RequestException as error:
            self.tally.failed(error)
            time.sleep(0.05)
            return None
        self.tally.status(answer.status_code)
        return answer

    def _shop(self, buyer: Buyer) -> None:
        http = buyer.http
        while not self._stop.is_set():
            cart = self._call(http, "GET", "/keranjang/")
            if cart is None or cart.status_code != 200:
                continue
            token = hidden_fields(cart.text).get("csrf_token")
            if self._call(http, "POST", "/keranjang/tambah",
                          data={"product_id": self.product_id, "quantity": 1, "csrf_token": token}) is None:
                continue
            page = self._call(http, "GET", "/keranjang/checkout")
            if page is None or page.status_code != 200:
                if page is not None and page.status_code in (302, 303):
                    self._call(http, "POST", "/keranjang/perbarui", data={"csrf_token": token})
                continue
            form = rendered_form(page.text, "/keranjang/checkout")  # as rendered: delivery to the office
            answer = self._call(http, "POST", "/keranjang/checkout", data=form.values)
            if answer is not None and answer.status_code == 302 and "/pesanan/" in answer.headers.get("Location", ""):
                with self.tally.lock:
                    self.tally.checkouts += 1

    def _browse(self) -> None:
        http = requests.Session()
        while not self._stop.is_set():
            for page in self.pages:
                self._call(http, "GET", page)
