"""A small town whose growth figures are computed by hand in the tests.

Sales are written straight into the insights summaries (the shop-month, product-month and
shop-buyer rows the order lifecycle keeps in step): these tests check the growth page's
reading of them, not the bookkeeping that fills them (tests/insights does that). Rows say
what the bookkeeping leaves behind: a personal and an agency channel in one month, and a
fully refunded sale (a month row with nothing left, a buyer row with no order).

Class limits are scaled down (mikro ≤ 1.000, kecil ≤ 5.000, menengah ≤ 20.000) so the
amounts stay readable; "now" is the real Jakarta month, M-n the n-th month before it.
"""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from bebeli.dates import jakarta_midnight, jakarta_today, month_start
from bebeli.extensions import db
from bebeli.insights.models import NO_AGENCY, InsightProductMonth, InsightShopBuyer, InsightShopMonth
from bebeli.quotas.obligations import last_months
from bebeli.sellers.models import CertificateKind, ShopCertificate, ShopStatus
from tests.factories import AgencyFactory, CategoryFactory, ProductFactory, ShopFactory

LIMITS = (("mikro", 1_000), ("kecil", 5_000), ("menengah", 20_000))


def months_ago(n: int) -> date:
    return last_months(month_start(jakarta_today()), n + 1)[0]


def in_month(n: int):
    """A moment safely inside the month M-n (the 10th, Jakarta midnight)."""
    return jakarta_midnight(months_ago(n) + timedelta(days=9))


@pytest.fixture
def small_limits(app):
    saved = app.config["UMKM_CLASS_LIMITS"]
    app.config["UMKM_CLASS_LIMITS"] = LIMITS
    yield LIMITS
    app.config["UMKM_CLASS_LIMITS"] = saved


def _sell(shop, month: int, amount: int, *, product=None, units: int = 1, channel: str = "personal",
          agency_id: int = NO_AGENCY, orders: int = 1):
    db.session.add(InsightShopMonth(shop_id=shop.id, month=months_ago(month), channel=channel, agency_id=agency_id,
                                    revenue_amount=amount, orders=orders, units=units))
    if product is not None:
        row = db.session.get(InsightProductMonth, (shop.id, product.id, months_ago(month)))
        if row is None:
            db.session.add(InsightProductMonth(product_id=product.id, month=months_ago(month), shop_id=shop.id,
                                               revenue_amount=amount, orders=orders, units=units))
        else:
            row.revenue_amount += amount
            row.units += units
            row.orders += orders
    db.session.flush()


def _last_sale(shop, days_ago: int | None, buyer_id: int = 1, orders: int = 1):
    at = None if days_ago is None else jakarta_midnight(jakarta_today() - timedelta(days=days_ago))
    db.session.add(InsightShopBuyer(shop_id=shop.id, buyer_id=buyer_id, orders=orders, first_paid_at=at,
                                    last_paid_at=at))


@pytest.fixture
def town(ctx, small_limits):
    today = jakarta_today()
    long_ago = jakarta_midnight(today - timedelta(days=800))
    food, craft, drink = CategoryFactory(name="Makanan"), CategoryFactory(name="Kerajinan"), CategoryFactory(name="Minuman")
    agency = AgencyFactory()

    a = ShopFactory(name="Toko Anggrek", kecamatan="Tambun Selatan", verified_at=long_ago)
    b = ShopFactory(name="Toko Bambu", kecamatan="Tambun Selatan", verified_at=long_ago)
    c = ShopFactory(name="Toko Cempaka", kecamatan="Cibitung", verified_at=long_ago)
    d = ShopFactory(name="Toko Dahlia", kecamatan="Cibitung", verified_at=long_ago)
    e = ShopFactory(name="Toko Elang", kecamatan="Cikarang Utara", verified_at=in_month(0), nib="")
    g = ShopFactory(name="Toko Gaharu", kecamatan="Cikarang Utara", verified_at=in_month(2))
    f = ShopFactory(name="Toko Flamboyan", kecamatan="Cikarang Utara", status=ShopStatus.PENDING)
    setu = [ShopFactory(name=f"Toko Setu {i:02d}", kecamatan="Setu", verified_at=long_ago) for i in range(1, 11)]

    a1, a2 = ProductFactory(shop=a, category=food), ProductFactory(shop=a, category=craft)
    # A: 800 a year ago (mikro) → 6.000 now (menengah), personal and agency purchases.
    _sell(a, 0, 1_000, product=a1, units=1)
    _sell(a, 0, 2_000, product=a1, units=3, channel="agency", agency_id=agency.id)
    _sell(a, 5, 3_000, product=a2, units=1)
    _sell(a, 13, 800)
    _last_sale(a, 5)
    # B: kecil both years; last sold four months ago → dormant.
    _sell(b, 4, 2_000, product=ProductFactory(shop=b, category=food), units=2)
    _sell(b, 14, 2_000)
    _last_sale(b, 130)
    # C: 6.000 a year ago (menengah; M-12 is the first month before the window) → 25.000 (besar).
    _sell(c, 1, 25_000, product=ProductFactory(shop=c, category=craft), units=5)
    _sell(c, 12, 6_000)
    _last_sale(c, 20)
    # D: sold 500 twenty months ago, nothing since: mikro both years, dormant, has sold.
    _sell(d, 20, 500, product=ProductFactory(shop=d, category=food))
    _last_sale(d, 600)
    # G: its only sale was refunded in full: nothing counted, never sold, dormant.
    _sell(g, 3, 0, orders=0, units=0)
    _last_sale(g, None, orders=0)
    # F is not verified: its sales count nowhere.
    _sell(f, 0, 99_999, product=ProductFactory(shop=f, category=food))
    _last_sale(f, 1)
    for shop in setu:
        _sell(shop, 1, 100, product=ProductFactory(shop=shop, category=drink))
        _last_sale(shop, 30)

    db.session.add_all([
        ShopCertificate(shop=a, kind=CertificateKind.HALAL, number="H-A", expires_on=today + timedelta(days=30)),
        ShopCertificate(shop=a, kind=CertificateKind.PIRT, number="P-A", expires_on=None),
        ShopCertificate(shop=b, kind=CertificateKind.HALAL, number="H-B", expires_on=today + timedelta(days=75)),
        ShopCertificate(shop=b, kind=CertificateKind.BPOM, number="B-B", expires_on=today - timedelta(days=1)),
        ShopCertificate(shop=c, kind=CertificateKind.SNI, number="S-C", expires_on=today + timedelta(days=200)),
        ShopCertificate(shop=f, kind=CertificateKind.HALAL, number="H-F", expires_on=today + timedelta(days=10)),
    ])
    db.session.commit()
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f, "g": g, "agency": agency}
