"""Host header poisoning: absolute links come from PUBLIC_BASE_URL, never from the request.

A password reset posted with `Host: evil.example` must not mail a valid token to
evil.example; Stripe's return and cancel addresses, notification mail and every
`url_for(..., _external=True)` (templates included) name the configured address; and in
production a request naming an unknown host is refused before anything runs."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from flask import render_template_string, url_for

from bebeli import create_app
from bebeli.audit.models import AuditEvent
from bebeli.extensions import db, limiter
from bebeli.mail.models import OutboundEmail
from tests.conftest import _empty_all_tables
from tests.factories import TEST_PASSWORD, AsnFactory
from tests.orders.factories import asn_buyer, fill_cart, place, two_shop_products
from tests.payments.conftest import fake_stripe, stripe_app, stripe_client  # noqa: F401 (fixtures)
from tests.security.forms import forms_on
from tests.security.hostile import rendered_values

PUBLIC = "https://bebeli.example.go.id"
EVIL = "http://evil.example"


@pytest.fixture(autouse=True)
def _fresh_database(app):
    yield
    with app.app_context():
        _empty_all_tables()
    limiter.reset()


@pytest.fixture
def public_address(app, stripe_app, monkeypatch):
    """The site's configured address, distinct from every host the test client uses."""
    for each in (app, stripe_app):
        monkeypatch.setitem(each.config, "PUBLIC_BASE_URL", PUBLIC)
    return PUBLIC


def _submit(client, page: str, action: str, base_url: str, **fields):
    """Post the form as `page` renders it on `base_url`, with `fields` filled in."""
    html = client.get(page, base_url=base_url).get_data(as_text=True)
    form = next(f for f in forms_on(page, html) if f.action == action)
    values = rendered_values(form)
    values["csrf_token"] = form.fields["csrf_token"].value
    for name, value in fields.items():
        values[name] = value
    return client.post(action, data=values, base_url=base_url)


def test_a_reset_posted_to_another_host_mails_a_link_on_the_public_address(app, ctx, public_address):
    asn = AsnFactory()
    client = app.test_client()
    response = _submit(client, "/lupa-kata-sandi", "/lupa-kata-sandi", EVIL, identifier=asn.user.email)
    assert response.status_code == 302
    mail = db.session.scalar(sa.select(OutboundEmail).where(OutboundEmail.to == asn.user.email))
    assert "evil.example" not in mail.body
    link = re.search(r"\S+/atur-ulang/\S+", mail.body).group(0)
    assert link.startswith(f"{PUBLIC}/atur-ulang/")


def test_stripe_return_and_cancel_addresses_come_from_the_configuration(stripe_client, fake_stripe, ctx,
                                                                        public_address):
    buyer = asn_buyer()
    pkp, small = two_shop_products()
    fill_cart(buyer, (pkp, 1), (small, 1))
    order = place(buyer)
    _submit(stripe_client, "/masuk", "/masuk", EVIL, identifier=buyer.email, password=TEST_PASSWORD)
    started = _submit(stripe_client, f"/pesanan/{order.id}", f"/pembayaran/{order.id}/mulai", EVIL)
    assert started.status_code == 303
    (created,) = fake_stripe.calls("POST", "/v1/checkout/sessions")
    assert created.params["success_url"] == f"{PUBLIC}/pembayaran/{order.id}/selesai?session_id={{CHECKOUT_SESSION_ID}}"
    assert created.params["cancel_url"] == f"{PUBLIC}/pesanan/{order.id}"


def test_every_external_url_names_the_public_address(app, public_address):
    with app.test_request_context("/masuk", base_url=EVIL):
        assert url_for("auth.login", _external=True) == f"{PUBLIC}/masuk"
        assert url_for("catalog.search", q="kopi", _external=True, _anchor="hasil") == f"{PUBLIC}/katalog?q=kopi#hasil"
        assert render_template_string("{{ url_for('auth.account', _external=True) }}") == f"{PUBLIC}/akun"
        assert url_for("auth.login") == "/masuk"  # relative links stay relative
    with app.app_context():  # scheduled commands, outside any request
        assert url_for("auth.login") == f"{PUBLIC}/masuk"


def test_notification_mail_sent_during_a_request_links_to_the_public_address(app, ctx, public_address):
    from bebeli.notifications.services import notify

    user = AsnFactory().user
    db.session.commit()
    with app.test_request_context("/", base_url=EVIL):  # a request of the app, as a view would send it
        notify(db.session.merge(user), "Pesanan dikirim", subject="Pesanan", link="/pesanan/7")
        db.session.commit()
    db.session.rollback()
    mail = db.session.scalar(sa.select(OutboundEmail).where(OutboundEmail.to == user.email))
    assert f"{PUBLIC}/pesanan/7" in mail.body and "evil.example" not in mail.body


@pytest.fixture
def production_app(app, database_uri, monkeypatch):
    for name, value in {"SECRET_KEY": "p" * 40, "DATABASE_URL": database_uri, "REDIS_URL": "redis://127.0.0.1:9/0",
                        "STRIPE_SECRET_KEY": "sk_test_unused", "STRIPE_WEBHOOK_SECRET": "whsec_unused",
                        "PUBLIC_BASE_URL": PUBLIC}.items():
        monkeypatch.setenv(name, value)
    return create_app("production", SQLALCHEMY_DATABASE_URI=database_uri, PUBLIC_BASE_URL=PUBLIC,
                      EXTRA_TRUSTED_HOSTS=("bebeli-origin.internal",), RATELIMIT_STORAGE_URI="memory://",
                      UPLOAD_DIR=app.config["UPLOAD_DIR"], LOG_JSON=False)


def test_production_refuses_requests_for_an_unknown_host(production_app, ctx):
    client = production_app.test_client()
    assert client.get("/masuk", base_url=PUBLIC).status_code == 200
    assert client.get("/masuk", base_url="https://bebeli-origin.internal").status_code == 200  # TRUSTED_HOSTS
    assert client.get("/healthz", base_url="http://127.0.0.1:8000").status_code == 200  # the container's probe
    for host in ("https://evil.example", "https://bebeli.example.go.id.evil.example", "https://x.bebeli.example.go.id"):
        refused = client.get("/masuk", base_url=host)
        assert refused.status_code == 400, host
        assert refused.mimetype == "text/plain" and "evil" not in refused.get_data(as_text=True)
    # A post to an unknown host is refused before the CSRF check, the login or the audit log.
    posted = client.post("/masuk", data={"identifier": "a@b.id", "password": "x"}, base_url="https://evil.example")
    assert posted.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == 0
    # A forwarded host header changes nothing: only the proxy's scheme and client address are believed.
    forwarded = client.get("/masuk", base_url=PUBLIC, headers={"X-Forwarded-Host": "evil.example"})
    assert forwarded.status_code == 200 and "evil.example" not in forwarded.get_data(as_text=True)


def test_production_needs_a_public_address(monkeypatch):
    for name, value in {"SECRET_KEY": "p" * 40, "DATABASE_URL": "postgresql+psycopg://u@127.0.0.1/x",
                        "REDIS_URL": "redis://r", "STRIPE_SECRET_KEY": "sk_x", "STRIPE_WEBHOOK_SECRET": "whsec_x"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("PUBLIC_BASE_URL", raising=False)
    with pytest.raises(RuntimeError, match="PUBLIC_BASE_URL"):
        create_app("production")
