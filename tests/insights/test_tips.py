"""Each tip rule in `bebeli.insights.tips.RULES`, on both sides of its line, and the page that shows them."""
from datetime import date, timedelta

from bebeli.catalog.models import ProductImage, ProductStatus
from bebeli.dates import jakarta_today
from bebeli.extensions import db
from bebeli.insights import tips
from bebeli.sellers.models import CertificateKind, ShopCertificate
from tests.factories import CategoryFactory, ProductFactory, ShopFactory


def _codes(shop, rule):
    return [t.code for t in rule(shop)]


def test_the_rules_table_lists_every_rule():
    assert [code for code, _rule in tips.RULES] == ["no_photos", "price_above_middle", "missing_certificate"]


def test_no_photos(ctx):
    shop = ShopFactory()
    ProductFactory(shop=shop)
    ProductFactory(shop=shop, status=ProductStatus.DRAFT, published_at=None)
    ProductFactory(shop=shop, status=ProductStatus.ARCHIVED)  # archived: not counted
    with_photo = ProductFactory(shop=shop)
    db.session.add(ProductImage(product=with_photo, display_key="x.webp", **_image_extra()))
    db.session.commit()
    found = tips.no_photos(shop)
    assert [t.code for t in found] == ["no_photos"] and found[0].text.startswith("2 produk")
    other = ShopFactory()
    pictured = ProductFactory(shop=other)
    db.session.add(ProductImage(product=pictured, display_key="y.webp", **_image_extra()))
    db.session.commit()
    assert tips.no_photos(other) == []


def _image_extra():
    return {"thumb_key": "t.webp", "width": 100, "height": 100}


def test_price_above_the_middle_range_of_the_category(ctx):
    category = CategoryFactory()
    for price in (10_000, 12_000, 14_000):
        ProductFactory(category=category, price_amount=price)
    shop = ShopFactory()
    dear = ProductFactory(shop=shop, category=category, price_amount=20_000, name="Kopi mahal")
    db.session.commit()
    # median of 10, 12, 14, 20 thousand = 13.000; the middle range ends 25 % above: 16.250.
    found = tips.price_above_middle(shop)
    assert [t.code for t in found] == ["price_above_middle"] and "Kopi mahal" in found[0].text
    assert "Rp" in found[0].text and "13.000" in found[0].text
    dear.price_amount = 16_000  # median 13.000 still; 16.000 is within 16.250
    db.session.commit()
    assert tips.price_above_middle(shop) == []


def test_price_is_not_judged_in_a_category_with_too_few_products(ctx):
    category = CategoryFactory()
    ProductFactory(category=category, price_amount=1_000)
    shop = ShopFactory()
    ProductFactory(shop=shop, category=category, price_amount=90_000)
    db.session.commit()
    assert tips.price_above_middle(shop) == []


def _certify(shop, kind, expires_on=None):
    db.session.add(ShopCertificate(shop=shop, kind=kind, number=f"N-{shop.id}-{kind}", expires_on=expires_on))


def test_missing_certificate_that_most_shops_of_the_category_hold(ctx):
    parent = CategoryFactory()
    child = CategoryFactory(parent_id=None)
    db.session.flush()
    child.parent_id = parent.id
    others = [ProductFactory(category=child).shop, ProductFactory(category=parent).shop, ProductFactory(category=child).shop]
    _certify(others[0], CertificateKind.HALAL)
    _certify(others[1], CertificateKind.HALAL, jakarta_today() + timedelta(days=10))
    _certify(others[2], CertificateKind.HALAL, date(2020, 1, 1))  # expired
    _certify(others[2], CertificateKind.PIRT)
    shop = ShopFactory()
    ProductFactory(shop=shop, category=child)
    db.session.commit()
    found = tips.missing_certificate(shop)
    # halal: 2 of the 3 other shops of the top category (more than half); PIRT: 1 of 3.
    assert [t.code for t in found] == ["missing_certificate"]
    assert "Halal" in found[0].text and "2 dari 3" in found[0].text
    _certify(shop, CertificateKind.HALAL)
    db.session.commit()
    db.session.expire(shop, ["certificates"])
    assert tips.missing_certificate(shop) == []


def test_the_page_shows_the_tips(client, ctx):
    shop = ShopFactory()
    ProductFactory(shop=shop)
    db.session.commit()
    client.login(shop.owner)
    html = client.get("/toko/wawasan").get_data(as_text=True)
    assert 'data-tip="no_photos"' in html
