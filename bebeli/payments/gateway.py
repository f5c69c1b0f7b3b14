"""The payment gateway: the only module that talks to Stripe (and imports `stripe`).

`get_gateway()` returns `StripeGateway` when STRIPE_SECRET_KEY is set and otherwise the
clearly labelled `SimulatedGateway` (development and the demo; production refuses it). Both
speak the same small interface in plain values — checkout sessions, refunds, verified webhook
events — so the rest of the project never sees a Stripe object.

Rupiah are whole numbers here, but Stripe counts IDR in hundredths: amounts are sent as
rupiah × 100 and read back divided by 100.
"""
from __future__ import annotations

import hashlib
import json
import secrets
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Mapping

import stripe
from flask import current_app, url_for
from flask_babel import lazy_gettext as _l

from bebeli.errors import DomainError

IDR_MINOR_UNITS = 100


class GatewayError(DomainError):
    status_code = 502
    code = "payment_gateway"
    default_message = _l("Layanan pembayaran sedang tidak dapat dihubungi. Coba lagi sebentar lagi.")


class WebhookRejected(Exception):
    """The payload is not a genuine, fresh event from the gateway."""


class WebhookMalformed(Exception):
    """A genuine (signed) payload that is not an event this site can read: no id, no
    data.object, a field of the wrong type or size. Answered 400 and logged, never acted on."""


# The largest order id the orders table holds (a PostgreSQL integer).
MAX_ORDER_ID = 2**31 - 1


@dataclass(frozen=True)
class CheckoutSession:
    id: str
    url: str | None
    status: str                   # open | complete | expired
    payment_status: str           # unpaid | paid | no_payment_required
    payment_intent: str | None
    amount_total: int | None      # rupiah
    order_id: int | None          # our Order.id (client_reference_id)

    @property
    def is_paid(self) -> bool:
        return self.status == "complete" and self.payment_status in ("paid", "no_payment_required")

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> CheckoutSession:
        intent = data.get("payment_intent")
        if isinstance(intent, Mapping):
            intent = intent.get("id")
        reference = str(data.get("client_reference_id") or (data.get("metadata") or {}).get("order_id") or "")
        amount = data.get("amount_total")
        return cls(
            id=data["id"], url=data.get("url"), status=data.get("status") or "open",
            payment_status=data.get("payment_status") or "unpaid", payment_intent=intent,
            amount_total=None if amount is None else int(amount) // IDR_MINOR_UNITS,
            # ASCII digits only ("²".isdigit() is True too), within what an order id can be
            order_id=int(reference) if reference.isascii() and reference.isdigit()
            and int(reference) <= MAX_ORDER_ID else None,
        )


@dataclass(frozen=True)
class RefundResult:
    id: str
    status: str                   # succeeded | pending | requires_action | failed
    amount: int                   # rupiah


@dataclass(frozen=True)
class BalanceTransaction:
    """Money that moved at the gateway for an order: a charge in, or a refund out."""
    id: str
    type: str                     # charge | refund
    amount: int                   # rupiah, signed: a charge positive, a refund negative
    fee: int                      # rupiah the gateway kept (0 when none)
    payment_intent: str | None    # the payment the money belongs to
    source: str | None            # the charge or refund id
    created: datetime             # UTC


CHARGE_TYPES, REFUND_TYPES = frozenset({"charge", "payment"}), frozenset({"refund", "payment_refund"})


def _id_of(value) -> str | None:
    return value.get("id") if isinstance(value, Mapping) else value


def balance_transaction_from(data: Mapping[str, Any]) -> BalanceTransaction | None:
    """One of Stripe's balance transactions (source expanded) in plain values; None for money
    that is not an order's (payouts to the platform's bank, Stripe's own fees, …)."""
    kind = "charge" if data.get("type") in CHARGE_TYPES else "refund" if data.get("type") in REFUND_TYPES else None
    if kind is None:
        return None
    source = data.get("source")
    intent = _id_of(source.get("payment_intent")) if isinstance(source, Mapping) else None
    return BalanceTransaction(
        id=data["id"], type=kind, amount=int(data.get("amount") or 0) // IDR_MINOR_UNITS,
        fee=int(data.get("fee") or 0) // IDR_MINOR_UNITS, payment_intent=intent, source=_id_of(source),
        created=datetime.fromtimestamp(int(data.get("created") or 0), timezone.utc),
    )


