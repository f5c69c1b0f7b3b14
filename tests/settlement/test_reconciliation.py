"""The monthly reconciliation: what the gateway took in less what it gave back equals what was
paid out, what the shops hold, the platform's fees and the money of parts not completed yet, to
the rupiah; a difference is listed order by order. Through the fake Stripe API and through the
simulated gateway."""
from __future__ import annotations

import csv
import io
from datetime import date

import pytest
import sqlalchemy as sa
from flask import current_app

from bebeli import lifecycle
from bebeli.dates import jakarta_today, month_start
from bebeli.db import utcnow
from bebeli.extensions import db
from bebeli.money import rupiah
from bebeli.payments.gateway import SimulatedGateway, StripeGateway, get_gateway
from bebeli.payments.models import PaymentEvent
from bebeli.settlement import ledger
from bebeli.settlement.models import EntryKind, LedgerEntry, Payout, PayoutBatch, PayoutStatus
from bebeli.settlement.reconciliation import reconcile
from tests.factories import ProductFactory, ShopFactory, admin
from tests.orders.factories import asn_buyer, fill_cart, paid_order, place
from tests.payments.fake_stripe import SECRET_KEY, WEBHOOK_SECRET, FakeStripe
from tests.procurement.factories import agency_paid

PAGE = "/admin/penyelesaian/rekonsiliasi"


