"""Seller A can never see or change seller B's shop, products, images or certificates."""
import io

import pytest

from bebeli.auth.models import Role
from bebeli.catalog.models import Product, ProductImage, ProductStatus
from bebeli.extensions import db
from bebeli.sellers.models import CertificateKind, ShopCertificate
from tests.catalog.helpers import image_bytes, indexed_product
from tests.factories import ShopFactory, UserFactory

# Every seller route that names an object, with how it is called. The guard test below fails
# when a new one appears without being added here.
OBJECT_ROUTES = {
    "catalog.edit_product": [("GET", "/toko/produk/{product}"), ("POST", "/toko/produk/{product}")],
    "catalog.product_status": [("POST", "/toko/produk/{product}/status/archived"),
                               ("POST", "/toko/produk/{product}/status/unpublished")],
    "catalog.upload_images": [("POST", "/toko/produk/{product}/foto")],
    "catalog.delete_image": [("POST", "/toko/foto/{image}/hapus")],
    "catalog.primary_image": [("POST", "/toko/foto/{image}/utama")],
    "sellers.delete_certificate": [("POST", "/toko/sertifikat/{certificate}/hapus")],
    "sellers.certificate_document": [("GET", "/toko/sertifikat/{certificate}/dokumen")],
}


def _seller_endpoints(app):
    """Seller routes of the catalog and sellers modules (orders test their own)."""
    for rule in app.url_map.iter_rules():
        roles = getattr(app.view_functions[rule.endpoint], "required_roles", ())
        if Role.SELLER in roles and rule.endpoint.split(".")[0] in {"catalog", "sellers"}:
            yield rule


def test_every_seller_route_with_an_object_is_covered(app):
    assert {r.endpoint for r in _seller_endpoints(app) if r.arguments} == set(OBJECT_ROUTES)


@pytest.fixture
def two_sellers(client, ctx):
    shop_a, shop_b = ShopFactory(name="Toko A"), ShopFactory(name="Toko B")
    product_b = indexed_product(shop=shop_b, name="Rahasia B", price_amount=50_000)
    image_b = ProductImage(product=product_b, display_key="public/products/x/a-display.webp",
                           thumb_key="public/products/x/a-thumb.webp", width=1, height=1)
    second_image_b = ProductImage(product=product_b, display_key="public/products/x/b-display.webp",
                                  thumb_key="public/products/x/b-thumb.webp", width=1, height=1, position=1)
    certificate_b = ShopCertificate(shop=shop_b, kind=CertificateKind.HALAL, number="B-1",
                                    document_key="private/shops/x/b-certificate.webp")
    db.session.add_all([image_b, second_image_b, certificate_b])
    db.session.commit()
    client.login(shop_a.owner)
    return {"shop_a": shop_a, "shop_b": shop_b, "product": product_b.id, "image": second_image_b.id,
            "certificate": certificate_b.id}


@pytest.mark.parametrize("endpoint", OBJECT_ROUTES)
def test_seller_a_gets_404_on_seller_bs_objects_and_changes_nothing(client, two_sellers, endpoint):
    for method, template in OBJECT_ROUTES[endpoint]:
        url = template.format(**two_sellers)
        if method == "GET":
            response = client.get(url)
        else:
            data = {"name": "Diubah A", "price": "1", "images": (io.BytesIO(image_bytes()), "a.png")}
            response = client.post_form(url, data, page="/toko/", content_type="multipart/form-data")
        assert response.status_code == 404, (method, url)
    db.session.expire_all()
    product = db.session.get(Product, two_sellers["product"])
    assert (product.name, product.price_amount, product.status) == ("Rahasia B", 50_000, ProductStatus.PUBLISHED)
    assert [i.id for i in product.images][1] == two_sellers["image"] and len(product.images) == 2
    assert db.session.get(ShopCertificate, two_sellers["certificate"]) is not None


def test_seller_pages_without_ids_only_show_and_change_the_own_shop(client, two_sellers):
    for path in ("/toko/", "/toko/produk", "/toko/profil"):
        page = client.get(path).get_data(as_text=True)
        assert "Rahasia B" not in page and "Toko B" not in page
    response = client.post_form("/toko/produk/baru", {
        "name": "Produk A", "category_id": db.session.get(Product, two_sellers["product"]).category_id,
        "price": "10000", "unit": "pcs", "stock": "5", "min_order_qty": "1"})
    assert response.status_code == 302
    created = db.session.scalar(db.select(Product).where(Product.name == "Produk A"))
    assert created.shop_id == two_sellers["shop_a"].id


def test_other_roles_are_refused_on_seller_routes(client, ctx):
    client.login(UserFactory(roles=[Role.BUYER]))
    for path in ("/toko/", "/toko/produk", "/toko/produk/baru", "/toko/profil"):
        assert client.get(path).status_code == 403
