"""Two-step login for administrators: enrolment with a QR code, the code step after the
password, single use of codes, lockout and rate limits, recovery codes."""
from __future__ import annotations

import re
import threading
import time

import pyotp
import pytest

from bebeli.audit.models import AuditEvent
from bebeli.auth.models import RecoveryCode, Role, RoleAssignment, User
from bebeli.extensions import db
from tests.conftest import run_in_threads
from tests.factories import TEST_PASSWORD, TEST_TOTP_SECRET, UserFactory

VERIFY = "/masuk/verifikasi"
ENROL = "/masuk/aktifkan-dua-langkah"
USED_OR_WRONG = "Kode verifikasi salah atau sudah dipakai."
LOCKED = "Terlalu banyak percobaan masuk yang gagal"


def _password(client, user, next_url: str = ""):
    return client.post_form("/masuk" + next_url, {"identifier": user.email, "password": TEST_PASSWORD}, page="/masuk")


def _code(secret: str = TEST_TOTP_SECRET, steps_ahead: int = 0) -> str:
    totp = pyotp.TOTP(secret)
    return totp.at(time.time() + steps_ahead * totp.interval)


def _submit(client, code: str, url: str = VERIFY, page: str | None = None):
    return client.post_form(url, {"code": code}, page=page)


def _signed_in(client) -> bool:
    return client.get("/akun").status_code == 200


def _actions() -> list[str]:
    return db.session.scalars(db.select(AuditEvent.action).order_by(AuditEvent.id)).all()


def test_an_administrator_is_not_signed_in_until_the_code_is_verified(client, ctx):
    admin = UserFactory(roles=[Role.ADMIN])
    response = _password(client, admin)
    assert response.status_code == 302 and response.location.endswith(VERIFY)
    assert not _signed_in(client)
    assert client.get("/admin/").status_code == 302

    response = _submit(client, _code())
    assert response.status_code == 302 and response.location.endswith("/admin/")
    assert _signed_in(client) and client.get("/admin/").status_code == 200
    assert "auth.totp_verified" in _actions()


def test_other_roles_sign_in_with_the_password_alone(client, ctx):
    buyer = UserFactory(roles=[Role.BUYER])
    response = _password(client, buyer)
    assert response.status_code == 302 and VERIFY not in response.location
    assert _signed_in(client)


def test_a_code_works_only_once(client, other_client, ctx):
    admin = UserFactory(roles=[Role.ADMIN])
    code = _code()
    _password(client, admin)
    assert _submit(client, code).status_code == 302

    # Someone who watched the code (and knows the password) cannot use it again,
    # nor the code of the step before.
    _password(other_client, admin)
    for replay in (code, _code(steps_ahead=-1)):
        response = _submit(other_client, replay)
        assert response.status_code == 400 and USED_OR_WRONG in response.get_data(as_text=True)
    assert not _signed_in(other_client)
    assert _submit(other_client, _code(steps_ahead=1)).status_code == 302  # the next one is fine


def test_the_same_code_sent_twice_at_once_signs_in_only_once(app, ctx):
    admin = UserFactory(roles=[Role.ADMIN])
    clients = [app.test_client() for _ in range(2)]
    tokens = []
    for c in clients:
        _password(c, admin)
        tokens.append(c.csrf_token(VERIFY))
    code, start, statuses = _code(), threading.Barrier(2), []

    def submit(c, token):
        start.wait(5)
        statuses.append(c.post(VERIFY, data={"code": code, "csrf_token": token}).status_code)

    run_in_threads(submit, zip(clients, tokens), timeout=30)
    assert sorted(statuses) == [302, 400]


def test_wrong_codes_lock_the_account_like_wrong_passwords(client, app, ctx):
    admin = UserFactory(roles=[Role.ADMIN])
    _password(client, admin)
    for _ in range(app.config["LOGIN_MAX_FAILURES"] - 1):
        assert _submit(client, "000000").status_code == 400
    response = _submit(client, "000000")
    assert response.status_code == 403 and LOCKED in response.get_data(as_text=True)
    # The half-finished login is gone, and the password step is locked too.
    assert client.get(VERIFY).status_code == 302
    response = _password(client, admin)
    assert response.status_code == 403 and LOCKED in response.get_data(as_text=True)
    assert "auth.lockout" in _actions()


def test_the_code_step_is_rate_limited_per_account(client, app, ctx):
    admin = UserFactory(roles=[Role.ADMIN])
    saved = {key: app.config[key] for key in ("TOTP_LIMIT_PER_ACCOUNT", "LOGIN_MAX_FAILURES")}
    app.config.update(TOTP_LIMIT_PER_ACCOUNT="3 per minute", LOGIN_MAX_FAILURES=100)
    try:
        _password(client, admin)
        statuses = [_submit(client, "111111").status_code for _ in range(4)]
    finally:
        app.config.update(saved)
    assert statuses == [400, 400, 400, 429]


def test_the_half_finished_login_expires_and_dies_with_a_password_change(client, ctx):
    admin = UserFactory(roles=[Role.ADMIN])
    _password(client, admin)
    with client.session_transaction() as session:
        session["totp_pending"] = {**session["totp_pending"], "at": session["totp_pending"]["at"] - 3600}
    response = _submit(client, _code(), page="/masuk")
    assert response.status_code == 302 and response.location.endswith("/masuk")

    _password(client, admin)
    admin.session_token = "rotated-by-a-password-reset"
    db.session.commit()
    assert _submit(client, _code(), page="/masuk").location.endswith("/masuk")
    assert not _signed_in(client)


