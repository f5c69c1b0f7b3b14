"""Signing out ends the session on the server: a copy of the session cookie or of the
remember-me cookie taken before the logout (a shared computer, a stolen cookie) opens nothing
afterwards, not even the name in the frame of the shared catalog pages. "Keluar dari semua
perangkat" on the account page does the same for every device, and is audited. Every signed-in
request reads the account once (the session version is checked in that same query)."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from bebeli.audit.models import AuditEvent
from bebeli.auth.models import Role, User
from bebeli.extensions import db, limiter
from bebeli.mail.models import OutboundEmail
from tests.catalog.helpers import indexed_product
from tests.conftest import _empty_all_tables, reads_of
from tests.factories import TEST_PASSWORD, AsnFactory, UserFactory
from tests.security.forms import forms_on
from tests.security.hostile import rendered_values

SESSION, REMEMBER = "session", "remember_token"
NEW_PASSWORD = "kata-sandi-baru-sekali-99"


@pytest.fixture(autouse=True)
def _fresh_database(app):
    """These tests write their own data: empty the tables after each (the suite's conftest
    empties them once per module, for the shared world)."""
    yield
    with app.app_context():
        _empty_all_tables()
    limiter.reset()


def _form(client, page: str, action: str):
    """The form posting to `action` as `page` renders it, and its values (CSRF token included)."""
    found = [f for f in forms_on(page, client.get(page).get_data(as_text=True)) if f.action == action]
    assert found, f"no form posting to {action} on {page}"
    values = rendered_values(found[0])
    values["csrf_token"] = found[0].fields["csrf_token"].value
    return found[0], values


def _log_in(client, user, *, remember: bool) -> None:
    form, values = _form(client, "/masuk", "/masuk")
    values["identifier"], values["password"] = user.email, TEST_PASSWORD
    if remember:
        values["remember"] = form.fields["remember"].value or "y"
    response = client.post("/masuk", data=values)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


def _cookie(client, name: str) -> str:
    cookie = client.get_cookie(name)
    assert cookie is not None and cookie.value, f"no {name} cookie"
    return cookie.value


def _replay(app, **cookies):
    """A fresh client (another browser) carrying copies of the given cookies."""
    thief = app.test_client()
    for name, value in cookies.items():
        thief.set_cookie(name, value)
    return thief


def _signed_in(client) -> bool:
    response = client.get("/akun")
    assert response.status_code in (200, 302)
    return response.status_code == 200


def _buyer(name: str = "Dewi Pembeli") -> User:
    return AsnFactory(user__name=name).user


def test_logout_ends_copies_of_the_session_and_remember_me_cookies(app, ctx):
    user = _buyer()
    client = app.test_client()
    _log_in(client, user, remember=True)
    session_copy, remember_copy = _cookie(client, SESSION), _cookie(client, REMEMBER)
    # The copies work while the owner is signed in (so what follows can fail) …
    assert _signed_in(_replay(app, **{SESSION: session_copy}))
    assert _signed_in(_replay(app, **{REMEMBER: remember_copy}))

    _, values = _form(client, "/akun", "/keluar")
    assert client.post("/keluar", data=values).status_code == 302
    assert not _signed_in(client)
    # … and not after the logout, neither alone nor together.
    assert not _signed_in(_replay(app, **{SESSION: session_copy}))
    assert not _signed_in(_replay(app, **{REMEMBER: remember_copy}))
    assert not _signed_in(_replay(app, **{SESSION: session_copy, REMEMBER: remember_copy}))
    # Signing in again works as before.
    _log_in(client, user, remember=False)
    assert _signed_in(client)


def test_log_out_everywhere_ends_every_device_and_is_audited(app, ctx):
    user = _buyer()
    phone, laptop = app.test_client(), app.test_client()
    _log_in(phone, user, remember=True)
    _log_in(laptop, user, remember=False)
    remember_copy = _cookie(phone, REMEMBER)

    form, values = _form(laptop, "/akun", "/akun/keluar-semua")
    tag = re.search(r'<form[^>]*action="/akun/keluar-semua"[^>]*>', laptop.get("/akun").get_data(as_text=True))
    assert "data-confirm=" in tag.group(0)  # the browser asks first

    # Without its CSRF token the button does nothing.
    assert laptop.post("/akun/keluar-semua", data={}).status_code == 400
    assert _signed_in(phone) and _signed_in(laptop)

    response = laptop.post(form.action, data=values)
    assert response.status_code == 302 and response.location.endswith("/masuk")
    assert not _signed_in(laptop) and not _signed_in(phone)
    assert not _signed_in(_replay(app, **{REMEMBER: remember_copy}))
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "auth.logout_everywhere")).all()
    assert [(e.actor_id, e.object_id) for e in events] == [(user.id, str(user.id))]


def test_a_password_reset_ends_a_copied_remember_me_cookie(app, ctx):
    user = UserFactory(email="ani@contoh.go.id", roles=[Role.BUYER])
    owner = app.test_client()
    _log_in(owner, user, remember=True)
    remember_copy = _cookie(owner, REMEMBER)
    assert _signed_in(_replay(app, **{REMEMBER: remember_copy}))

    stranger = app.test_client()
    _, values = _form(stranger, "/lupa-kata-sandi", "/lupa-kata-sandi")
    values["identifier"] = user.email
    assert stranger.post("/lupa-kata-sandi", data=values).status_code == 302
    mail = db.session.scalar(sa.select(OutboundEmail).where(OutboundEmail.to == user.email))
    link = urlsplit(re.search(r"http://\S+/atur-ulang/\S+", mail.body).group(0)).path
    form, values = _form(stranger, link, link)
    values["new_password"] = values["confirm"] = NEW_PASSWORD
    assert stranger.post(link, data=values).status_code == 302
    assert not _signed_in(_replay(app, **{REMEMBER: remember_copy}))
    assert not _signed_in(owner)


def test_a_logged_out_session_copy_does_not_keep_the_name_in_the_shared_frame(app, cache_on):
    indexed_product(name="Kopi Robusta")
    user = _buyer("Dewi Pembeli")
    client = app.test_client()
    _log_in(client, user, remember=False)
    client.get("/akun")  # past the welcome message; the session now carries the frame snapshot
    page = client.get("/katalog?q=kopi")
    assert b"Dewi Pembeli" in page.data
    session_copy = _cookie(client, SESSION)
    # The copy gets the frame too while the session lives …
    assert b"Dewi Pembeli" in _replay(app, **{SESSION: session_copy}).get("/katalog?q=kopi").data

    _, values = _form(client, "/akun", "/keluar")
    client.post("/keluar", data=values)
    # … and not after the logout, although its snapshot is well within FRAME_TRUST_SECONDS.
    thief = _replay(app, **{SESSION: session_copy})
    for _ in range(2):
        page = thief.get("/katalog?q=kopi")
        assert page.status_code == 200 and b"Dewi Pembeli" not in page.data and b"Masuk" in page.data
    # A new login is framed again at once.
    _log_in(client, user, remember=False)
    client.get("/akun")
    assert b"Dewi Pembeli" in client.get("/katalog?q=kopi").data


def test_the_session_version_costs_no_extra_query(app, ctx, statements):
    user = _buyer()
    client = app.test_client()
    _log_in(client, user, remember=False)
    client.get("/akun")
    statements.clear()
    assert client.get("/akun").status_code == 200
    assert len(reads_of(statements, "users")) == 1
