"""A correctly signed Stripe webhook whose body is not an event this site can read (a JSON
array, no id, no data.object, fields of the wrong type or size) is answered 400 and logged,
and changes nothing; whatever JSON arrives signed, the answer is never a 5xx."""
from __future__ import annotations

import json
import logging

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bebeli.extensions import db, limiter
from bebeli.orders.models import Order, PaymentStatus
from bebeli.payments.models import WebhookEvent
from tests.conftest import _empty_all_tables
from tests.orders.factories import asn_buyer, fill_cart, place, two_shop_products
from tests.payments.conftest import fake_stripe, stripe_app, stripe_client  # noqa: F401 (fixtures)
from tests.payments.fake_stripe import event, signature

WEBHOOK = "/pembayaran/stripe/webhook"
SESSION = {"id": "cs_test_1", "object": "checkout.session", "status": "complete", "payment_status": "paid",
           "amount_total": 1_000_000, "client_reference_id": "1", "payment_intent": "pi_1", "metadata": {}}

MALFORMED = {
    "an array": [],
    "an array of events": [json.loads(event("checkout.session.completed", SESSION))],
    "null": None,
    "a number": 12,
    "a string": "evt_1",
    "no id": {"type": "checkout.session.completed", "data": {"object": SESSION}},
    "an empty id": {"id": "", "type": "checkout.session.completed", "data": {"object": SESSION}},
    "a numeric id": {"id": 12, "type": "checkout.session.completed", "data": {"object": SESSION}},
    "an object for id": {"id": {"a": 1}, "type": "checkout.session.completed", "data": {"object": SESSION}},
    "an id too long": {"id": "e" * 300, "type": "checkout.session.completed", "data": {"object": SESSION}},
    "no type": {"id": "evt_1", "data": {"object": SESSION}},
    "a list for type": {"id": "evt_1", "type": ["checkout.session.completed"], "data": {"object": SESSION}},
    "no data": {"id": "evt_1", "type": "checkout.session.completed"},
    "data a list": {"id": "evt_1", "type": "checkout.session.completed", "data": [SESSION]},
    "no data.object": {"id": "evt_1", "type": "checkout.session.completed", "data": {}},
    "data.object a list": {"id": "evt_1", "type": "checkout.session.completed", "data": {"object": [SESSION]}},
    "data.object a string": {"id": "evt_1", "type": "charge.refunded", "data": {"object": "ch_1"}},
    "a session without id": {"id": "evt_1", "type": "checkout.session.completed",
                             "data": {"object": {**SESSION, "id": None}}},
    "an amount as text": {"id": "evt_1", "type": "checkout.session.completed",
                          "data": {"object": {**SESSION, "amount_total": "1000000"}}},
    "an amount with a fraction": {"id": "evt_1", "type": "checkout.session.completed",
                                  "data": {"object": {**SESSION, "amount_total": 1000.5}}},
    "an amount as a boolean": {"id": "evt_1", "type": "checkout.session.completed",
                               "data": {"object": {**SESSION, "amount_total": True}}},
    "a negative amount": {"id": "evt_1", "type": "checkout.session.completed",
                          "data": {"object": {**SESSION, "amount_total": -100}}},
    "metadata a list": {"id": "evt_1", "type": "checkout.session.completed",
                        "data": {"object": {**SESSION, "metadata": ["order_id", "1"]}}},
    "a status too long for its column": {"id": "evt_1", "type": "checkout.session.expired",
                                         "data": {"object": {**SESSION, "status": "x" * 40}}},
    "an expanded payment intent": {"id": "evt_1", "type": "checkout.session.completed",
                                   "data": {"object": {**SESSION, "payment_intent": {"id": ["pi_1"]}}}},
    "a refund amount as text": {"id": "evt_1", "type": "charge.refunded",
                                "data": {"object": {"id": "ch_1", "payment_intent": "pi_1", "amount_refunded": "5"}}},
    "a refund for a list of intents": {"id": "evt_1", "type": "charge.refunded",
                                       "data": {"object": {"id": "ch_1", "payment_intent": ["pi_1"]}}},
}


