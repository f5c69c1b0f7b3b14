"""What buyers see: the home page, category, product and shop pages, filters in the URL."""
from datetime import date, timedelta

from bebeli.auth.models import Role
from bebeli.extensions import db
from bebeli.sellers.models import CertificateKind, ShopCertificate, ShopStatus
from tests.catalog.helpers import category_pair, indexed_product
from tests.factories import AsnFactory, CategoryFactory, ShopFactory, UserFactory


def test_home_shows_categories_new_and_popular_products(client, ctx):
    food, _ = category_pair("Makanan & Minuman", "Kue & Roti")
    indexed_product(name="Bolu Baru", sold_count=0)
    indexed_product(name="Nastar Laris", sold_count=40)
    page = client.get("/").get_data(as_text=True)
    assert "Makanan &amp; Minuman" in page and f'href="/kategori/{food.slug}"' in page
    new = page.split('data-testid="home-new"')[1].split("</section>")[0]
    popular = page.split('data-testid="home-popular"')[1].split("</section>")[0]
    assert "Bolu Baru" in new and "Nastar Laris" in new
    assert "Nastar Laris" in popular and "Bolu Baru" not in popular
    assert "Daftarkan UMKM Anda" in page  # the anonymous hero


def test_home_keeps_the_asn_section_and_shows_an_empty_state(client, ctx):
    asn = AsnFactory()
    client.login(asn.user)
    page = client.get("/").get_data(as_text=True)
    assert 'data-testid="asn-home"' in page and "Belum ada produk yang tayang." in page


def test_a_top_category_lists_its_sub_categories_products(client, ctx):
    food, cakes = category_pair("Makanan & Minuman", "Kue & Roti")
    other = CategoryFactory(name="ATK")
    indexed_product(name="Lapis Legit", category=cakes)
    indexed_product(name="Pulpen Gel", category=other)
    page = client.get(f"/kategori/{food.slug}").get_data(as_text=True)
    assert "Lapis Legit" in page and "Pulpen Gel" not in page and f'href="/kategori/{cakes.slug}"' in page
    cakes.is_active = False
    db.session.commit()
    assert client.get(f"/kategori/{cakes.slug}").status_code == 404


def test_filters_live_in_the_url_and_combine(client, ctx):
    indexed_product(name="Kopi Murni", price_amount=40_000, stock=5, shop=ShopFactory(kecamatan="Setu"))
    indexed_product(name="Kopi Susu", price_amount=20_000, stock=0, shop=ShopFactory(kecamatan="Setu"))
    indexed_product(name="Kopi Luar", price_amount=30_000, shop=ShopFactory(kecamatan="Depok", is_local=False))
    page = client.get("/katalog?q=kopi&kecamatan=Setu&stok=1&min=10.000&maks=50000&urut=termurah")
    html = page.get_data(as_text=True)
    assert "Kopi Murni" in html and "Kopi Susu" not in html and "Kopi Luar" not in html
    assert '<option value="Setu" selected>' in html  # the filters stay filled in
    html = client.get("/katalog?q=kopi&lokal=1&urut=termurah").get_data(as_text=True)
    assert html.index("Kopi Susu") < html.index("Kopi Murni") and "Kopi Luar" not in html
    # A bad filter is shown beside its field and ignored, never an error page.
    bad = client.get("/katalog?q=kopi&min=sepuluh&page=abc")
    assert bad.status_code == 200 and "Tulis nominal rupiah" in bad.get_data(as_text=True)


def test_results_paginate_and_keep_the_query(client, ctx):
    for i in range(30):
        indexed_product(name=f"Batik Motif {i}")
    html = client.get("/katalog?q=batik&urut=terbaru").get_data(as_text=True)
    assert "30 produk" in html and "/katalog?q=batik&amp;urut=terbaru&amp;page=2" in html
    assert "Batik Motif 5" in client.get("/katalog?q=batik&urut=terbaru&page=2").get_data(as_text=True)


def test_empty_states_and_did_you_mean(client, ctx):
    indexed_product(name="Keripik Pisang Manis")
    html = client.get("/katalog?q=kripik").get_data(as_text=True)
    assert 'data-testid="did-you-mean"' in html and "Keripik Pisang Manis" in html
    html = client.get("/katalog?q=helikopter").get_data(as_text=True)
    assert "Tidak ada produk untuk “helikopter”." in html


