"""Which gateway runs where, and that Stripe stays behind its one module."""
from datetime import timedelta
from pathlib import Path

import pytest

from bebeli import create_app
from bebeli.db import utcnow
from bebeli.extensions import db
from bebeli.orders.models import Order, PaymentStatus
from bebeli.payments.gateway import SimulatedGateway, StripeGateway, get_gateway
from tests.orders.factories import asn_buyer, fill_cart, place
from tests.factories import ProductFactory
from tests.payments.fake_stripe import event, signature

PROJECT = Path(__file__).resolve().parents[2] / "bebeli"


def test_only_the_gateway_module_imports_stripe():
    importers = sorted(str(path.relative_to(PROJECT)) for path in PROJECT.rglob("*.py")
                       if any(line.strip().startswith(("import stripe", "from stripe"))
                              for line in path.read_text().splitlines()))
    assert importers == ["payments/gateway.py"]


def test_the_configuration_picks_the_gateway(app, stripe_app):
    with app.app_context():
        assert isinstance(get_gateway(), SimulatedGateway)
    with stripe_app.app_context():
        assert isinstance(get_gateway(), StripeGateway) and get_gateway() is get_gateway()


def test_production_refuses_the_simulated_gateway(monkeypatch):
    strict = create_app("testing", PAYMENTS_SIMULATED_ALLOWED=False, SQLALCHEMY_DATABASE_URI="sqlite://")
    with strict.app_context(), pytest.raises(RuntimeError, match="simulated"):
        get_gateway()
    for name, value in {"SECRET_KEY": "x" * 40, "DATABASE_URL": "postgresql://db/bebeli", "REDIS_URL": "redis://r"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("STRIPE_SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="simulated payment screen is not allowed"):
        create_app("production")


def test_the_webhook_refuses_everything_without_stripe(client):
    payload = event("checkout.session.completed", {"id": "cs_x", "client_reference_id": "1"})
    response = client.post("/pembayaran/stripe/webhook", data=payload, content_type="application/json",
                           headers={"Stripe-Signature": signature(payload)})
    assert response.status_code == 400


def test_an_unreachable_stripe_keeps_the_hold_until_it_answers(stripe_app, fake_stripe, ctx):
    buyer = asn_buyer()
    fill_cart(buyer, (ProductFactory(stock=2), 2))
    order = place(buyer)
    client = stripe_app.test_client()
    client.login(buyer)
    client.post_form(f"/pembayaran/{order.id}/mulai", page=f"/pesanan/{order.id}")
    order.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    fake_stripe.down = True
    try:
        with stripe_app.app_context():
            output = stripe_app.test_cli_runner().invoke(args=["expire-orders"]).output
    finally:
        fake_stripe.down = False
    assert "expired 0" in output
    db.session.expire_all()
    assert db.session.get(Order, order.id).payment_status == PaymentStatus.UNPAID
