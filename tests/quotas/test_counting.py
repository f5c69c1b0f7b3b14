"""What counts: paid goods from verified local shops, by payment date in Jakarta time, with
cancellations, rejections and refunds taken back out of the month the payment counted in."""
from datetime import date, datetime, timezone

import sqlalchemy as sa

from bebeli.extensions import db
from bebeli import lifecycle
from bebeli.orders.models import Channel
from bebeli.quotas.models import EntryKind, QuotaEntry, QuotaMonth, QuotaSpend
from bebeli.sellers.models import ShopStatus
from tests.factories import AsnFactory, ProductFactory, ShopFactory
from tests.quotas.factories import buy, pay, place_order, policy

NOV, DEC = date(2026, 11, 1), date(2026, 12, 1)


def utc(*args):
    return datetime(*args, tzinfo=timezone.utc)


def counted(user, month):
    row = db.session.get(QuotaMonth, (user.id, month))
    db.session.refresh(row) if row else None
    return row.counted_amount if row else 0


def test_goods_count_but_delivery_and_ppn_do_not(ctx):
    buyer = AsnFactory().user
    shop = ShopFactory(is_pkp=True, delivery_fee_amount=15_000)
    order = buy(buyer, [(ProductFactory(shop=shop, price_amount=40_000), 2)], paid_at=utc(2026, 11, 10, 3))
    order.seller_orders[0].ppn_amount = 8_800  # as checkout would set it for a PKP seller
    assert counted(buyer, NOV) == 80_000
    spend = db.session.scalars(sa.select(QuotaSpend)).all()
    assert [(s.month, s.shop_id, s.amount) for s in spend] == [(NOV, shop.id, 80_000)]


def test_paid_in_the_first_hours_of_a_jakarta_month_counts_in_that_month(ctx):
    buyer = AsnFactory().user
    # 00:30 WIB on 1 December is still 30 November in UTC.
    buy(buyer, [(ProductFactory(price_amount=30_000), 1)], paid_at=utc(2026, 11, 30, 17, 30))
    assert (counted(buyer, NOV), counted(buyer, DEC)) == (0, 30_000)


def test_paid_on_the_last_evening_of_the_month_counts_in_that_month(ctx):
    buyer = AsnFactory().user
    # 23:50 WIB on 30 November.
    buy(buyer, [(ProductFactory(price_amount=30_000), 1)], paid_at=utc(2026, 11, 30, 16, 50))
    assert (counted(buyer, NOV), counted(buyer, DEC)) == (30_000, 0)


def test_only_verified_local_shops_count(ctx):
    buyer = AsnFactory().user
    local = ProductFactory(price_amount=10_000)
    outsider = ProductFactory(price_amount=20_000, shop=ShopFactory(is_local=False))
    unverified = ProductFactory(price_amount=40_000)
    unverified.shop.status = ShopStatus.SUSPENDED  # suspended between checkout and payment
    db.session.commit()
    buy(buyer, [(local, 1), (outsider, 1), (unverified, 1)], paid_at=utc(2026, 11, 5))
    assert counted(buyer, NOV) == 10_000
    assert {e.shop_id for e in db.session.scalars(sa.select(QuotaEntry))} == {local.shop_id}


def test_cancelled_order_is_taken_back_out(ctx):
    buyer = AsnFactory().user
    order = buy(buyer, [(ProductFactory(price_amount=60_000), 1)], paid_at=utc(2026, 11, 5))
    lifecycle.cancel_seller_order(order.seller_orders[0], buyer, "Salah pesan")
    db.session.commit()
    assert counted(buyer, NOV) == 0
    kinds = [(e.kind, e.reason, e.amount) for e in db.session.scalars(sa.select(QuotaEntry).order_by(QuotaEntry.id))]
    assert kinds == [(EntryKind.PURCHASE, "paid", 60_000), (EntryKind.REDUCTION, "cancelled", -60_000)]
    assert db.session.scalar(sa.select(sa.func.sum(QuotaSpend.amount))) == 0


def test_partially_rejected_order_counts_what_was_kept(ctx):
    buyer = AsnFactory().user
    shop = ShopFactory()
    keep, refuse = ProductFactory(shop=shop, price_amount=25_000), ProductFactory(shop=shop, price_amount=10_000)
    order = buy(buyer, [(keep, 2), (refuse, 3)], paid_at=utc(2026, 11, 5))
    so = order.seller_orders[0]
    lifecycle.accept_seller_order(so, shop.owner)
    lifecycle.ship_seller_order(so, shop.owner, courier="JNE", tracking_number="JX123")
    refused_line = next(line for line in so.lines if line.product_id == refuse.id)
    lifecycle.confirm_receipt(so, buyer, rejected={refused_line.id: 2}, note="Dua bungkus rusak")
    db.session.commit()
    assert counted(buyer, NOV) == 80_000 - 20_000


def test_a_late_reduction_comes_out_of_the_month_of_payment(ctx):
    buyer = AsnFactory().user
    order = buy(buyer, [(ProductFactory(price_amount=50_000), 1)], paid_at=utc(2026, 11, 29))
    buy(buyer, [(ProductFactory(price_amount=20_000), 1)], paid_at=utc(2026, 12, 3))
    lifecycle.reject_seller_order(order.seller_orders[0], order.seller_orders[0].shop.owner, "Stok habis")
    db.session.commit()
    assert (counted(buyer, NOV), counted(buyer, DEC)) == (0, 20_000)


def test_reductions_never_take_out_more_than_was_counted(ctx):
    buyer = AsnFactory().user
    local = ProductFactory(price_amount=30_000)
    outsider = ProductFactory(price_amount=70_000, shop=ShopFactory(is_local=False))
    order = buy(buyer, [(local, 1), (outsider, 1)], paid_at=utc(2026, 11, 5))
    for so in order.seller_orders:  # both shops' parts refunded in full
        lifecycle.cancel_seller_order(so, buyer, "Batal")
    db.session.commit()
    assert counted(buyer, NOV) == 0


def test_agency_purchases_do_not_count(ctx):
    buyer = AsnFactory().user
    pay(place_order(buyer, [(ProductFactory(price_amount=90_000), 1)], channel=Channel.AGENCY), utc(2026, 11, 5))
    assert counted(buyer, NOV) == 0


def test_a_payment_signalled_twice_counts_once(ctx):
    buyer = AsnFactory().user
    order = buy(buyer, [(ProductFactory(price_amount=30_000), 1)], paid_at=utc(2026, 11, 5))
    pay(order, utc(2026, 11, 5))
    assert counted(buyer, NOV) == 30_000


def test_unpaid_checkout_holds_room_until_it_expires(ctx):
    policy(ceiling_amount=500_000)
    buyer = AsnFactory().user
    order = place_order(buyer, [(ProductFactory(price_amount=45_000), 2)])
    month = db.session.scalars(sa.select(QuotaMonth)).one()
    assert (month.counted_amount, month.reserved_amount) == (0, 90_000)
    assert lifecycle.expire_order(order, force=True)
    db.session.commit()
    db.session.refresh(month)
    assert (month.counted_amount, month.reserved_amount) == (0, 0)
