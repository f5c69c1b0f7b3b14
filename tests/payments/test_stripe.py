"""Stripe at its HTTP boundary: the real StripeClient talks to a fake Stripe API, and webhooks
arrive signed with stripe.WebhookSignature. However often and in whatever order Stripe reports
a payment, the order is paid once."""
from datetime import timedelta
import time

import pytest
import sqlalchemy as sa

from bebeli.catalog.models import Product
from bebeli.db import utcnow
from bebeli.extensions import db
from bebeli import lifecycle
from bebeli.orders.models import FulfilmentStatus as F
from bebeli.orders.models import Order, OrderEvent, PaymentStatus
from bebeli.payments.gateway import get_gateway
from bebeli.payments.models import Payment, PaymentEvent, WebhookEvent
from tests.factories import ProductFactory
from tests.orders.factories import asn_buyer, fill_cart, place, two_shop_products
from tests.payments.fake_stripe import event, signature

WEBHOOK = "/pembayaran/stripe/webhook"


@pytest.fixture
def order(ctx):
    buyer = asn_buyer()
    pkp, small = two_shop_products(stock=10)
    fill_cart(buyer, (pkp, 2), (small, 1))
    return place(buyer)


def _start(stripe_client, order) -> str:
    stripe_client.login(order.buyer)
    response = stripe_client.post_form(f"/pembayaran/{order.id}/mulai", page=f"/pesanan/{order.id}")
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    assert response.headers["Location"].startswith("https://checkout.stripe.com/c/pay/cs_test_")
    return response.headers["Location"].rsplit("/", 1)[1]


def _deliver(client, payload: str, sig: str | None = None):
    return client.post(WEBHOOK, data=payload, content_type="application/json",
                       headers={"Stripe-Signature": sig if sig is not None else signature(payload)})


def _state(order_id: int) -> tuple:
    db.session.expire_all()
    order = db.session.get(Order, order_id)
    captured = db.session.scalar(sa.select(sa.func.count(PaymentEvent.id)).where(
        PaymentEvent.order_id == order_id, PaymentEvent.kind == "captured"))
    paid_moves = db.session.scalar(sa.select(sa.func.count(OrderEvent.id)).where(
        OrderEvent.order_id == order_id, OrderEvent.to_status == "paid"))
    return order.payment_status, order.paid_at is not None, sorted(so.status.value for so in order.seller_orders), \
        captured, paid_moves


PAID_ONCE = (PaymentStatus.PAID, True, ["paid", "paid"], 1, 2)


def test_the_session_is_for_the_whole_order_in_idr_hundredths_under_our_key(stripe_client, fake_stripe, order):
    session_id = _start(stripe_client, order)
    (created,) = fake_stripe.calls("POST", "/v1/checkout/sessions")
    params = created.params
    assert created.idempotency_key == f"bebeli-checkout-{order.number}"
    assert params["mode"] == "payment" and params["client_reference_id"] == str(order.id)
    totals = sorted(so.total_amount for so in order.seller_orders)
    assert sorted(int(params[f"line_items[{i}][price_data][unit_amount]"]) for i in (0, 1)) == [t * 100 for t in totals]
    assert {params[f"line_items[{i}][price_data][currency]"] for i in (0, 1)} == {"idr"}
    assert fake_stripe.sessions[session_id]["amount_total"] == order.total_amount * 100
    assert params["success_url"].endswith(f"/pembayaran/{order.id}/selesai?session_id={{CHECKOUT_SESSION_ID}}")
    # Pressing "pay" again sends the buyer back to the same open session.
    again = stripe_client.post_form(f"/pembayaran/{order.id}/mulai", page=f"/pesanan/{order.id}")
    assert again.headers["Location"].endswith(session_id)
    assert len(fake_stripe.calls("POST", "/v1/checkout/sessions")) == 1


def test_success_page_then_the_same_webhook_five_times(stripe_client, fake_stripe, order):
    session_id = _start(stripe_client, order)
    session = fake_stripe.pay(session_id)
    back = stripe_client.get(f"/pembayaran/{order.id}/selesai?session_id={session_id}")
    assert back.headers["Location"].endswith(f"/pesanan/{order.id}")
    assert _state(order.id) == PAID_ONCE
    payload = event("checkout.session.completed", session)
    outcomes = [_deliver(stripe_client, payload).get_json()["outcome"] for _ in range(5)]
    assert outcomes == ["already_paid"] + ["duplicate"] * 4
    assert _state(order.id) == PAID_ONCE
    assert db.session.scalar(sa.select(sa.func.count(WebhookEvent.id))) == 1
    assert db.session.get(Order, order.id).payment_reference == session["payment_intent"]


def test_webhook_before_the_success_page_gives_the_same_state(stripe_client, fake_stripe, order):
    session_id = _start(stripe_client, order)
    payload = event("checkout.session.completed", fake_stripe.pay(session_id))
    assert _deliver(stripe_client, payload).get_json()["outcome"] == "paid"
    page = stripe_client.get(stripe_client.get(f"/pembayaran/{order.id}/selesai?session_id={session_id}")
                             .headers["Location"]).get_data(as_text=True)
    assert "Pembayaran berhasil" in page
    assert _state(order.id) == PAID_ONCE


