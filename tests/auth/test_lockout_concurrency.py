"""Wrong passwords sent all at once: the lockout counter is claimed atomically before a password
is checked, so at most LOGIN_MAX_FAILURES guesses are ever checked, however many arrive together
(issue 17: 20 parallel wrong passwords got 6 guesses against a limit of 5)."""
import threading
import time

import pytest

from bebeli.audit.models import AuditEvent
from bebeli.auth import services
from bebeli.auth.models import LoginThrottle
from bebeli.extensions import db
from tests.conftest import run_in_threads
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.concurrent

PARALLEL = 20


@pytest.fixture
def checked_passwords(monkeypatch):
    """Every password the app checks, slowed to a production hash's cost so that attempts overlap."""
    checked: list[str] = []
    lock = threading.Lock()
    real = services.verify_password

    def verify(user, password):
        with lock:
            checked.append(password)
        time.sleep(0.03)
        return real(user, password)

    monkeypatch.setattr(services, "verify_password", verify)
    return checked


@pytest.fixture
def generous_rate_limits(app):
    app.config.update(LOGIN_LIMIT_PER_ACCOUNT="1000 per minute", LOGIN_LIMIT_PER_IP="1000 per minute")
    yield
    app.config.update(LOGIN_LIMIT_PER_ACCOUNT="10 per minute", LOGIN_LIMIT_PER_IP="20 per minute;200 per hour")


def _parallel_logins(app, identifier: str, passwords: list[str]) -> list[int]:
    clients = [app.test_client() for _ in passwords]
    tokens = [client.csrf_token() for client in clients]
    start = threading.Barrier(len(passwords), timeout=30)
    statuses: list[int] = []

    def attempt(client, token, password):
        start.wait()
        response = client.post("/masuk", data={"csrf_token": token, "identifier": identifier, "password": password})
        statuses.append(response.status_code)

    run_in_threads(attempt, list(zip(clients, tokens, passwords)))
    return statuses


@pytest.mark.usefixtures("generous_rate_limits")
def test_parallel_wrong_passwords_check_at_most_the_limit(app, ctx, checked_passwords):
    user = UserFactory(email="ani@contoh.go.id")
    db.session.commit()
    limit = app.config["LOGIN_MAX_FAILURES"]

    statuses = _parallel_logins(app, "ani@contoh.go.id", [f"tebakan-salah-{i}" for i in range(PARALLEL)])

    assert len(statuses) == PARALLEL and 500 not in statuses
    assert len(checked_passwords) == limit, f"{len(checked_passwords)} guesses checked against a limit of {limit}"
    assert statuses.count(403) == PARALLEL - limit + 1  # the one that reached the limit, and every later one
    db.session.rollback()
    throttle = db.session.get(LoginThrottle, f"user:{user.id}")
    assert throttle.failures == limit and throttle.locked_until is not None
    failed = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "auth.login_failed")).all()
    assert sorted(event.details["failures"] for event in failed) == list(range(1, limit + 1))

    # Locked: even the right password is not checked.
    assert _parallel_logins(app, "ani@contoh.go.id", [TEST_PASSWORD]) == [403]
    assert len(checked_passwords) == limit


@pytest.mark.usefixtures("generous_rate_limits")
def test_parallel_guesses_at_an_unknown_account_are_limited_the_same_way(app, checked_passwords):
    limit = app.config["LOGIN_MAX_FAILURES"]
    statuses = _parallel_logins(app, "hantu@contoh.go.id", [f"tebakan-{i}" for i in range(PARALLEL)])
    assert len(checked_passwords) == limit
    assert statuses.count(200) == limit - 1 and statuses.count(403) == PARALLEL - limit + 1


@pytest.mark.usefixtures("generous_rate_limits")
def test_the_right_password_among_wrong_ones_clears_the_count(app, ctx, checked_passwords):
    user = UserFactory(email="ani@contoh.go.id")
    db.session.commit()
    statuses = _parallel_logins(app, "ani@contoh.go.id", ["salah-satu-123", TEST_PASSWORD, "salah-dua-456"])
    assert sorted(statuses) == [200, 200, 302]
    db.session.rollback()
    throttle = db.session.get(LoginThrottle, f"user:{user.id}")
    assert throttle is None or (throttle.failures <= 2 and throttle.locked_until is None)