@pytest.mark.parametrize("next_url,landing", [("?next=/akun", "/akun"), ("?next=//evil.example/x", "/admin/")])
def test_the_page_asked_for_is_opened_after_the_code(client, ctx, next_url, landing):
    admin = UserFactory(roles=[Role.ADMIN])
    _password(client, admin, next_url)
    assert _submit(client, _code()).location == landing


def _enrolment_secret(html: str) -> str:
    match = re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', html)
    assert match, "no secret on the enrolment page"
    return match.group(1).replace(" ", "")


def test_an_administrator_without_authenticator_enrols_then_gets_recovery_codes(client, ctx):
    admin = UserFactory(roles=[Role.ADMIN], roles__totp=False)
    response = _password(client, admin)
    assert response.status_code == 302 and response.location.endswith(ENROL)
    page = client.get(ENROL)
    html = page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    assert 'class="qr-code" src="data:image/svg+xml' in html
    assert not _signed_in(client)
    secret = _enrolment_secret(html)
    assert _enrolment_secret(client.get(ENROL).get_data(as_text=True)) == secret  # stable across reloads

    assert "Kode tidak cocok" in _submit(client, "123456", ENROL).get_data(as_text=True)
    response = _submit(client, _code(secret), ENROL)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    codes = re.findall(r"<code>([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4})</code>", response.get_data(as_text=True))
    assert len(codes) == 10 and len(set(codes)) == 10
    assert _signed_in(client) and client.get("/admin/").status_code == 200

    db.session.expire_all()
    stored = db.session.get(User, admin.id)
    assert stored.totp_enabled_at is not None and secret not in stored.totp_secret  # encrypted at rest
    hashes = db.session.scalars(db.select(RecoveryCode.code_hash).where(RecoveryCode.user_id == admin.id)).all()
    assert len(hashes) == 10 and not set(codes) & set(hashes)
    assert "auth.totp_enabled" in _actions()

    # A recovery code signs in once, in place of the app's code.
    client.logout()
    _password(client, admin)
    response = _submit(client, codes[0].upper())
    assert response.status_code == 302
    assert "sisa kode: 9" in client.get(response.location, follow_redirects=True).get_data(as_text=True)
    client.logout()
    _password(client, admin)
    assert _submit(client, codes[0]).status_code == 400


def test_an_administrator_signed_in_without_authenticator_can_only_enrol(client, ctx):
    user = UserFactory(roles=[Role.BUYER])
    client.login(user)
    user.roles.append(RoleAssignment(role=Role.ADMIN))  # granted during the session
    db.session.commit()
    for path in ("/", "/akun", "/admin/"):
        response = client.get(path)
        assert response.status_code == 302 and response.location.endswith(ENROL), path
    assert client.get(ENROL).status_code == 200
    assert client.get("/healthz").status_code == 200
    assert client.post_form("/keluar", page=ENROL).status_code == 302
    assert not _signed_in(client)


def test_not_required_when_the_deployment_turns_it_off(client, app, ctx):
    unenrolled = UserFactory(roles=[Role.ADMIN], roles__totp=False)
    enrolled = UserFactory(roles=[Role.ADMIN])
    app.config["ADMIN_TOTP_REQUIRED"] = False
    try:
        assert _password(client, unenrolled).location.endswith("/admin/")
        client.logout()
        assert _password(client, enrolled).location.endswith(VERIFY)  # who enrolled keeps using it
    finally:
        app.config["ADMIN_TOTP_REQUIRED"] = True


def test_new_recovery_codes_need_a_code_from_the_app_and_replace_the_old_ones(client, ctx):
    admin = UserFactory(roles=[Role.ADMIN])
    client.login(admin)
    page = client.get("/akun/dua-langkah").get_data(as_text=True)
    assert 'data-testid="recovery-remaining">0<' in page

    response = client.post_form("/akun/dua-langkah/kode-pemulihan", {"code": "000000"}, page="/akun/dua-langkah")
    assert response.status_code == 400 and USED_OR_WRONG in response.get_data(as_text=True)
    response = client.post_form("/akun/dua-langkah/kode-pemulihan", {"code": _code(steps_ahead=1)},
                                page="/akun/dua-langkah")
    assert response.status_code == 200
    assert len(re.findall(r"<code>[a-z2-9-]{14}</code>", response.get_data(as_text=True))) == 10
    assert 'data-testid="recovery-remaining">10<' in client.get("/akun/dua-langkah").get_data(as_text=True)
    assert "auth.recovery_codes_regenerated" in _actions()


def test_operator_can_reset_a_lost_authenticator(client, app, ctx):
    admin = UserFactory(roles=[Role.ADMIN])
    result = app.test_cli_runner().invoke(args=["reset-totp", admin.email])
    assert result.exit_code == 0, result.output
    assert _password(client, admin).location.endswith(ENROL)
    assert "auth.totp_reset" in _actions()
    assert app.test_cli_runner().invoke(args=["reset-totp", "nobody@contoh.go.id"]).exit_code != 0
