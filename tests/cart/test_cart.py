"""The cart: adding respects stock and minimum order; changes in the catalog are shown per
line and never applied behind the buyer's back."""
from bebeli.auth.models import Role
from bebeli.cart.models import CartLine
from bebeli.catalog.models import ProductStatus
from bebeli.extensions import db
from tests.factories import ProductFactory, ShopFactory, UserFactory
from tests.orders.factories import asn_buyer, fill_cart, two_shop_products


def _lines(buyer):
    db.session.expire_all()
    return {line.product_id: line.quantity for line in db.session.scalars(db.select(CartLine).where(CartLine.buyer_id == buyer.id))}


def _add(client, product, quantity):
    return client.post_form("/keranjang/tambah", {"product_id": product.id, "quantity": quantity, "next": "/keranjang/"},
                            page="/keranjang/")


def test_adding_twice_sums_the_quantity_within_stock(client, ctx):
    buyer = asn_buyer()
    product = ProductFactory(stock=5)
    client.login(buyer)
    assert _add(client, product, 2).status_code == 302
    _add(client, product, 2)
    assert _lines(buyer) == {product.id: 4}
    response = _add(client, product, 2)  # 6 > 5 in stock
    assert _lines(buyer) == {product.id: 4}
    assert "Stok" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_minimum_order_and_bad_quantities_are_refused(client, ctx):
    buyer = asn_buyer()
    product = ProductFactory(stock=50, min_order_qty=10)
    client.login(buyer)
    page = client.get(_add(client, product, 3).headers["Location"]).get_data(as_text=True)
    assert "Minimal pembelian 10" in page
    for bad in ("0", "-1", "abc", ""):
        _add(client, product, bad)
    assert _lines(buyer) == {}
    _add(client, product, 10)
    assert _lines(buyer) == {product.id: 10}


def test_unavailable_and_own_products_cannot_be_added(client, ctx):
    owner = UserFactory(roles=[Role.BUYER, Role.SELLER])
    own = ProductFactory(shop=ShopFactory(owner=owner))
    draft = ProductFactory(status=ProductStatus.DRAFT)
    client.login(owner)
    _add(client, own, 1)
    _add(client, draft, 1)
    assert _lines(owner) == {}


def test_cart_groups_lines_by_shop(client, ctx):
    buyer = asn_buyer()
    pkp, small = two_shop_products()
    fill_cart(buyer, (pkp, 1), (small, 2))
    client.login(buyer)
    html = client.get("/keranjang/").get_data(as_text=True)
    assert html.count('data-testid="cart-shop"') == 2
    assert pkp.shop.name in html and small.shop.name in html
    assert "Rp\u00a0150.000" in html  # 100.000 + 2 × 25.000


def test_price_change_is_shown_and_blocks_checkout_until_accepted(client, ctx):
    buyer = asn_buyer()
    product = ProductFactory(price_amount=20_000)
    fill_cart(buyer, (product, 2))
    product.price_amount = 22_000
    db.session.commit()
    client.login(buyer)
    html = client.get("/keranjang/").get_data(as_text=True)
    assert 'data-problem="price_changed"' in html and "Rp\u00a020.000 menjadi Rp\u00a022.000" in html
    assert client.get("/keranjang/checkout").headers["Location"].endswith("/keranjang/")
    client.post_form("/keranjang/perbarui", page="/keranjang/")
    db.session.expire_all()
    line = db.session.scalar(db.select(CartLine))
    assert line.price_seen_amount == 22_000 and line.quantity == 2
    assert client.get("/keranjang/checkout").status_code == 200