@pytest.fixture(autouse=True)
def _fresh_database(app):
    yield
    with app.app_context():
        _empty_all_tables()
    limiter.reset()


def _deliver(client, payload: str):
    return client.post(WEBHOOK, data=payload.encode(), content_type="application/json",
                       headers={"Stripe-Signature": signature(payload)})


def _events() -> int:
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.count(WebhookEvent.id)))


@pytest.mark.parametrize("body", list(MALFORMED.values()), ids=list(MALFORMED))
def test_a_signed_but_malformed_body_is_refused_and_logged(stripe_client, fake_stripe, ctx, caplog, body):
    payload = json.dumps(body)
    with caplog.at_level(logging.WARNING, logger="bebeli.payments.views"):
        response = _deliver(stripe_client, payload)
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert response.get_json()["error"] == "malformed_event"
    assert any("stripe webhook refused" in r.getMessage() for r in caplog.records)
    assert _events() == 0


@pytest.mark.parametrize("payload", ["{", "{" * 5000, '{"id": "evt_1",}'])
def test_a_signed_body_that_is_not_json_is_refused(stripe_client, fake_stripe, ctx, payload):
    assert _deliver(stripe_client, payload).status_code == 400
    assert _events() == 0


def test_a_signed_event_for_an_order_that_does_not_exist_is_unmatched(stripe_client, fake_stripe, ctx):
    for reference in ("2147483000", "99999999999999999999", "²"):
        payload = event("checkout.session.completed", {**SESSION, "client_reference_id": reference},
                        event_id=f"evt_{reference}")
        response = _deliver(stripe_client, payload)
        assert response.status_code == 200 and response.get_json()["outcome"] == "unmatched", reference


def test_a_well_formed_event_still_pays_the_order(stripe_client, fake_stripe, ctx):
    buyer = asn_buyer()
    pkp, small = two_shop_products()
    fill_cart(buyer, (pkp, 1), (small, 1))
    order = place(buyer)
    payload = event("checkout.session.completed", {**SESSION, "client_reference_id": str(order.id),
                                                   "amount_total": order.total_amount * 100})
    response = _deliver(stripe_client, payload)
    assert response.status_code == 200 and response.get_json()["outcome"] == "paid"
    db.session.rollback()
    assert db.session.get(Order, order.id).payment_status == PaymentStatus.PAID


# --- any JSON, signed ---------------------------------------------------------------------------
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)
EVENT_TYPES = ["checkout.session.completed", "checkout.session.async_payment_succeeded", "checkout.session.expired",
               "checkout.session.async_payment_failed", "charge.refunded", "customer.created"]
FIELDS = ["id", "url", "status", "payment_status", "payment_intent", "amount_total", "client_reference_id",
          "metadata", "amount_refunded"]
REFERENCES = st.sampled_from(["1", "0", "2147483648", "99999999999999999999", "-1", "²", "", "abc"])


def _field_values():
    return st.one_of(JSON_VALUES, REFERENCES, st.integers(min_value=0, max_value=10**9),
                     st.sampled_from(["open", "complete", "expired", "paid", "unpaid"]))


EVENT_SHAPES = st.fixed_dictionaries(
    {},
    optional={
        "id": st.one_of(st.text(min_size=1, max_size=40), JSON_VALUES),
        "type": st.one_of(st.sampled_from(EVENT_TYPES), JSON_VALUES),
        "data": st.one_of(
            st.fixed_dictionaries({}, optional={"object": st.one_of(
                st.dictionaries(st.sampled_from(FIELDS), _field_values(), max_size=len(FIELDS)),
                JSON_VALUES,
            )}),
            JSON_VALUES,
        ),
    },
)


@settings(max_examples=150, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(body=st.one_of(EVENT_SHAPES, JSON_VALUES))
def test_no_signed_json_body_gets_a_server_error(stripe_client, fake_stripe, ctx, body):
    payload = json.dumps(body)
    response = _deliver(stripe_client, payload)
    assert response.status_code < 500, (payload[:300], response.get_data(as_text=True)[:300])
    assert response.status_code in (200, 400)
