"""`expire-orders` asks the gateway before it expires an unpaid order: money the buyer paid
whose return request (or webhook) never arrived is applied, not lost with the stock released."""
from datetime import timedelta

import sqlalchemy as sa

from bebeli.catalog.models import Product
from bebeli.db import utcnow
from bebeli.extensions import db
from bebeli.orders.models import FulfilmentStatus as F
from bebeli.orders.models import Order, PaymentStatus
from bebeli.payments.models import Payment, PaymentEvent
from tests.factories import ProductFactory
from tests.orders.factories import asn_buyer, fill_cart, place
from tests.security.forms import forms_on


def _overdue(order_id: int) -> None:
    db.session.get(Order, order_id).expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()


def _expire_orders(app) -> str:
    with app.app_context():  # the command would otherwise run in the test's own app context
        return app.test_cli_runner().invoke(args=["expire-orders"]).output


def _state(order_id: int, product_id: int) -> tuple:
    db.session.expire_all()
    order = db.session.get(Order, order_id)
    captured = db.session.scalars(sa.select(PaymentEvent.amount).where(
        PaymentEvent.order_id == order_id, PaymentEvent.kind == "captured")).all()
    return (order.payment_status, sorted(so.status for so in order.seller_orders), captured,
            db.session.get(Product, product_id).stock)


def _submit_rendered(client, url: str):
    """Open `url` and submit its one POST form as rendered (the button's click)."""
    html = client.get(url).get_data(as_text=True)
    [form] = [f for f in forms_on(url, html) if f.method == "POST" and f.action == url]
    return client.post(url, data={n: f.value or "" for n, f in form.fields.items() if f.kind != "button"})


def test_a_simulated_payment_whose_return_died_is_applied_not_expired(app, client, ctx):
    buyer = asn_buyer()
    product = ProductFactory(stock=5, price_amount=40_000)
    fill_cart(buyer, (product, 2))
    order = place(buyer)
    order_id, total = order.id, order.total_amount
    client.login(buyer)
    started = client.post_form(f"/pembayaran/{order_id}/mulai", page=f"/pesanan/{order_id}")
    assert started.status_code == 303 and "/pembayaran/simulasi/" in started.location
    paid = _submit_rendered(client, started.location)  # "Bayar" on the simulated screen
    assert paid.status_code == 302 and "/selesai" in paid.location
    # …and the browser never follows that redirect back: the order still reads unpaid.
    assert _state(order_id, product.id) == (PaymentStatus.UNPAID, [F.AWAITING_PAYMENT], [], 3)

    _overdue(order_id)
    assert "expired 0" in _expire_orders(app)
    assert _state(order_id, product.id) == (PaymentStatus.PAID, [F.PAID], [total], 3)
    assert "expired 0" in _expire_orders(app)  # once
    assert _state(order_id, product.id) == (PaymentStatus.PAID, [F.PAID], [total], 3)


def test_an_unpaid_simulated_session_still_expires(app, client, ctx):
    buyer = asn_buyer()
    product = ProductFactory(stock=5)
    fill_cart(buyer, (product, 1))
    order_id = place(buyer).id
    client.login(buyer)
    assert client.post_form(f"/pembayaran/{order_id}/mulai", page=f"/pesanan/{order_id}").status_code == 303
    _overdue(order_id)
    assert "expired 1" in _expire_orders(app)
    assert _state(order_id, product.id) == (PaymentStatus.EXPIRED, [F.EXPIRED], [], 5)
    assert db.session.scalar(sa.select(Payment.status).where(Payment.order_id == order_id)) == "expired"


def test_a_stripe_payment_completed_later_without_its_webhook_is_applied(stripe_app, stripe_client, fake_stripe, ctx):
    buyer = asn_buyer()
    product = ProductFactory(stock=5, price_amount=40_000)
    fill_cart(buyer, (product, 2))
    order = place(buyer)
    order_id, total = order.id, order.total_amount
    stripe_client.login(buyer)
    started = stripe_client.post_form(f"/pembayaran/{order_id}/mulai", page=f"/pesanan/{order_id}")
    session_id = started.location.rsplit("/", 1)[1]
    # A delayed payment method: the buyer comes back while the money is still on its way…
    fake_stripe.pay(session_id, payment_status="unpaid")
    stripe_client.get(f"/pembayaran/{order_id}/selesai?session_id={session_id}")
    assert db.session.scalar(sa.select(Payment.status).where(Payment.order_id == order_id)) == "complete"
    # …it arrives at Stripe, and the webhook that says so is lost.
    fake_stripe.pay(session_id)
    assert _state(order_id, product.id) == (PaymentStatus.UNPAID, [F.AWAITING_PAYMENT], [], 3)

    _overdue(order_id)
    fake_stripe.requests.clear()
    assert "expired 0" in _expire_orders(stripe_app)
    assert [(r.method, r.path) for r in fake_stripe.requests] == [("GET", f"/v1/checkout/sessions/{session_id}")]
    assert _state(order_id, product.id) == (PaymentStatus.PAID, [F.PAID], [total], 3)


def test_an_open_stripe_session_paid_at_the_last_moment_is_applied(stripe_app, stripe_client, fake_stripe, ctx):
    buyer = asn_buyer()
    product = ProductFactory(stock=5, price_amount=40_000)
    fill_cart(buyer, (product, 1))
    order_id = place(buyer).id
    stripe_client.login(buyer)
    session_id = stripe_client.post_form(f"/pembayaran/{order_id}/mulai",
                                         page=f"/pesanan/{order_id}").location.rsplit("/", 1)[1]
    fake_stripe.pay(session_id)
    _overdue(order_id)
    assert "expired 0" in _expire_orders(stripe_app)
    assert _state(order_id, product.id)[:2] == (PaymentStatus.PAID, [F.PAID])