def test_product_page_shows_price_stock_minimum_and_the_shop_card(client, ctx):
    shop = ShopFactory(name="Dapur Ningsih", kecamatan="Cikarang Pusat")
    db.session.add(ShopCertificate(shop=shop, kind=CertificateKind.HALAL, number="ID-1",
                                   expires_on=date.today() + timedelta(days=9)))
    product = indexed_product(shop=shop, name="Nasi Kotak Rendang", price_amount=42_000, unit="porsi",
                              stock=0, min_order_qty=20)
    response = client.get(f"/produk/{product.id}")
    assert response.status_code == 301 and response.location.endswith(f"/produk/{product.id}/{product.slug}")
    html = client.get(response.location).get_data(as_text=True)
    for text in ("Rp\u00a042.000", "/ porsi", "Stok habis", "20 porsi", "Dapur Ningsih", "Kec. Cikarang Pusat",
                 "Halal ID-1"):
        assert text in html, text
    # Without reviews: said plainly, no figures, no structured rating (tests/reviews has the rest).
    assert 'data-testid="no-reviews"' in html and 'data-testid="rating-summary"' not in html
    assert "application/ld+json" not in html
    assert 'data-testid="buy-box"' not in html  # nothing to buy while out of stock


def test_shop_page_lists_its_products_and_hides_an_unverified_shop(client, ctx):
    shop = ShopFactory(name="Anyaman Cibarusah", description="Perajin bambu.")
    indexed_product(shop=shop, name="Tampah Bambu")
    indexed_product(name="Produk Toko Lain")
    html = client.get(f"/umkm/{shop.slug}").get_data(as_text=True)
    assert "Tampah Bambu" in html and "Produk Toko Lain" not in html and "Perajin bambu." in html
    assert 'data-testid="no-reviews"' in html and 'data-testid="shop-rating"' not in html
    pending = ShopFactory(status=ShopStatus.PENDING)
    assert client.get(f"/umkm/{pending.slug}").status_code == 404
    client.login(pending.owner)  # the owner previews it
    assert client.get(f"/umkm/{pending.slug}").status_code == 200


def test_the_seller_dashboard_links_to_incoming_orders_when_orders_exist(client, app, ctx):
    client.login(ShopFactory().owner)
    html = client.get("/toko/").get_data(as_text=True)
    assert ('data-testid="seller-orders-link"' in html) == ("orders.seller_index" in app.view_functions)


def test_buyers_and_sellers_see_the_right_menu(client, ctx):
    assert "Daftar UMKM" in client.get("/").get_data(as_text=True)
    client.login(UserFactory(roles=[Role.SELLER]))
    html = client.get("/").get_data(as_text=True)
    assert 'href="/toko/"' in html and "Daftar UMKM" not in html


def test_visitors_sign_in_to_buy_and_buyers_get_the_cart_form(client, app, ctx):
    product = indexed_product(name="Rendang Kemasan", stock=10)
    path = f"/produk/{product.id}/{product.slug}"
    html = client.get(path).get_data(as_text=True)
    assert f'href="/masuk?next={path}"' in html and "csrf_token" not in html
    client.login(AsnFactory().user)
    html = client.get(path).get_data(as_text=True)
    if "cart.add" in app.view_functions:
        assert "Tambah ke keranjang" in html and 'name="product_id"' in html
    assert "Tanya penjual via WhatsApp" in html


def _more_section(page: str) -> str:
    return page.split("Produk lain dari", 1)[1].split("</section>")[0] if "Produk lain dari" in page else ""


def test_a_product_page_shows_four_other_best_sellers_of_its_shop(app, client, ctx):
    from bebeli.catalog.cache import page_cache
    from bebeli.catalog.models import CatalogState, ProductStatus

    shop = ShopFactory()
    made = {n: indexed_product(name=f"Kue {n}", shop=shop, sold_count=sold)
            for n, sold in (("A", 50), ("B", 40), ("C", 30), ("D", 20), ("E", 10), ("F", 5))}
    indexed_product(name="Kue Draf", shop=shop, sold_count=99, status=ProductStatus.DRAFT)
    indexed_product(name="Kue Toko Lain", sold_count=70)

    def more_on(letter: str) -> list[str]:
        product = made[letter]
        section = _more_section(client.get(f"/produk/{product.id}/{product.slug}").get_data(as_text=True))
        return [name for name in ("Kue A", "Kue B", "Kue C", "Kue D", "Kue E", "Kue F", "Kue Draf", "Kue Toko Lain")
                if f">{name}<" in section]

    app.config["CATALOG_CACHE_SECONDS"] = 60  # the shop's cards are then rendered once for all its pages
    try:
        with app.app_context():
            page_cache().clear()
        db.session.merge(CatalogState(id=1, generation=0))
        db.session.commit()
        assert more_on("A") == ["Kue B", "Kue C", "Kue D", "Kue E"]
        assert more_on("C") == ["Kue A", "Kue B", "Kue D", "Kue E"]
        assert more_on("F") == ["Kue A", "Kue B", "Kue C", "Kue D"]
        lone = indexed_product(name="Kue Sendiri")
        assert _more_section(client.get(f"/produk/{lone.id}/{lone.slug}").get_data(as_text=True)) == ""
    finally:
        app.config["CATALOG_CACHE_SECONDS"] = 0
    assert more_on("E") == ["Kue A", "Kue B", "Kue C", "Kue D"]  # and without the cache
