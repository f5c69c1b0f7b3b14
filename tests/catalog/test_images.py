"""Upload attacks and the image pipeline, through the product image upload route."""
import io
import os

import pytest
from PIL import Image

from bebeli.catalog.models import ProductImage
from bebeli.extensions import db
from tests.catalog.helpers import bomb_png, image_bytes, indexed_product, jpeg_with_exif
from tests.factories import ShopFactory

ATTACKS = {
    "php named .jpg": (b"<?php system($_GET['c']); ?>\n", "shell.jpg", "bukan gambar JPEG, PNG, atau WebP"),
    "svg": (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>',
            "logo.svg", "bukan gambar JPEG, PNG, atau WebP"),
    "50 megapixel bomb": (None, "bomb.png", "Resolusi gambar terlalu besar"),
    "6 MB file": (b"\xff\xd8\xff\xe0" + os.urandom(6 * 1024 * 1024), "besar.jpg", "Ukuran gambar maksimal 5 MB"),
    "png header then garbage": (b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, "rusak.png", "bukan gambar JPEG, PNG, atau WebP"),
}


@pytest.fixture
def seller_product(client, ctx):
    product = indexed_product(shop=ShopFactory(), name="Tas Rajut")
    client.login(product.shop.owner)
    return product


def _upload(client, product, data: bytes, filename: str):
    return client.post_form(f"/toko/produk/{product.id}/foto", {"images": (io.BytesIO(data), filename)},
                            page=f"/toko/produk/{product.id}", content_type="multipart/form-data")


def _stored_files(app) -> list[str]:
    root = app.config["UPLOAD_DIR"]
    return [os.path.join(d, f) for d, _, files in os.walk(root) for f in files]


@pytest.mark.parametrize("attack", ATTACKS)
def test_upload_attacks_are_refused_and_nothing_is_stored(client, app, seller_product, attack):
    data, filename, message = ATTACKS[attack]
    before = _stored_files(app)
    response = _upload(client, seller_product, data if data is not None else bomb_png(50), filename)
    assert response.status_code == 302
    assert message in client.get(response.location).get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(ProductImage.id))) == 0
    assert _stored_files(app) == before


def test_a_photo_is_reencoded_upright_without_exif_in_two_sizes(client, seller_product):
    assert _upload(client, seller_product, jpeg_with_exif(size=(2400, 1200)), "foto.jpg").status_code == 302
    [image] = db.session.scalars(db.select(ProductImage)).all()
    display = client.get(f"/media/{image.display_key}")
    thumb = client.get(f"/media/{image.thumb_key}")
    for response in (display, thumb):
        assert response.status_code == 200 and response.mimetype == "image/webp"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Content-Security-Policy"].strip() == "default-src 'none'; sandbox"
        assert "immutable" in response.headers["Cache-Control"]
        decoded = Image.open(io.BytesIO(response.data))
        assert decoded.format == "WEBP" and not decoded.getexif() and "exif" not in decoded.info
    # Orientation 6 was applied to the pixels: the landscape photo is stored portrait.
    assert Image.open(io.BytesIO(display.data)).size == (600, 1200) == (image.width, image.height)
    assert max(Image.open(io.BytesIO(thumb.data)).size) == 480


def test_png_with_transparency_and_webp_are_accepted(client, seller_product):
    for data, name in ((image_bytes("PNG", mode="RGBA", colour=(0, 0, 0, 0)), "a.png"),
                       (image_bytes("WEBP"), "b.webp")):
        assert _upload(client, seller_product, data, name).status_code == 302
    assert db.session.scalar(db.select(db.func.count(ProductImage.id))) == 2


def test_at_most_five_images_per_product(client, seller_product):
    files = [(io.BytesIO(image_bytes("PNG", size=(60, 60))), f"{i}.png") for i in range(6)]
    response = client.post_form(f"/toko/produk/{seller_product.id}/foto", {"images": files},
                                page=f"/toko/produk/{seller_product.id}", content_type="multipart/form-data")
    assert "Paling banyak 5 foto" in client.get(response.location).get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(ProductImage.id))) == 0


def test_images_are_removed_and_reordered_by_their_owner(client, app, seller_product):
    for colour in ((255, 0, 0), (0, 0, 255)):
        _upload(client, seller_product, image_bytes("PNG", colour=colour, size=(50, 50)), "x.png")
    first, second = db.session.scalars(db.select(ProductImage).order_by(ProductImage.position)).all()
    client.post_form(f"/toko/foto/{second.id}/utama", page=f"/toko/produk/{seller_product.id}")
    db.session.expire_all()
    assert [i.id for i in db.session.get(type(seller_product), seller_product.id).images] == [second.id, first.id]
    removed_key = first.thumb_key
    client.post_form(f"/toko/foto/{first.id}/hapus", page=f"/toko/produk/{seller_product.id}")
    assert client.get(f"/media/{removed_key}").status_code == 404
    assert db.session.scalar(db.select(db.func.count(ProductImage.id))) == 1


@pytest.mark.parametrize("key", ["private/shops/1/abc-certificate.webp", "public/../../etc/passwd",
                                 "public/x/../../secret.webp", "public/products/1/a.svg"])
def test_media_serves_only_public_images(client, key):
    assert client.get(f"/media/{key}").status_code == 404
