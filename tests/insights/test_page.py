"""The seller's insight page shows the hand-computed world's figures (see `world.build`), to the
shop's owner only; the report form as rendered downloads a PDF of the chosen month."""
from datetime import date, timedelta

import sqlalchemy as sa

from bebeli.dates import jakarta_today
from bebeli.extensions import db
from bebeli.sellers.models import CertificateKind, ShopCertificate
from tests.factories import ProductFactory, ShopFactory
from tests.insights.world import NOV, OCT, build
from tests.pageforms import figures, rendered_form

PAGE = "/toko/wawasan"
REPORT = "/toko/wawasan/laporan.pdf"


def test_every_figure_of_the_world(client, ctx):
    w = build()
    client.login(w.shop.owner)
    response = client.get(PAGE)
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    html = response.get_data(as_text=True)
    # 12 months: 50.000 (Oct) + 10.000 personal + 50.000 agency (Nov); orders 1 + 1 + 1; units 4 + 1 + 5.
    assert figures(html, testid="sales-totals") == {"revenue": 110_000, "orders": 3, "units": 10, "aov": 36_666}
    assert figures(html, month=f"{OCT:%Y-%m}") == {"revenue": 50_000, "orders": 1, "units": 4, "aov": 50_000,
                                                   "personal": 50_000, "agency": 0}
    assert figures(html, month=f"{NOV:%Y-%m}") == {"revenue": 60_000, "orders": 2, "units": 6, "aov": 30_000,
                                                   "personal": 10_000, "agency": 50_000}
    assert figures(html, agency=w.agency.name) == {"revenue": 50_000, "orders": 1, "units": 5}
    # A1: 27.273 + 60.000 over 3 + 6 units and 3 orders; A2: 22.727, 1 unit (its November sale rejected).
    assert figures(html, testid="products-best", product=str(w.a1.id)) == {"revenue": 87_273, "units": 9, "orders": 3}
    assert figures(html, testid="products-best", product=str(w.a2.id)) == {"revenue": 22_727, "units": 1, "orders": 1}
    assert f'data-product="{w.a3.id}"' in html.split('data-testid="products-never"')[1]
    assert f'data-product="{w.b1.id}"' not in html  # shop B's product
    # buyer1 bought twice (orders 1 and 2), buyer2 once (order 4; order 3 was rejected).
    assert figures(html, testid="customers") == {"buyers": 2, "repeat": 1}
    assert ">50%<" in html.split('data-testid="repeat-share"')[1][:10]
    assert "<svg" in html


def test_the_other_seller_sees_only_their_own_shop(client, ctx):
    w = build()
    client.login(w.other_shop.owner)
    html = client.get(PAGE).get_data(as_text=True)
    assert figures(html, testid="sales-totals") == {"revenue": 7_000, "orders": 1, "units": 1, "aov": 7_000}
    assert w.agency.name not in html
    for product in (w.a1, w.a2, w.a3):
        assert f'data-product="{product.id}"' not in html
    # No shop is ever named in the request: a shop id in the query changes nothing.
    again = client.get(f"{PAGE}?shop_id={w.shop.id}&shop={w.shop.id}").get_data(as_text=True)
    assert figures(again, testid="sales-totals") == figures(html, testid="sales-totals")


def test_buyers_and_visitors_are_refused(client, ctx):
    w = build()
    assert client.get(PAGE).status_code == 302  # to the login page
    client.login(w.buyer1)
    assert client.get(PAGE).status_code in (403, 404)
    assert client.get(REPORT).status_code in (403, 404)


def test_the_report_form_as_rendered_downloads_the_chosen_month(client, ctx):
    w = build()
    client.login(w.shop.owner)
    form = rendered_form(client.get(PAGE).get_data(as_text=True), REPORT)
    assert form.options["bulan"][0] == f"{jakarta_today():%Y-%m}" and len(form.options["bulan"]) == 12
    form.choose("bulan", f"{NOV:%Y-%m}")
    response = client.get(REPORT, query_string=form.data())
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert f"{NOV:%Y-%m}" in response.headers["Content-Disposition"]
    assert "no-store" in response.headers["Cache-Control"]
    # A month outside the last twelve (or nonsense) falls back to this month.
    odd = client.get(REPORT, query_string={"bulan": "1999-01"})
    assert odd.status_code == 200 and f"{jakarta_today():%Y-%m}" in odd.headers["Content-Disposition"]