def test_completed_arrives_before_the_session_is_recorded(stripe_app, stripe_client, fake_stripe, order):
    order_id, key = order.id, f"bebeli-checkout-{order.number}"
    db.session.commit()
    # Objects of the test's own session must not be touched inside another app's context: the
    # session would borrow that app's engine.
    with stripe_app.test_request_context():
        session = get_gateway().create_checkout(db.session.get(Order, order_id), success_url="https://x/ok",
                                                cancel_url="https://x/no", idempotency_key=key)
        db.session.rollback()
    payload = event("checkout.session.completed", fake_stripe.pay(session.id))
    assert _deliver(stripe_client, payload).get_json()["outcome"] == "paid"  # found by client_reference_id
    assert _state(order.id) == PAID_ONCE
    # The request that created the session now records it: the order is already paid.
    stripe_client.login(order.buyer)
    assert stripe_client.post_form(f"/pembayaran/{order.id}/mulai", page=f"/pesanan/{order.id}").status_code == 302
    assert _state(order.id) == PAID_ONCE


@pytest.mark.parametrize("first", ["completed", "async_succeeded"])
def test_delayed_payment_methods_in_either_order(stripe_client, fake_stripe, order, first):
    session_id = _start(stripe_client, order)
    pending = dict(fake_stripe.pay(session_id, payment_status="unpaid"))
    paid = fake_stripe.pay(session_id)
    completed = event("checkout.session.completed", pending)
    succeeded = event("checkout.session.async_payment_succeeded", paid)
    sequence = [completed, succeeded] if first == "completed" else [succeeded, completed]
    outcomes = [_deliver(stripe_client, payload).get_json()["outcome"] for payload in sequence]
    assert outcomes == (["pending", "paid"] if first == "completed" else ["paid", "already_paid"])
    assert _state(order.id) == PAID_ONCE


def _stock(product_id):
    db.session.expire_all()
    return db.session.get(Product, product_id).stock


def test_a_failed_delayed_payment_gives_the_stock_back(stripe_client, fake_stripe, order):
    session_id = _start(stripe_client, order)
    product_id = order.seller_orders[0].lines[0].product_id
    assert _stock(product_id) == 8
    failed = dict(fake_stripe.pay(session_id, payment_status="unpaid"))
    assert _deliver(stripe_client, event("checkout.session.async_payment_failed", failed)).get_json()["outcome"] == "failed"
    assert _state(order.id)[:3] == (PaymentStatus.FAILED, False, ["cancelled", "cancelled"])
    assert _stock(product_id) == 10


def test_an_expired_session_releases_the_stock_but_not_once_paid(stripe_client, fake_stripe, order, ctx):
    session_id = _start(stripe_client, order)
    product_id = order.seller_orders[0].lines[0].product_id
    expired = dict(fake_stripe.sessions[session_id], status="expired")
    assert _deliver(stripe_client, event("checkout.session.expired", expired)).get_json()["outcome"] == "expired"
    assert _state(order.id)[:3] == (PaymentStatus.EXPIRED, False, ["expired", "expired"])
    assert _stock(product_id) == 10

    buyer = asn_buyer()
    fill_cart(buyer, (db.session.get(Product, product_id), 1))
    paid_order = place(buyer)
    stripe_client.logout()
    session_id = _start(stripe_client, paid_order)
    _deliver(stripe_client, event("checkout.session.completed", fake_stripe.pay(session_id)))
    late_expiry = dict(fake_stripe.sessions[session_id], status="expired")
    assert _deliver(stripe_client, event("checkout.session.expired", late_expiry)).get_json()["outcome"] == "already_paid"
    assert _state(paid_order.id)[:3] == (PaymentStatus.PAID, True, ["paid"])


def test_bad_signatures_and_stale_timestamps_are_refused(stripe_client, fake_stripe, order):
    session_id = _start(stripe_client, order)
    payload = event("checkout.session.completed", fake_stripe.pay(session_id))
    assert _deliver(stripe_client, payload, signature(payload, secret="whsec_someone_else")).status_code == 400
    assert _deliver(stripe_client, payload, signature(payload, timestamp=int(time.time()) - 600)).status_code == 400
    assert _deliver(stripe_client, payload, "").status_code == 400
    assert _deliver(stripe_client, payload.replace('"paid"', '"unpaid"', 1), signature(payload)).status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(WebhookEvent.id))) == 0
    assert _state(order.id)[0] == PaymentStatus.UNPAID


def _paid_through_stripe(stripe_client, fake_stripe, order) -> str:
    session_id = _start(stripe_client, order)
    _deliver(stripe_client, event("checkout.session.completed", fake_stripe.pay(session_id)))
    return fake_stripe.sessions[session_id]["payment_intent"]


