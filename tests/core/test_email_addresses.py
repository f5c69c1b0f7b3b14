"""One rule for every email address of the app (bebeli.validators.normalize_email_address): the
reserved .test domain of the demo accounts is accepted outside production and refused in
production with the reason; other special-use domains (.local, .localhost …) are refused
everywhere with the reason, never with a bare "Invalid email address."."""
from __future__ import annotations

import html

import pytest
import wtforms
from flask import session

from bebeli.extensions import db, limiter
from bebeli.sellers.models import Shop
from config import DevelopmentConfig, ProductionConfig, TestingConfig
from tests.core.test_form_roundtrip import browser_forms, client_for, endpoint_of, form_page_cases
from tests.security.conftest import personas, world  # noqa: F401  (fixtures of this module)
from tests.security.route_policy import OWNER, POLICY
from tests.security.routes import url_for_side
from tests.sellers.helpers import registration_data

STRONG_PASSWORD = "Kopi-Tubruk-Cibarusah-2026!"
REFUSED_EVERYWHERE = "Alamat email di domain .local tidak dapat menerima email"


def test_the_test_domain_is_accepted_only_outside_production():
    assert DevelopmentConfig.EMAIL_ALLOW_TEST_DOMAIN and TestingConfig.EMAIL_ALLOW_TEST_DOMAIN
    assert ProductionConfig.EMAIL_ALLOW_TEST_DOMAIN is False


def _register(client, email: str):
    """Fill in the registration page as rendered, with `email`."""
    page = client.get("/toko/daftar")
    [form] = [f for f in browser_forms("/toko/daftar", page.get_data(as_text=True)) if f.method == "POST"]
    data, _ = form.submission()
    values = registration_data(email=email, password=STRONG_PASSWORD, confirm=STRONG_PASSWORD)
    for name in form.names & values.keys():
        data.setlist(name, [values[name]])
    limiter.reset()
    return client.post(form.action, data=data, content_type="multipart/form-data")


def _shops() -> int:
    db.session.expire_all()
    return db.session.scalar(db.select(db.func.count(Shop.id)))


def test_registration_accepts_a_test_address_outside_production(client, ctx):
    response = _register(client, "UMKM.Demo@Bebeli.TEST")
    assert response.status_code == 302, html.unescape(response.get_data(as_text=True))[:3000]
    assert db.session.scalar(db.select(Shop.id).where(Shop.name == "Keripik Maju Jaya"))


@pytest.mark.parametrize(("lang", "message"), [
    ("id", "Alamat email di domain .test tidak dapat menerima email (domain itu khusus untuk pengujian atau "
           "jaringan lokal). Gunakan alamat email yang aktif."),
    ("en", "An email address at the .test domain cannot receive mail"),
])
def test_production_refuses_a_test_address_and_says_why(app, client, ctx, monkeypatch, lang, message):
    monkeypatch.setitem(app.config, "EMAIL_ALLOW_TEST_DOMAIN", False)
    with client.session_transaction() as saved:
        saved["lang"] = lang
    response = _register(client, "umkm.demo@bebeli.test")
    assert response.status_code == 200
    assert message in html.unescape(response.get_data(as_text=True))
    assert _shops() == 0


def test_other_special_use_domains_are_refused_everywhere_with_the_reason(client, ctx):
    response = _register(client, "umkm@toko.local")
    assert REFUSED_EVERYWHERE in html.unescape(response.get_data(as_text=True))
    assert "Alamat email tidak valid." not in response.get_data(as_text=True)
    assert _shops() == 0


def test_the_directory_import_follows_the_same_rule(app, ctx, monkeypatch):
    from bebeli.directory.normalize import normalize_email
    from bebeli.errors import ValidationFailed

    with app.test_request_context("/"):
        assert normalize_email(" Budi@Disdik.Bebeli.test ") == "budi@disdik.bebeli.test"
        monkeypatch.setitem(app.config, "EMAIL_ALLOW_TEST_DOMAIN", False)
        session["lang"] = "id"
        with pytest.raises(ValidationFailed, match="domain .test tidak dapat menerima email"):
            normalize_email("budi@disdik.bebeli.test")


@pytest.fixture
def validated(monkeypatch) -> list:
    seen: list = []
    original = wtforms.Form.validate

    def spy(self, *args, **kwargs):
        seen.append(self)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(wtforms.Form, "validate", spy)
    return seen


def test_every_email_field_of_the_app_uses_the_rule(app, world, personas, validated):
    """Every email input on every form page: a .test address passes it (outside production), a
    .local one is refused with the reason."""
    adapter = app.url_map.bind("localhost")
    checked, problems = set(), []
    for case in form_page_cases():
        endpoint, pattern, persona = case.values
        access = POLICY[endpoint]
        rule = next(r for r in app.url_map.iter_rules(endpoint) if r.rule == pattern)
        client = client_for(app, personas, world, persona, access)
        url = url_for_side(rule, access, world["us" if access.kind == OWNER else "them"])
        page = client.get(url)
        if page.status_code != 200:
            continue
        for form in browser_forms(url, page.get_data(as_text=True)):
            emails = [c.name for c in form.controls if c.tag == "input" and c.kind == "email" and c.name]
            if form.method != "POST" or endpoint_of(adapter, form) != endpoint or not emails:
                continue
            for name in emails:
                for address, refused in (("orang.baru@contoh.test", False), ("orang.baru@contoh.local", True)):
                    data, _ = form.submission()
                    data.setlist(name, [address])
                    validated.clear()
                    limiter.reset()
                    client.post(form.action, data=data)
                    errors = [str(e) for f in validated if name in f._fields for e in f[name].errors]
                    said = any(REFUSED_EVERYWHERE in e for e in errors)
                    if said is not refused:
                        problems.append(f"{endpoint} as {persona}: {name}={address!r} gave {errors}")
                checked.add(endpoint)
    assert {"sellers.register", "directory.asn_new", "directory.asn_edit", "procurement.officials"} <= checked
    assert not problems, "\n".join(problems)