@pytest.fixture
def fake(ctx, monkeypatch) -> FakeStripe:
    """The test's own app talks to the fake Stripe API for the length of the test."""
    fake = FakeStripe()
    for name, value in (("STRIPE_SECRET_KEY", SECRET_KEY), ("STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET),
                        ("STRIPE_HTTP_CLIENT", fake)):
        monkeypatch.setitem(current_app.config, name, value)
    return fake


def this_month() -> date:
    return month_start(jakarta_today())


def _stripe_paid(fake, buyer, *items):
    fill_cart(buyer, *items)
    order = place(buyer)
    payment = lifecycle.start_payment(order, success_url="https://bebeli.test/ok", cancel_url="https://bebeli.test/no")
    db.session.commit()
    fake.pay(payment.session_id)
    assert lifecycle.confirm_return(order, payment.session_id) == "paid"
    db.session.commit()
    return order


def _complete(so, rejected=None):
    lifecycle.accept_seller_order(so, so.shop.owner)
    lifecycle.ship_seller_order(so, so.shop.owner, courier="Kurir toko", tracking_number=None)
    lifecycle.confirm_receipt(so, so.order.buyer, rejected=rejected or {}, note="Diterima")
    db.session.commit()


def _payout(shop, amount, *, returned=False, number="PB-1"):
    batch = PayoutBatch(number=number, total_amount=amount, payout_count=1)
    payout = Payout(batch=batch, shop_id=shop.id, amount=amount, bank_name="BRI", account_number="0123456789",
                    account_name=shop.name, reference=f"{number}-1", status=PayoutStatus.PAID, paid_at=utcnow(),
                    bank_reference="TRF-1")
    db.session.add(payout)
    db.session.flush()
    ledger.post(shop.id, EntryKind.PAYOUT, -amount, key=f"payout:{payout.id}", payout_id=payout.id)
    if returned:
        payout.status, payout.returned_at, payout.return_reason = PayoutStatus.RETURNED, utcnow(), "Rekening ditutup"
        ledger.post(shop.id, EntryKind.PAYOUT_RETURNED, amount, key=f"payout-returned:{payout.id}", payout_id=payout.id)
    db.session.commit()
    return payout


def _month_of_business(paid):
    """Personal sales with a fee, a refund after completion, an items-refused receipt, a part
    still on its way and a rejected one, a paid payout and a returned one, and an agency
    purchase the treasurer paid outside. `paid(buyer, *items)` pays an order."""
    current_app.config["PLATFORM_FEE_BP"] = 250
    try:
        s1, s2, s3 = (ShopFactory(delivery_fee_amount=10_000) for _ in range(3))
        kept = paid(asn_buyer(), (ProductFactory(shop=s1, price_amount=40_000, stock=9), 3))
        refused = paid(asn_buyer(), (ProductFactory(shop=s2, price_amount=50_000, stock=9), 4))
    finally:
        current_app.config["PLATFORM_FEE_BP"] = 0
    two_parts = paid(asn_buyer(), (ProductFactory(shop=s1, price_amount=30_000, stock=9), 1),
                     (ProductFactory(shop=s3, price_amount=20_000, stock=9), 2))
    [so] = kept.seller_orders
    _complete(so)
    lifecycle.refund(kept, 15_000, reason="cancelled", key=f"{so.number}:after", seller_order=so)  # after completion
    db.session.commit()
    [so2] = refused.seller_orders
    _complete(so2, rejected={so2.lines[0].id: 1})
    on_its_way, rejected = sorted(two_parts.seller_orders, key=lambda p: p.shop_id != s1.id)
    lifecycle.reject_seller_order(rejected, rejected.shop.owner, "Stok habis")
    db.session.commit()
    _payout(s1, 50_000, number="PB-1")
    _payout(s2, 60_000, returned=True, number="PB-2")
    agency_paid()
    return kept, refused, two_parts, on_its_way, rejected


def _assert_reconciles(report, *orders):
    captured = sum(o.total_amount for o in orders)
    refunded = sum(o.refunded_amount for o in orders)
    for terms in (report.month_terms, report.cumulative):
        assert (terms.captured, terms.refunded) == (captured, refunded)
        assert terms.difference == 0, terms
    assert report.differences == [] and report.matches


def test_a_month_through_stripe_reconciles_to_the_rupiah(fake):
    kept, refused, two_parts, on_its_way, rejected = _month_of_business(lambda *a: _stripe_paid(fake, *a))
    assert isinstance(get_gateway(), StripeGateway)
    db.session.expire_all()
    report = reconcile(this_month(), get_gateway())
    _assert_reconciles(report, kept, refused, two_parts)
    terms = report.cumulative
    assert terms.paid_out == 50_000 and terms.in_payout == 0
    assert terms.fees == 3_000 + 5_000 - 1_250  # 2.5% of the goods kept, frozen at checkout
    assert terms.in_transit == on_its_way.total_amount
    outside = db.session.scalar(sa.select(sa.func.count(LedgerEntry.id)).where(
        LedgerEntry.kind == EntryKind.OUTSIDE_SALE))
    assert outside and terms.held == sum(b for b in db.session.scalars(sa.select(LedgerEntry.amount).where(
        LedgerEntry.kind.notin_((EntryKind.OUTSIDE_SALE, EntryKind.OUTSIDE_PAID)))))
    # Stripe's balance transactions were read, a page at a time, in the month's time window.
    calls = fake.calls("GET", "/v1/balance_transactions")
    assert calls and calls[0].params["expand[0]"] == "data.source" and "created[lt]" in calls[0].params
    # The month before saw nothing.
    before = reconcile(date(this_month().year - (this_month().month == 1), (this_month().month - 2) % 12 + 1, 1),
                       get_gateway())
    assert before.cumulative.gateway_net == before.cumulative.recorded_net == 0 and before.matches


def test_balance_transactions_come_back_page_by_page_in_rupiah(fake):
    orders = [_stripe_paid(fake, asn_buyer(), (ProductFactory(price_amount=10_000 * (i + 1), stock=3), 1))
              for i in range(3)]
    gateway = get_gateway()
    gateway_items = gateway.balance_transactions(None, utcnow().replace(year=utcnow().year + 1))
    assert sorted(i.amount for i in gateway_items) == sorted(o.total_amount for o in orders)
    assert {i.payment_intent for i in gateway_items} == {o.payment_reference for o in orders}
    assert {i.type for i in gateway_items} == {"charge"}
    fake.requests.clear()
    listing = gateway.client.v1.balance_transactions.list(params={"limit": 2})
    assert len(list(listing.auto_paging_iter())) == 3 and len(fake.calls("GET", "/v1/balance_transactions")) == 2


def test_a_refund_at_stripe_that_bebeli_never_recorded_is_listed_with_its_order(fake):
    kept, *_ = _month_of_business(lambda *a: _stripe_paid(fake, *a))
    fake.refund_in_dashboard(kept.payment_reference, 7_000 * 100)
    report = reconcile(this_month(), get_gateway())
    assert report.cumulative.difference == report.month_terms.difference == -7_000 and not report.matches
    [row] = report.differences
    assert (row.order_number, row.payment_intent) == (kept.number, kept.payment_reference)
    assert (row.gateway_refunded, row.recorded_refunded, row.difference) == (15_000 + 7_000, 15_000, -7_000)
    assert row.records_difference == -7_000


def test_a_deleted_payment_event_is_listed_with_its_order(fake):
    _, _, two_parts, _, rejected = _month_of_business(lambda *a: _stripe_paid(fake, *a))
    db.session.execute(sa.delete(PaymentEvent).where(PaymentEvent.seller_order_id == rejected.id))
    db.session.commit()
    report = reconcile(this_month(), get_gateway())
    assert report.cumulative.difference == -rejected.total_amount
    [row] = report.differences
    assert row.order_number == two_parts.number
    assert (row.gateway_refunded, row.recorded_refunded) == (rejected.total_amount, 0)


def test_the_simulated_gateway_reconciles_from_its_own_records(ctx):
    kept, refused, two_parts, *_ = _month_of_business(paid_order)
    gateway = get_gateway()
    assert isinstance(gateway, SimulatedGateway)
    report = reconcile(this_month(), gateway)
    _assert_reconciles(report, kept, refused, two_parts)
    assert report.gateway == "Simulasi"
    # A captured payment the records lost shows up, with its order.
    db.session.execute(sa.delete(PaymentEvent).where(PaymentEvent.order_id == kept.id,
                                                     PaymentEvent.kind == "captured"))
    db.session.commit()
    [row] = reconcile(this_month(), gateway).differences
    assert (row.order_number, row.gateway_captured, row.recorded_captured) == (kept.number, kept.total_amount, 0)


def test_a_payout_not_yet_sent_is_money_in_payout(ctx):
    shop = ShopFactory(delivery_fee_amount=0)
    order = paid_order(asn_buyer(), (ProductFactory(shop=shop, price_amount=80_000, stock=3), 1))
    _complete(order.seller_orders[0])
    payout = _payout(shop, 30_000)
    payout.status, payout.paid_at = PayoutStatus.PENDING, None
    db.session.commit()
    terms = reconcile(this_month(), get_gateway()).cumulative
    assert (terms.in_payout, terms.paid_out, terms.held, terms.difference) == (30_000, 0, 50_000, 0)


def test_the_page_and_its_csv_are_for_administrators(client, ctx):
    shop = ShopFactory()
    order = paid_order(asn_buyer(), (ProductFactory(shop=shop, price_amount=25_000, stock=3), 1))
    _complete(order.seller_orders[0])
    db.session.execute(sa.delete(PaymentEvent).where(PaymentEvent.order_id == order.id))
    db.session.commit()
    month = this_month().strftime("%Y-%m")

    client.login(shop.owner)
    assert client.get(f"{PAGE}?bulan={month}").status_code in (403, 404)
    assert client.get(f"{PAGE}.csv?bulan={month}").status_code in (403, 404)
    client.logout()

    client.login(admin())
    page = client.get(f"{PAGE}?bulan={month}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'data-verdict="difference"' in html and order.number in html
    # the equation holds (the ledger has the sale) but the payment records lost the payment
    assert "Tidak cocok" in html and f'data-testid="records-difference"><strong>{rupiah(order.total_amount)}' in html
    export = client.get(f"{PAGE}.csv?bulan={month}")
    assert export.status_code == 200 and export.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True))))
    assert rows[0][1] == month and any(r and r[0] == order.number for r in rows)
    # Another month: nothing, a clear verdict and the empty state; a malformed month falls back.
    quiet = client.get(f"{PAGE}?bulan=2020-01").get_data(as_text=True)
    assert 'data-verdict="match"' in quiet and "Tidak ada selisih per pesanan" in quiet
    for junk in ("9999-12", "0000-01", "x", "2026-13"):
        assert client.get(f"{PAGE}?bulan={junk}").status_code == 200


def test_money_taken_at_stripe_for_a_payment_never_applied_is_listed_by_its_payment_intent(fake):
    buyer = asn_buyer()
    fill_cart(buyer, (ProductFactory(price_amount=45_000, stock=3), 1))
    order = place(buyer)
    payment = lifecycle.start_payment(order, success_url="https://bebeli.test/ok", cancel_url="https://bebeli.test/no")
    db.session.commit()
    intent = fake.pay(payment.session_id)["payment_intent"]  # neither the buyer nor the webhook came back
    report = reconcile(this_month(), get_gateway())
    assert report.cumulative.difference == order.total_amount and not report.matches
    [row] = report.differences
    assert (row.payment_intent, row.gateway_captured, row.recorded_captured, row.order_id) == \
        (intent, order.total_amount, 0, None)
    db.session.get(type(payment), payment.id).payment_intent_id = intent  # the session was read back once
    db.session.commit()
    [row] = reconcile(this_month(), get_gateway()).differences
    assert (row.order_number, row.payment_intent) == (order.number, intent)