def test_report_figures_of_a_month(ctx):
    from bebeli.insights.report import report_figures

    w = build()
    db.session.add(ShopCertificate(shop=w.shop, kind=CertificateKind.HALAL, number="ID-1",
                                   expires_on=jakarta_today() + timedelta(days=400)))
    db.session.add(ShopCertificate(shop=w.shop, kind=CertificateKind.PIRT, number="P-1",
                                   expires_on=date(2020, 1, 1)))
    db.session.commit()
    f = report_figures(w.shop, NOV)
    assert f["sales"] == {"revenue": 60_000, "orders": 2, "units": 6, "personal": 10_000, "agency": 50_000,
                          "aov": 30_000}
    # November's buyers: buyer1 (order 2; two orders in all) and buyer2 (order 4); order 3 rejected.
    assert f["customers"] == {"buyers": 2, "repeat": 1, "share_bp": 5_000}
    assert [c.number for c in f["certificates"]] == ["ID-1"]  # the expired PIRT is not held
    assert f["rating"].count == 0


def test_dashboard_links_to_the_page_and_shows_alerts(client, ctx):
    shop = ShopFactory()
    low = ProductFactory(shop=shop, stock=2, low_stock_threshold=5, name="Keripik pedas")
    ProductFactory(shop=shop, stock=9, low_stock_threshold=5, name="Kopi bubuk")
    db.session.add(ShopCertificate(shop=shop, kind=CertificateKind.HALAL, number="H-9",
                                   expires_on=jakarta_today() + timedelta(days=30)))
    db.session.add(ShopCertificate(shop=shop, kind=CertificateKind.SNI, number="S-9",
                                   expires_on=jakarta_today() + timedelta(days=90)))
    db.session.commit()
    client.login(shop.owner)
    html = client.get("/toko/").get_data(as_text=True)
    assert 'href="/toko/wawasan"' in html
    alerts = html.split('data-testid="low-stock"')[1].split("</section>")[0]
    assert low.name in alerts and "Kopi bubuk" not in alerts
    expiring = html.split('data-testid="expiring-certificates"')[1].split("</div>")[0]
    assert "Halal" in expiring and "SNI" not in expiring
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ShopCertificate)) == 2


def test_views_conversion_and_carts_of_the_own_shop(client, ctx):
    from bebeli.cart.models import CartLine
    from bebeli.db import utcnow
    from bebeli.pageviews.models import ProductViewsDaily
    from tests.orders.factories import asn_buyer

    w = build()
    today = jakarta_today()
    db.session.add_all([ProductViewsDaily(product_id=w.a1.id, day=today, views=40),
                        ProductViewsDaily(product_id=w.a1.id, day=today - timedelta(days=3), views=20),
                        ProductViewsDaily(product_id=w.a3.id, day=today, views=7),
                        ProductViewsDaily(product_id=w.a3.id, day=today - timedelta(days=400), views=99),  # too old
                        ProductViewsDaily(product_id=w.b1.id, day=today, views=500)])                       # shop B
    buyers = [asn_buyer(), asn_buyer()]
    db.session.add_all([CartLine(buyer_id=buyers[0].id, product_id=w.a3.id, quantity=1, price_seen_amount=1,
                                 created_at=utcnow() - timedelta(days=10)),
                        CartLine(buyer_id=buyers[1].id, product_id=w.a3.id, quantity=2, price_seen_amount=1),
                        CartLine(buyer_id=buyers[1].id, product_id=w.b1.id, quantity=1, price_seen_amount=1)])
    db.session.commit()
    client.login(w.shop.owner)
    html = client.get(PAGE).get_data(as_text=True)
    # A1: 60 views, 3 orders → 5,0%; A3: 7 views (the 400-day-old ones left out), never ordered.
    assert figures(html, testid="products-viewed", product=str(w.a1.id)) == {"views": 60, "orders": 3}
    viewed = html.split('data-testid="products-viewed"')[1]
    assert ">5,0%<" in viewed.split(f'data-product="{w.a1.id}"')[1].split("</tr>")[0]
    assert figures(html, testid="products-viewed", product=str(w.a3.id)) == {"views": 7, "orders": 0}
    assert figures(html, testid="products-in-carts", product=str(w.a3.id)) == {"carts": 2, "left": 1}
    assert f'data-product="{w.b1.id}"' not in html
