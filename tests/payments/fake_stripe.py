"""A fake Stripe API at the HTTP boundary: a `stripe.HTTPClient` that the real `StripeClient`
sends its requests to. It records every request (method, path, form parameters, idempotency
key), answers with JSON shaped like Stripe's for Checkout Sessions, Refunds and the balance
transactions they make (listed newest first, a page at a time), replays a
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
        self.charges: dict[str, dict] = {}
        self.balance: list[dict] = []  # balance transactions, oldest first
        self.clock: int | None = None  # the Unix time money moves at (None: now)
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
        if segments == ["v1", "balance_transactions"] and method == "GET":
            return self._reply(200, self._list_balance(params))
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
        self._move("refund", -refund["amount"], refund["id"])
        return self._reply(200, refund)

    # --- balance transactions ------------------------------------------------------------------
    def _move(self, kind: str, amount: int, source: str, fee: int = 0) -> dict:
        txn = {"id": f"txn_test_{next(self._ids):04d}", "object": "balance_transaction", "type": kind,
               "amount": amount, "fee": fee, "net": amount - fee, "currency": "idr", "status": "available",
               "created": self.clock if self.clock is not None else int(time.time()), "source": source}
        self.balance.append(txn)
        return txn

    def _expanded(self, txn: dict) -> dict:
        source = self.charges.get(txn["source"]) or self.refunds.get(txn["source"])
        return {**txn, "source": dict(source) if source else txn["source"]}

    def _list_balance(self, params):
        chosen = [t for t in reversed(self.balance)
                  if ("created[gte]" not in params or t["created"] >= int(params["created[gte]"]))
                  and ("created[lt]" not in params or t["created"] < int(params["created[lt]"]))]
        if params.get("starting_after"):
            ids = [t["id"] for t in chosen]
            chosen = chosen[ids.index(params["starting_after"]) + 1:] if params["starting_after"] in ids else []
        limit = int(params.get("limit") or 10)
        expand = "data.source" in {v for k, v in params.items() if k.startswith("expand[")}
        page = [self._expanded(t) if expand else dict(t) for t in chosen[:limit]]
        return {"object": "list", "url": "/v1/balance_transactions", "has_more": len(chosen) > limit, "data": page}

    # --- what happens at Stripe while the buyer is away ---------------------------------------
    def pay(self, session_id: str, *, payment_status: str = "paid") -> dict:
        session = self.sessions[session_id]
        first = session["payment_intent"] is None
        session.update(status="complete", payment_status=payment_status,
                       payment_intent=session["payment_intent"] or f"pi_test_{next(self._ids):04d}")
        if first and payment_status == "paid":
            charge = {"id": f"ch_test_{next(self._ids):04d}", "object": "charge", "amount": session["amount_total"],
                      "currency": "idr", "payment_intent": session["payment_intent"]}
            self.charges[charge["id"]] = charge
            self._move("charge", charge["amount"], charge["id"])
        return dict(session)

    def refund_in_dashboard(self, payment_intent: str, amount: int) -> dict:
        """Somebody refunds at Stripe's dashboard (`amount` in hundredths), and no webhook arrives."""
        refund = {"id": f"re_test_{next(self._ids):04d}", "object": "refund", "amount": amount, "currency": "idr",
                  "payment_intent": payment_intent, "status": "succeeded", "metadata": {}}
        self.refunds[refund["id"]] = refund
        self._move("refund", -amount, refund["id"])
        return refund

    def calls(self, method: str, path_start: str) -> list[Recorded]:
        return [r for r in self.requests if r.method == method and r.path.startswith(path_start)]


def event(event_type: str, obj: dict, event_id: str | None = None) -> str:
    return json.dumps({"id": event_id or f"evt_{event_type.replace('.', '_')}_{obj.get('id')}", "object": "event",
                       "type": event_type, "api_version": "2025-01-27", "created": int(time.time()),
                       "data": {"object": obj}, "livemode": False})


def signature(payload: str, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    return stripe.WebhookSignature.generate_signature_header(payload, secret, timestamp=timestamp)
