"""A seller's products: create, validate, publish, unpublish, archive; admin takedown."""
import io

import pytest

from bebeli.audit.models import AuditEvent
from bebeli.catalog.models import Product, ProductStatus
from bebeli.catalog.search import search_products
from bebeli.extensions import db
from bebeli.mail.models import OutboundEmail
from bebeli.sellers.models import ShopStatus
from tests.catalog.helpers import image_bytes, indexed_product
from tests.factories import CategoryFactory, ShopFactory, admin


def _form(category, **overrides):
    data = {"name": "Keripik Bayam", "category_id": str(category.id), "description": "Renyah dan gurih.",
            "price": "15.000", "unit": "pak", "stock": "40", "min_order_qty": "2", "weight_grams": "250"}
    data.update(overrides)
    return data


@pytest.fixture
def seller(client, ctx):
    shop = ShopFactory()
    client.login(shop.owner)
    return shop


def test_create_a_draft_with_images_then_publish(client, seller):
    category = CategoryFactory(name="Camilan")
    data = _form(category, images=[(io.BytesIO(image_bytes()), "1.png"), (io.BytesIO(image_bytes("JPEG")), "2.jpg")])
    response = client.post_form("/toko/produk/baru", data, content_type="multipart/form-data")
    assert response.status_code == 302
    product = db.session.scalar(db.select(Product).where(Product.name == "Keripik Bayam"))
    assert (product.price_amount, product.unit, product.stock, product.min_order_qty) == (15_000, "pak", 40, 2)
    assert product.status == ProductStatus.DRAFT and len(product.images) == 2 and product.slug == "keripik-bayam"
    assert search_products("bayam").items == []  # drafts are not for buyers

    client.post_form(f"/toko/produk/{product.id}/status/published", page=f"/toko/produk/{product.id}")
    db.session.expire_all()
    assert [p.id for p in search_products("bayam").items] == [product.id]
    assert db.session.get(Product, product.id).published_at is not None


@pytest.mark.parametrize("field,value,message", [
    ("price", "0", "Harga harus antara Rp 1 dan"),
    ("price", "200.000.001", "Harga harus antara Rp 1 dan"),
    ("price", "12,5", "Tulis nominal rupiah tanpa sen"),
    ("stock", "-1", "Angka harus antara 0 dan 1000000."),
    ("min_order_qty", "0", "Angka harus antara 1 dan 10000."),
    ("name", "", "Wajib diisi."),
    ("unit", "ton", "Bukan pilihan yang tersedia."),
])
def test_invalid_products_are_refused_with_a_message(client, seller, field, value, message):
    response = client.post_form("/toko/produk/baru", _form(CategoryFactory(), **{field: value}))
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Product.id))) == 0


def test_a_pending_shop_prepares_drafts_but_cannot_publish(client, ctx):
    shop = ShopFactory(status=ShopStatus.PENDING)
    product = indexed_product(shop=shop, status=ProductStatus.DRAFT, published_at=None)
    client.login(shop.owner)
    response = client.post_form(f"/toko/produk/{product.id}/status/published", page=f"/toko/produk/{product.id}")
    assert "setelah toko Anda terverifikasi" in client.get(response.location).get_data(as_text=True)
    db.session.refresh(product)
    assert product.status == ProductStatus.DRAFT


def test_unpublish_and_archive_hide_a_product_but_keep_it(client, seller):
    product = indexed_product(shop=seller, name="Bolu Pandan")
    client.post_form(f"/toko/produk/{product.id}/status/unpublished", page="/toko/produk")
    assert search_products("bolu").items == []
    client.post_form(f"/toko/produk/{product.id}/status/archived", page="/toko/produk")
    db.session.refresh(product)
    assert product.status == ProductStatus.ARCHIVED
    # Archived cannot go straight back on sale; it returns as unpublished first.
    response = client.post_form(f"/toko/produk/{product.id}/status/published", page="/toko/produk")
    assert "tidak dapat diubah" in client.get(response.location).get_data(as_text=True)
    client.logout()
    assert client.get(f"/produk/{product.id}/{product.slug}").status_code == 404
    actions = db.session.scalars(db.select(AuditEvent.action).where(AuditEvent.object_id == str(product.id))).all()
    assert actions.count("catalog.product_status") == 2


def test_editing_updates_the_search_index(client, seller):
    product = indexed_product(shop=seller, name="Kue Nastar", category=CategoryFactory())
    data = _form(product.category, name="Kue Kastengel", price="45000")
    assert client.post_form(f"/toko/produk/{product.id}", data).status_code == 302
    db.session.expire_all()
    assert search_products("nastar").items == []
    assert [p.id for p in search_products("kastengel").items] == [product.id]
    assert db.session.get(Product, product.id).price_amount == 45_000


def test_admin_takes_down_with_a_reason_the_seller_sees_and_cannot_override(client, other_client, seller):
    product = indexed_product(shop=seller, name="Madu Asli")
    other_client.login(admin())
    page = f"/produk/{product.id}/{product.slug}"
    other_client.post_form(f"/admin/produk/{product.id}/turunkan", {"reason": "Klaim khasiat tanpa izin edar."},
                           page=page)
    db.session.expire_all()
    assert search_products("madu").items == []
    mail = db.session.scalar(db.select(OutboundEmail).where(OutboundEmail.to == seller.owner.email))
    assert "Klaim khasiat tanpa izin edar." in mail.body
    assert "Klaim khasiat tanpa izin edar." in client.get("/toko/produk").get_data(as_text=True)
    # Unpublishing and publishing again does not bring it back.
    client.post_form(f"/toko/produk/{product.id}/status/unpublished", page="/toko/produk")
    response = client.post_form(f"/toko/produk/{product.id}/status/published", page="/toko/produk")
    assert "diturunkan oleh admin" in client.get(response.location).get_data(as_text=True)
    other_client.post_form(f"/admin/produk/{product.id}/pulihkan", page=page)
    db.session.expire_all()
    restored = db.session.get(Product, product.id)
    assert not restored.taken_down and restored.takedown_reason is None


def test_takedown_needs_a_reason_and_admin_role(client, other_client, seller):
    product = indexed_product(shop=seller)
    page = f"/produk/{product.id}/{product.slug}"
    assert client.post_form(f"/admin/produk/{product.id}/turunkan", {"reason": "tidak sesuai"},
                            page=page).status_code == 403
    other_client.login(admin())
    other_client.post_form(f"/admin/produk/{product.id}/turunkan", {"reason": ""}, page=page)
    db.session.refresh(product)
    assert not product.taken_down


def test_admin_product_list_filters_by_product_or_shop_name_and_by_shop(client, ctx):
    batik = ShopFactory(name="Batik Tulis Lestari")
    kopi = ShopFactory(name="Kopi Bojongmangu")
    indexed_product(shop=batik, name="Kemeja Batik")
    indexed_product(shop=kopi, name="Kopi Robusta", taken_down=True, takedown_reason="Label tidak sesuai.")
    client.login(admin())
    html = client.get("/admin/produk").get_data(as_text=True)
    assert "Kemeja Batik" in html and "Kopi Robusta" in html and "Batik Tulis Lestari" in html
    html = client.get("/admin/produk?q=lestari").get_data(as_text=True)
    assert "Kemeja Batik" in html and "Kopi Robusta" not in html
    html = client.get(f"/admin/produk?toko={kopi.id}").get_data(as_text=True)
    assert "Kopi Robusta" in html and "Kemeja Batik" not in html
    html = client.get("/admin/produk?diturunkan=1").get_data(as_text=True)
    assert "Kopi Robusta" in html and "Kemeja Batik" not in html
