"""A fake Stripe API at the HTTP boundary: a `stripe.HTTPClient` that the real `StripeClient`
sends its requests to. It records every request (method, path, form parameters, idempotency
key), answers with JSON shaped like Stripe's for Checkout Sessions and Refunds, replays a
response for a repeated idempotency key as Stripe does, and builds signed webhook payloads."""
from __future__ import annotations

import itertools
import json
import time
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

import stripe

WEBHOOK_SECRET = "whsec_bebeli_test"
SECRET_KEY = "sk_test_bebeli"


@dataclass
class Recorded:
    method: str
    path: str
    params: dict
    idempotency_key: str | None


class FakeStripe(stripe.HTTPClient):
    name = "fake-stripe"

    def __init__(self):
        super().__init__()
        self.reset()

    def reset(self) -> None:
        self.requests: list[Recorded] = []
        self.sessions: dict[str, dict] = {}
        self.refunds: dict[str, dict] = {}
        self._replies: dict[tuple, tuple] = {}
        self._ids = itertools.count(1)
        self.down = False  # answer every request with a server error

    # --- the HTTP boundary ------------------------------------------------------------------
    def request(self, method, url, headers, post_data=None, *, _usage=None):
        parts = urlsplit(url)
        params = dict(parse_qsl(post_data or parts.query, keep_blank_values=True))
        key = (headers or {}).get("Idempotency-Key")
        self.requests.append(Recorded(method.upper(), parts.path, params, key))
        if self.down:  # told not to retry, as Stripe does when a retry cannot help
            body, status, headers = self._reply(503, {"error": {"type": "api_error", "message": "Stripe is down"}})
            return body, status, {**headers, "stripe-should-retry": "false"}
        replay = (method.upper(), parts.path, key)
        if key and replay in self._replies:
            return self._replies[replay]
        reply = self._route(method.upper(), parts.path, params)
        if key and method.upper() == "POST":
            self._replies[replay] = reply
        return reply

    def close(self):
        pass

    def _reply(self, status: int, body: dict):
        return json.dumps(body), status, {"Request-Id": f"req_{next(self._ids)}", "Content-Type": "application/json"}

    def _route(self, method, path, params):
        segments = path.strip("/").split("/")
        if segments[:3] == ["v1", "checkout", "sessions"]:
            if method == "POST" and len(segments) == 3:
                return self._reply(200, self._create_session(params))
            session = self.sessions.get(segments[3])
            if session is None:
                return self._error("resource_missing", f"No such checkout.session: '{segments[3]}'", 404)
            if len(segments) == 5 and segments[4] == "expire":
                if session["status"] != "open":
                    return self._error("checkout_session_not_open",
                                       "Only Checkout Sessions with a status of `open` can be expired.")
                session["status"] = "expired"
            return self._reply(200, session)
        if segments[:2] == ["v1", "refunds"] and method == "POST":
            return self._create_refund(params)
        return self._error("unknown_route", f"{method} {path}", 404)

    def _error(self, code, message, status=400):
        return self._reply(status, {"error": {"type": "invalid_request_error", "code": code, "message": message}})

    def _create_session(self, params):
        number = next(self._ids)
        total = sum(int(params[f"line_items[{i}][price_data][unit_amount]"]) * int(params[f"line_items[{i}][quantity]"])
                    for i in itertools.takewhile(lambda i: f"line_items[{i}][quantity]" in params, itertools.count()))
        session = {
            "id": f"cs_test_{number:04d}", "object": "checkout.session", "mode": "payment", "status": "open",
            "payment_status": "unpaid", "currency": params.get("currency", "idr"), "amount_total": total,
            "client_reference_id": params.get("client_reference_id"), "payment_intent": None,
            "metadata": {k[9:-1]: v for k, v in params.items() if k.startswith("metadata[")},
            "url": f"https://checkout.stripe.com/c/pay/cs_test_{number:04d}",
            "success_url": params.get("success_url"), "cancel_url": params.get("cancel_url"),
            "expires_at": int(time.time()) + 24 * 3600, "livemode": False,
        }
        self.sessions[session["id"]] = session
        return session

    def _create_refund(self, params):
        intent = params.get("payment_intent")
        if not any(s["payment_intent"] == intent for s in self.sessions.values()):
            return self._error("resource_missing", f"No such payment_intent: '{intent}'", 404)
        refund = {"id": f"re_test_{next(self._ids):04d}", "object": "refund", "amount": int(params["amount"]),
                  "currency": "idr", "payment_intent": intent, "status": "succeeded",
                  "metadata": {k[9:-1]: v for k, v in params.items() if k.startswith("metadata[")}}
        self.refunds[refund["id"]] = refund
        return self._reply(200, refund)

    # --- what happens at Stripe while the buyer is away ---------------------------------------
    def pay(self, session_id: str, *, payment_status: str = "paid") -> dict:
        session = self.sessions[session_id]
        session.update(status="complete", payment_status=payment_status,
                       payment_intent=session["payment_intent"] or f"pi_test_{next(self._ids):04d}")
        return dict(session)

    def calls(self, method: str, path_start: str) -> list[Recorded]:
        return [r for r in self.requests if r.method == method and r.path.startswith(path_start)]


def event(event_type: str, obj: dict, event_id: str | None = None) -> str:
    return json.dumps({"id": event_id or f"evt_{event_type.replace('.', '_')}_{obj.get('id')}", "object": "event",
                       "type": event_type, "api_version": "2025-01-27", "created": int(time.time()),
                       "data": {"object": obj}, "livemode": False})


def signature(payload: str, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    return stripe.WebhookSignature.generate_signature_header(payload, secret, timestamp=timestamp)