class PaymentGateway(ABC):
    name: str
    label: str

    @abstractmethod
    def create_checkout(self, order, *, success_url: str, cancel_url: str, idempotency_key: str) -> CheckoutSession:
        """Open a hosted payment page for the whole Order."""

    @abstractmethod
    def retrieve_checkout(self, session_id: str) -> CheckoutSession: ...

    def retrieve_for(self, payment) -> CheckoutSession:
        """The gateway's view of the session of our Payment row."""
        return self.retrieve_checkout(payment.session_id)

    @abstractmethod
    def expire_checkout(self, session_id: str) -> CheckoutSession:
        """Close the session so it can no longer be paid; returns its state afterwards (which
        is `complete` when the buyer paid just before)."""

    @abstractmethod
    def refund(self, *, payment_intent: str, amount: int, idempotency_key: str,
               metadata: dict[str, str]) -> RefundResult: ...

    @abstractmethod
    def verify_webhook(self, payload: bytes, signature: str | None) -> dict:
        """The event as a dict, or WebhookRejected."""

    @abstractmethod
    def balance_transactions(self, created_from: datetime | None, created_to: datetime) -> list[BalanceTransaction]:
        """Every charge and refund of an order at the gateway created in [created_from, created_to)
        (from the beginning when `created_from` is None): what the reconciliation compares with."""

    def balance_source(self, created_to: datetime):
        """The same transactions before `created_to` as a SQL subquery (id, type, amount, fee,
        payment_intent, source, order_id, created) when the gateway keeps them in this database;
        None when they must be read through `balance_transactions`."""
        return None


def line_items(order) -> list[dict]:
    """One line per shop: the Order is paid once, but the buyer sees what each part costs."""
    return [
        {
            "quantity": 1,
            "price_data": {
                "currency": "idr",
                "unit_amount": so.total_amount * IDR_MINOR_UNITS,
                "product_data": {"name": f"{so.shop.name} · {so.number}"},
            },
        }
        for so in order.seller_orders
    ]