def test_a_rejected_seller_order_is_refunded_through_stripe_once(stripe_app, stripe_client, fake_stripe, order):
    intent = _paid_through_stripe(stripe_client, fake_stripe, order)
    so = order.seller_orders[0]
    seller = stripe_app.test_client()
    seller.login(so.shop.owner)
    page = f"/pesanan/toko/{so.id}"
    seller.post_form(f"{page}/tolak", {"reason": "Stok gudang rusak"}, page=page)
    (call,) = fake_stripe.calls("POST", "/v1/refunds")
    assert call.params["payment_intent"] == intent and int(call.params["amount"]) == so.total_amount * 100
    assert call.idempotency_key == f"{so.number}:rejected"
    refund = db.session.scalar(sa.select(PaymentEvent).where(PaymentEvent.kind == "refund"))
    assert refund.reference.startswith("re_test_") and refund.amount == so.total_amount
    db.session.expire_all()
    assert db.session.get(Order, order.id).payment_status == PaymentStatus.PARTIALLY_REFUNDED
    # Stripe's own notice of that refund changes nothing.
    charge = {"id": "ch_1", "object": "charge", "payment_intent": intent, "amount_refunded": so.total_amount * 100}
    assert _deliver(stripe_client, event("charge.refunded", charge, "evt_refund_1")).get_json()["outcome"] == "known"
    assert db.session.scalar(sa.select(sa.func.count(PaymentEvent.id)).where(PaymentEvent.kind == "refund")) == 1


def test_a_refund_made_in_the_stripe_dashboard_is_recorded(stripe_client, fake_stripe, order):
    intent = _paid_through_stripe(stripe_client, fake_stripe, order)
    charge = {"id": "ch_2", "object": "charge", "payment_intent": intent, "amount_refunded": 5_000_000}
    assert _deliver(stripe_client, event("charge.refunded", charge, "evt_dash")).get_json()["outcome"] == "refund_recorded"
    assert _deliver(stripe_client, event("charge.refunded", charge, "evt_dash")).get_json()["outcome"] == "duplicate"
    db.session.expire_all()
    paid = db.session.get(Order, order.id)
    assert paid.refunded_amount == 50_000 and paid.payment_status == PaymentStatus.PARTIALLY_REFUNDED


def test_expire_orders_closes_the_stripe_session_or_finds_it_paid(stripe_app, stripe_client, fake_stripe, order, ctx):
    unpaid_session = _start(stripe_client, order)
    buyer = asn_buyer()
    fill_cart(buyer, (ProductFactory(stock=3), 1))
    paid_meanwhile = place(buyer)
    stripe_client.logout()
    paid_session = _start(stripe_client, paid_meanwhile)
    fake_stripe.pay(paid_session)  # paid at Stripe; the webhook has not arrived yet
    for overdue in (order, paid_meanwhile):
        db.session.get(Order, overdue.id).expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()

    with stripe_app.app_context():  # the command would otherwise run in the test's own app context
        output = stripe_app.test_cli_runner().invoke(args=["expire-orders"]).output
    assert "expired 1" in output
    assert fake_stripe.sessions[unpaid_session]["status"] == "expired"
    assert {r.path for r in fake_stripe.calls("POST", "/v1/checkout/sessions/")} == {
        f"/v1/checkout/sessions/{unpaid_session}/expire", f"/v1/checkout/sessions/{paid_session}/expire"}
    assert _state(order.id)[:3] == (PaymentStatus.EXPIRED, False, ["expired", "expired"])
    assert _state(paid_meanwhile.id)[:3] == (PaymentStatus.PAID, True, ["paid"])


def test_money_for_an_order_that_already_ended_goes_back_in_full(stripe_client, fake_stripe, order):
    session_id = _start(stripe_client, order)
    lifecycle.cancel_unpaid_order(db.session.get(Order, order.id), order.buyer)  # ended without closing the session
    db.session.commit()
    payload = event("checkout.session.completed", fake_stripe.pay(session_id))
    assert _deliver(stripe_client, payload).get_json()["outcome"] == "late_refunded"
    (call,) = fake_stripe.calls("POST", "/v1/refunds")
    assert int(call.params["amount"]) == order.total_amount * 100
    db.session.expire_all()
    ended = db.session.get(Order, order.id)
    assert ended.payment_status == PaymentStatus.REFUNDED and ended.refunded_amount == ended.total_amount
    assert {so.status for so in ended.seller_orders} == {F.CANCELLED}


def test_the_buyer_cancelling_closes_the_stripe_session_first(stripe_client, fake_stripe, order):
    session_id = _start(stripe_client, order)
    stripe_client.post_form(f"/pesanan/{order.id}/batal", page=f"/pesanan/{order.id}")
    assert fake_stripe.sessions[session_id]["status"] == "expired"
    assert _state(order.id)[:3] == (PaymentStatus.CANCELLED, False, ["cancelled", "cancelled"])
    db.session.expire_all()
    assert db.session.scalar(sa.select(Payment.status)) == "expired"
