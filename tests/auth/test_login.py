from datetime import timedelta

import pytest

from bebeli.audit.models import AuditEvent
from bebeli.auth.models import LoginThrottle, Role
from bebeli.db import utcnow
from bebeli.extensions import db
from tests.factories import TEST_PASSWORD, AsnFactory, UserFactory

GENERIC = "Email/NIP atau kata sandi salah."
LOCKED = "Terlalu banyak percobaan masuk yang gagal"


def _login(client, identifier, password):
    return client.post_form("/masuk", {"identifier": identifier, "password": password})


def test_login_by_email_case_insensitive(client, ctx):
    user = UserFactory(email="ani@contoh.go.id", roles=[Role.BUYER])
    response = _login(client, "  ANI@contoh.go.id ", TEST_PASSWORD)
    assert response.status_code == 302
    assert client.get("/akun").status_code == 200
    assert db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "auth.login")).actor_id == user.id


def test_login_by_nip_with_spaces(client, ctx):
    asn = AsnFactory(nip="199007212015032001")
    response = _login(client, "19900721 201503 2 001", TEST_PASSWORD)
    assert response.status_code == 302
    assert asn.user.name in client.get("/akun").get_data(as_text=True)


@pytest.mark.parametrize("identifier", ["ani@contoh.go.id", "nobody@contoh.go.id", "199001012015011999"])
def test_wrong_password_and_unknown_account_get_the_same_message(client, ctx, identifier):
    UserFactory(email="ani@contoh.go.id")
    response = _login(client, identifier, "salah-sekali-123")
    assert response.status_code == 200
    assert GENERIC in response.get_data(as_text=True)
    assert client.get("/akun").status_code == 302  # still anonymous


def test_lockout_after_repeated_failures_then_expiry(client, app, ctx):
    user = UserFactory(email="ani@contoh.go.id")
    limit = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(limit - 1):
        assert GENERIC in _login(client, "ani@contoh.go.id", "salah-sekali-123").get_data(as_text=True)
    response = _login(client, "ani@contoh.go.id", "salah-sekali-123")
    assert response.status_code == 403 and LOCKED in response.get_data(as_text=True)

    # Even the right password is refused while locked.
    response = _login(client, "ani@contoh.go.id", TEST_PASSWORD)
    assert response.status_code == 403 and LOCKED in response.get_data(as_text=True)

    # Once the lock expires the right password works and the counter is cleared.
    db.session.expire_all()
    throttle = db.session.get(LoginThrottle, f"user:{user.id}")
    throttle.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert _login(client, "ani@contoh.go.id", TEST_PASSWORD).status_code == 302
    db.session.expire_all()
    assert db.session.get(LoginThrottle, f"user:{user.id}") is None
    assert db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "auth.lockout")) is not None


def test_unknown_accounts_lock_the_same_way(client, app):
    for _ in range(app.config["LOGIN_MAX_FAILURES"] - 1):
        _login(client, "ghost@contoh.go.id", "salah-sekali-123")
    response = _login(client, "ghost@contoh.go.id", "salah-sekali-123")
    assert response.status_code == 403 and LOCKED in response.get_data(as_text=True)


def test_throttling_per_account_returns_429(client, app, ctx):
    UserFactory(email="ani@contoh.go.id")
    app.config.update(LOGIN_LIMIT_PER_ACCOUNT="3 per minute", LOGIN_MAX_FAILURES=100)
    try:
        statuses = [_login(client, "ani@contoh.go.id", "salah-sekali-123").status_code for _ in range(4)]
        # Another account from the same address is still allowed (the IP limit is higher).
        other = _login(client, "budi@contoh.go.id", "salah-sekali-123").status_code
    finally:
        app.config.update(LOGIN_LIMIT_PER_ACCOUNT="10 per minute", LOGIN_MAX_FAILURES=5)
    assert statuses == [200, 200, 200, 429]
    assert other == 200


def test_throttling_per_ip(client, app):
    app.config.update(LOGIN_LIMIT_PER_IP="2 per minute")
    try:
        statuses = [_login(client, f"u{i}@contoh.go.id", "x-salah-12345").status_code for i in range(3)]
    finally:
        app.config.update(LOGIN_LIMIT_PER_IP="20 per minute;200 per hour")
    assert statuses == [200, 200, 429]


def test_inactive_account_cannot_log_in(client, ctx):
    UserFactory(email="ani@contoh.go.id", is_active_account=False)
    response = _login(client, "ani@contoh.go.id", TEST_PASSWORD)
    assert response.status_code == 200 and "dinonaktifkan" in response.get_data(as_text=True)


def test_login_without_csrf_token_is_rejected(client, ctx):
    UserFactory(email="ani@contoh.go.id")
    response = client.post("/masuk", data={"identifier": "ani@contoh.go.id", "password": TEST_PASSWORD})
    assert response.status_code == 400
    assert client.get("/akun").status_code == 302


def test_open_redirect_is_ignored(client, ctx):
    UserFactory(email="ani@contoh.go.id", roles=[Role.BUYER])
    response = client.post_form("/masuk?next=//evil.example/x", {"identifier": "ani@contoh.go.id", "password": TEST_PASSWORD},
                                page="/masuk")
    assert response.status_code == 302 and "evil.example" not in response.headers["Location"]


def test_next_parameter_is_followed(client, ctx):
    UserFactory(email="ani@contoh.go.id", roles=[Role.BUYER])
    response = client.post_form("/masuk?next=/akun", {"identifier": "ani@contoh.go.id", "password": TEST_PASSWORD},
                                page="/masuk")
    assert response.headers["Location"].endswith("/akun")


def test_remember_me_sets_a_persistent_cookie(client, ctx):
    UserFactory(email="ani@contoh.go.id")
    response = client.post_form("/masuk", {"identifier": "ani@contoh.go.id", "password": TEST_PASSWORD, "remember": "y"})
    cookies = response.headers.getlist("Set-Cookie")
    remember = [c for c in cookies if c.startswith("remember_token=")]
    assert remember and "HttpOnly" in remember[0] and "SameSite=Lax" in remember[0]


def test_logout_needs_post_and_csrf(client, ctx):
    user = UserFactory(roles=[Role.BUYER])
    client.login(user)
    assert client.get("/keluar").status_code == 405
    assert client.post("/keluar").status_code == 400  # no token
    assert client.get("/akun").status_code == 200
    client.logout()
    assert client.get("/akun").status_code == 302