class StripeGateway(PaymentGateway):
    name = "stripe"
    label = "Stripe"

    def __init__(self, secret_key: str, *, webhook_secret: str, api_base: str | None = None,
                 http_client: stripe.HTTPClient | None = None):
        self.webhook_secret = webhook_secret
        self.client = stripe.StripeClient(
            secret_key,
            base_addresses={"api": api_base} if api_base else None,
            http_client=http_client,
            max_network_retries=2,  # the library reuses our idempotency key on each retry
        )

    def _call(self, method, *args, **kwargs):
        try:
            return method(*args, **kwargs)
        except stripe.StripeError as error:
            current_app.logger.warning("stripe call failed: %s", error)
            raise GatewayError() from error

    def create_checkout(self, order, *, success_url, cancel_url, idempotency_key):
        metadata = {"order_id": str(order.id), "order_number": order.number}
        params = {
            "mode": "payment",
            "client_reference_id": str(order.id),
            "customer_email": order.buyer.email,
            "line_items": line_items(order),
            "metadata": metadata,
            "payment_intent_data": {"metadata": metadata, "description": f"BEBELI {order.number}"},
            "success_url": success_url,
            "cancel_url": cancel_url,
            "locale": "id",
        }
        session = self._call(self.client.v1.checkout.sessions.create, params=params,
                             options={"idempotency_key": idempotency_key})
        return CheckoutSession.from_mapping(session.to_dict())

    def retrieve_checkout(self, session_id):
        return CheckoutSession.from_mapping(self._call(self.client.v1.checkout.sessions.retrieve, session_id).to_dict())

    def expire_checkout(self, session_id):
        try:
            session = self.client.v1.checkout.sessions.expire(session_id)
        except stripe.InvalidRequestError:  # no longer open: completed or already expired
            return self.retrieve_checkout(session_id)
        except stripe.StripeError as error:
            raise GatewayError() from error
        return CheckoutSession.from_mapping(session.to_dict())

    def refund(self, *, payment_intent, amount, idempotency_key, metadata):
        refund = self._call(
            self.client.v1.refunds.create,
            params={"payment_intent": payment_intent, "amount": amount * IDR_MINOR_UNITS,
                    "reason": "requested_by_customer", "metadata": metadata},
            options={"idempotency_key": idempotency_key},
        )
        return RefundResult(id=refund.id, status=refund.status, amount=refund.amount // IDR_MINOR_UNITS)

    def verify_webhook(self, payload, signature):
        try:  # the signature alone first: what the body says is read only once it is genuine
            stripe.WebhookSignature.verify_header(payload, signature, self.webhook_secret,
                                                  stripe.Webhook.DEFAULT_TOLERANCE)
        except (stripe.SignatureVerificationError, ValueError) as error:  # ValueError: not UTF-8
            raise WebhookRejected(str(error)) from error
        return parse_event(payload)

    def balance_transactions(self, created_from, created_to):
        created = {"lt": int(created_to.timestamp())}
        if created_from is not None:
            created["gte"] = int(created_from.timestamp())
        listing = self._call(self.client.v1.balance_transactions.list,
                             params={"created": created, "limit": 100, "expand": ["data.source"]})
        try:  # every page, through the same client
            items = [balance_transaction_from(item.to_dict()) for item in listing.auto_paging_iter()]
        except stripe.StripeError as error:
            current_app.logger.warning("stripe call failed: %s", error)
            raise GatewayError() from error
        return [item for item in items if item is not None]


# --- reading a verified webhook body ---------------------------------------------------------
# What the event's object must look like, by event type prefix: field -> (kind, required).
# Strings fit the columns they are stored in or compared with; amounts are whole numbers;
# related objects are ids (webhook bodies never carry expanded objects).
_TEXT, _LONG_TEXT, _SHORT_TEXT, _AMOUNT, _MAPPING = "text", "long text", "short text", "amount", "mapping"
OBJECT_SHAPES = {
    "checkout.session.": {
        "id": (_TEXT, True), "url": (_LONG_TEXT, False), "status": (_SHORT_TEXT, False),
        "payment_status": (_SHORT_TEXT, False), "payment_intent": (_TEXT, False),
        "amount_total": (_AMOUNT, False), "client_reference_id": (_TEXT, False), "metadata": (_MAPPING, False),
    },
    "charge.": {"id": (_TEXT, True), "payment_intent": (_TEXT, False), "amount_refunded": (_AMOUNT, False)},
}
_TEXT_LIMITS = {_TEXT: 255, _LONG_TEXT: 8192, _SHORT_TEXT: 20}
MAX_AMOUNT = 10**15  # hundredths of a rupiah: far above any order, far below a BIGINT


def _is_text(value, kind: str) -> bool:
    return isinstance(value, str) and 0 < len(value) <= _TEXT_LIMITS[kind] and "\x00" not in value


def _fits(value, kind: str) -> bool:
    if kind == _AMOUNT:
        return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_AMOUNT
    if kind == _MAPPING:  # Stripe's metadata: text keys and text values
        return isinstance(value, dict) and all(_is_text(k, _TEXT) and _is_text(v, _LONG_TEXT) for k, v in value.items())
    return _is_text(value, kind)


def parse_event(payload: bytes | str) -> dict:
    """The event in a verified webhook body, or WebhookMalformed saying what is wrong with it."""
    try:
        event = json.loads(payload)
    except (ValueError, RecursionError) as error:  # not JSON, not UTF-8, or nested past reading
        raise WebhookMalformed("the body is not JSON") from error
    if not isinstance(event, dict):
        raise WebhookMalformed(f"the body is a JSON {type(event).__name__}, not an object")
    if not _is_text(event.get("id"), _TEXT):
        raise WebhookMalformed("the event has no usable id")
    if not _is_text(event.get("type"), _TEXT) or len(event["type"]) > 80:
        raise WebhookMalformed("the event has no usable type")
    data = event.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("object"), dict):
        raise WebhookMalformed("the event has no data.object")
    obj = data["object"]
    for prefix, shape in OBJECT_SHAPES.items():
        if event["type"].startswith(prefix):
            for name, (kind, required) in shape.items():
                value = obj.get(name)
                if (value is None and required) or (value is not None and not _fits(value, kind)):
                    raise WebhookMalformed(f"data.object.{name} is missing or not a usable {kind}")
    return event