def test_unavailable_or_short_lines_are_flagged_then_fixed_on_request(client, ctx):
    buyer = asn_buyer()
    gone, short = ProductFactory(stock=10), ProductFactory(stock=10)
    fill_cart(buyer, (gone, 1), (short, 8))
    gone.status = ProductStatus.UNPUBLISHED
    short.stock = 3
    db.session.commit()
    client.login(buyer)
    html = client.get("/keranjang/").get_data(as_text=True)
    assert 'data-problem="unavailable"' in html and 'data-problem="stock_short"' in html
    assert _lines(buyer) == {gone.id: 1, short.id: 8}  # nothing changed by looking
    client.post_form("/keranjang/perbarui", page="/keranjang/")
    assert _lines(buyer) == {short.id: 3}


def test_quantity_change_respects_stock_and_minimum(client, ctx):
    buyer = asn_buyer()
    product = ProductFactory(stock=6, min_order_qty=2)
    fill_cart(buyer, (product, 2))
    client.login(buyer)
    client.post_form(f"/keranjang/{product.id}/jumlah", {"quantity": 7}, page="/keranjang/")
    client.post_form(f"/keranjang/{product.id}/jumlah", {"quantity": 1}, page="/keranjang/")
    assert _lines(buyer) == {product.id: 2}
    client.post_form(f"/keranjang/{product.id}/jumlah", {"quantity": 6}, page="/keranjang/")
    assert _lines(buyer) == {product.id: 6}
    client.post_form(f"/keranjang/{product.id}/hapus", page="/keranjang/")
    assert _lines(buyer) == {}


def test_cart_is_for_buyers_only(client, ctx):
    assert "/masuk" in client.get("/keranjang/").headers["Location"]
    client.login(UserFactory(roles=[Role.SELLER]))
    assert client.get("/keranjang/").status_code == 403


def test_the_product_page_buy_box_for_visitors_and_buyers(client, ctx):
    product = ProductFactory(stock=4, min_order_qty=2, unit="botol")
    path, product_id = f"/produk/{product.id}/{product.slug}", product.id
    buyer = asn_buyer()
    db.session.commit()
    assert "Masuk untuk membeli" in client.get(path).get_data(as_text=True)
    client.login(buyer)
    client.get("/akun")  # past the welcome message
    html = client.get(path).get_data(as_text=True)
    assert f'name="product_id" value="{product_id}"' in html and 'min="2"' in html and 'max="4"' in html


def _photographed(n: int, shop=None):
    """`n` products, each with two photos (the first, by position, is the one shown)."""
    from bebeli.catalog.models import ProductImage

    products = [ProductFactory(**({"shop": shop} if shop else {})) for _ in range(n)]
    for product in products:
        db.session.add_all([
            ProductImage(product=product, position=1, display_key=f"public/p/{product.id}-b.webp",
                         thumb_key=f"public/p/{product.id}-b-thumb.webp", width=1, height=1),
            ProductImage(product=product, position=0, display_key=f"public/p/{product.id}-a.webp",
                         thumb_key=f"public/p/{product.id}-a-thumb.webp", width=1, height=1),
        ])
    db.session.commit()
    return products


def test_cart_and_checkout_show_each_products_thumbnail_without_a_query_per_line(client, ctx, statements):
    from tests.conftest import reads_of

    buyer = asn_buyer()
    one, *more = _photographed(5)
    plain = ProductFactory()                                    # no photo: a placeholder, no broken image
    fill_cart(buyer, (one, 1), (plain, 1))
    client.login(buyer)
    for page in ("/keranjang/", "/keranjang/checkout"):
        statements.clear()
        html = client.get(page).get_data(as_text=True)
        assert f'src="/media/public/p/{one.id}-a-thumb.webp"' in html, page
        assert f"{one.id}-b-thumb" not in html
        few = len(reads_of(statements, "product_images"))
        fill_cart(buyer, *[(p, 1) for p in more])
        statements.clear()
        html = client.get(page).get_data(as_text=True)
        assert all(f'src="/media/public/p/{p.id}-a-thumb.webp"' in html for p in more), page
        assert len(reads_of(statements, "product_images")) == few == 1, page
        for product in more:
            client.post_form(f"/keranjang/{product.id}/hapus", page="/keranjang/")
