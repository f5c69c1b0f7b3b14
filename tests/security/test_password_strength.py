"""Guessable passwords are refused wherever a password is set (registration, change, reset —
which is also how an imported ASN activates the account —, the create-admin command), by
zxcvbn told the person's own details and common Indonesian words; the refusal says why, in
Indonesian or in English."""
from __future__ import annotations

import re

import pytest

from bebeli.auth.models import User
from bebeli.auth.services import check_password_policy
from bebeli.cli import DEMO_PASSWORD
from bebeli.errors import ValidationFailed
from bebeli.extensions import db, limiter
from bebeli.mail.models import OutboundEmail
from tests.conftest import _empty_all_tables
from tests.factories import TEST_PASSWORD, AsnFactory, UserFactory
from tests.security.forms import forms_on
from tests.sellers.helpers import registration_data

STRONG = "gajah-terbang-di-atas-kali-malang"


@pytest.fixture(autouse=True)
def _fresh_database(app):
    """Each test here builds its own data: empty the tables after it, as the rest of the suite
    does (this folder's conftest turns that off for the module-wide world of the other suites)."""
    yield
    with app.app_context():
        _empty_all_tables()
    limiter.reset()


def _fields(client, page: str) -> dict:
    """The password form's fields as the page renders them."""
    [form] = [f for f in forms_on(page, client.get(page).get_data(as_text=True))
              if any(field.kind == "password" for field in f.fields.values())]
    return form


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True)).replace("&#34;", '"').replace("&#39;", "'")


@pytest.mark.parametrize(("password", "why"), [
    ("password12", "Ini kata sandi yang sangat umum."),
    ("aaaaaaaaaa", "Huruf yang diulang seperti \u201caaa\u201d mudah ditebak."),
    ("qwertyuiop", "Ini salah satu dari 100 kata sandi paling umum."),
    ("asdfghjkl;'", "Deretan tombol keyboard mudah ditebak."),
    ("bekasi2026!", "misalnya \u201cbekasi\u201d"),
    ("sayangku123", "misalnya \u201csayangku\u201d"),
    ("Keripik-Maju-Jaya", "nama, email, NIP, atau data Anda yang lain"),   # the shop's own name
])
def test_registration_refuses_guessable_passwords_and_says_why(client, ctx, password, why):
    form = _fields(client, "/toko/daftar")
    assert {"password", "confirm"} <= set(form.fields)
    response = client.post_form("/toko/daftar", registration_data(password=password, confirm=password))
    page = _text(response)
    assert response.status_code == 200
    assert "Kata sandi ini terlalu mudah ditebak." in page and why in page
    assert db.session.scalar(db.select(db.func.count(User.id))) == 0


def test_change_password_refuses_ones_own_name_and_email(client, ctx):
    user = UserFactory(name="Dewi Lestari", email="dewi.lestari@contoh.go.id")
    client.login(user)
    for weak in ("DewiLestari1", "dewi.lestari2026", "Dewi_Lestari!"):
        response = client.post_form("/akun/kata-sandi", {"current_password": TEST_PASSWORD, "new_password": weak,
                                                         "confirm": weak})
        assert response.status_code == 200, weak
        assert "terlalu mudah ditebak" in _text(response), weak
    ok = client.post_form("/akun/kata-sandi", {"current_password": TEST_PASSWORD, "new_password": STRONG,
                                               "confirm": STRONG})
    assert ok.status_code == 302


def test_activation_by_reset_link_refuses_a_password_made_of_the_nip(client, ctx):
    asn = AsnFactory(nip="199007212015032001", user__name="Budi Santoso")
    client.post_form("/lupa-kata-sandi", {"identifier": asn.nip})
    body = db.session.scalars(db.select(OutboundEmail.body).where(OutboundEmail.to == asn.user.email)).first()
    link = re.search(r"http://localhost(/atur-ulang/\S+)", body).group(1)
    form = _fields(client, link)
    assert {"new_password", "confirm"} <= set(form.fields)
    for weak in ("budisantoso", "santoso1990", "merdeka1945"):
        response = client.post_form(link, {"new_password": weak, "confirm": weak})
        assert response.status_code == 200 and "terlalu mudah ditebak" in _text(response), weak
    assert client.post_form(link, {"new_password": STRONG, "confirm": STRONG}).status_code == 302


def test_the_reason_is_in_english_in_the_english_interface(client, ctx):
    client.get("/bahasa/en")
    page = _text(client.post_form("/toko/daftar", registration_data(password="password12", confirm="password12")))
    assert "This password is too easy to guess. This is a very common password." in page
    assert "terlalu mudah" not in page


def test_create_admin_refuses_a_weak_password(app, ctx):
    runner = app.test_cli_runner()
    weak = runner.invoke(args=["create-admin", "--email", "admin.baru@contoh.go.id", "--name", "Admin Baru",
                               "--password", "indonesia1"])
    assert weak.exit_code != 0 and "terlalu mudah ditebak" in weak.output
    assert db.session.scalar(db.select(User).where(User.email == "admin.baru@contoh.go.id")) is None
    ok = runner.invoke(args=["create-admin", "--email", "admin.baru@contoh.go.id", "--name", "Admin Baru",
                             "--password", STRONG])
    assert ok.exit_code == 0, ok.output


def test_the_demo_and_test_passwords_pass_and_the_minimum_score_is_configurable(app, ctx):
    demo = User(email="admin@bebeli.test", name="Rina Marlina (Admin Diskop UKM)", password_hash="!")
    check_password_policy(DEMO_PASSWORD, demo)
    check_password_policy(TEST_PASSWORD, UserFactory.build(email="ani@contoh.go.id", name="Ani"))
    app.config["PASSWORD_MIN_SCORE"] = 4
    try:
        with app.app_context(), pytest.raises(ValidationFailed):
            check_password_policy(TEST_PASSWORD)
    finally:
        app.config["PASSWORD_MIN_SCORE"] = 3