class SimulatedGateway(PaymentGateway):
    """Stands in for Stripe without keys: a payment page on this site that says plainly it is a
    simulation. Its "provider side" state lives in the Payment row of the session."""

    name = "simulated"
    label = "Simulasi"

    @staticmethod
    def _payment(session_id: str):
        from bebeli.extensions import db
        from bebeli.payments.models import Payment

        payment = db.session.scalar(db.select(Payment).where(Payment.session_id == session_id))
        if payment is None:
            raise GatewayError(_l("Sesi pembayaran tidak ditemukan."))
        return payment

    @staticmethod
    def _session(payment) -> CheckoutSession:
        return CheckoutSession(id=payment.session_id, url=payment.url, status=payment.status,
                               payment_status=payment.payment_status, payment_intent=payment.payment_intent_id,
                               amount_total=payment.amount, order_id=payment.order_id)

    def create_checkout(self, order, *, success_url, cancel_url, idempotency_key):
        session_id = "sim_cs_" + secrets.token_hex(12)
        return CheckoutSession(id=session_id, url=url_for("lifecycle.simulated_payment", session_id=session_id),
                               status="open", payment_status="unpaid", payment_intent=None,
                               amount_total=order.total_amount, order_id=order.id)

    def retrieve_checkout(self, session_id):
        return self._session(self._payment(session_id))

    def retrieve_for(self, payment):
        return self._session(payment)  # the simulation's side is that very row: no second read

    def expire_checkout(self, session_id):
        payment = self._payment(session_id)
        if payment.status == "open":
            payment.status = "expired"
        return self._session(payment)

    def pay(self, payment) -> CheckoutSession:
        """What the buyer's "pay" click does at the simulated provider, to the session's row."""
        if payment.status == "open":
            payment.status, payment.payment_status = "complete", "paid"
            payment.payment_intent_id = "sim_pi_" + secrets.token_hex(12)
        return self._session(payment)

    def refund(self, *, payment_intent, amount, idempotency_key, metadata):
        digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:24]
        return RefundResult(id=f"sim_re_{digest}", status="succeeded", amount=amount)

    def verify_webhook(self, payload, signature):
        raise WebhookRejected("the simulated gateway sends no webhooks")

    def balance_source(self, created_to):
        """The simulation's own records as SQL: the sessions it marked paid (when they were paid)
        and the refunds it made (its `sim_re_` ids on the payment events), each with its order."""
        import sqlalchemy as sa

        from bebeli.payments.models import Payment, PaymentEvent

        text, intent = sa.String(255), Payment.payment_intent_id
        charges = sa.select(Payment.id, sa.literal("charge", sa.String(20)).label("type"), Payment.amount,
                            sa.literal(0, sa.BigInteger).label("fee"), intent.label("payment_intent"),
                            sa.cast(intent, text).label("source"), Payment.order_id, Payment.updated_at.label("created")
                            ).where(Payment.gateway == self.name, Payment.payment_status == "paid",
                                    Payment.updated_at < created_to)
        refunds = sa.select(PaymentEvent.id, sa.literal("refund", sa.String(20)), -PaymentEvent.amount,
                            sa.literal(0, sa.BigInteger), sa.cast(sa.null(), text), sa.cast(PaymentEvent.reference, text),
                            PaymentEvent.order_id, PaymentEvent.created_at
                            ).where(PaymentEvent.kind == "refund", PaymentEvent.status == "succeeded",
                                    PaymentEvent.reference.like("sim\\_re\\_%", escape="\\"),
                                    PaymentEvent.created_at < created_to)
        return sa.union_all(charges, refunds).subquery("simulated_balance")

    def balance_transactions(self, created_from, created_to):
        from bebeli.extensions import db

        source = self.balance_source(created_to)
        rows = db.session.execute(source.select().order_by(source.c.created, source.c.id)).all()
        intents = {row.order_id: row.payment_intent for row in rows if row.type == "charge"}
        return [BalanceTransaction(id=f"sim_txn_{row.type[:2]}_{row.id}", type=row.type, amount=row.amount, fee=0,
                                   payment_intent=row.payment_intent or intents.get(row.order_id), source=row.source,
                                   created=row.created)
                for row in rows if created_from is None or row.created >= created_from]


def get_gateway(name: str | None = None) -> PaymentGateway:
    """The configured gateway, or the one named (refunds go back through the gateway that took
    the money)."""
    config = current_app.config
    if name == SimulatedGateway.name or (name is None and not config["STRIPE_SECRET_KEY"]):
        if not config.get("PAYMENTS_SIMULATED_ALLOWED"):
            raise RuntimeError("the simulated payment gateway is not allowed in this configuration")
        return SimulatedGateway()
    if not config["STRIPE_SECRET_KEY"]:
        raise RuntimeError("Stripe is not configured (STRIPE_SECRET_KEY is empty)")
    settings = (config["STRIPE_SECRET_KEY"], config["STRIPE_WEBHOOK_SECRET"], config.get("STRIPE_API_BASE") or None,
                config.get("STRIPE_HTTP_CLIENT"))
    cache = current_app.extensions.setdefault("bebeli_stripe_gateways", {})
    key = (settings[0], settings[1], settings[2], id(settings[3]))
    if key not in cache:
        cache[key] = StripeGateway(settings[0], webhook_secret=settings[1], api_base=settings[2], http_client=settings[3])
    return cache[key]
