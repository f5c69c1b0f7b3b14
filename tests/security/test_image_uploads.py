"""Image uploads cannot be used to exhaust a worker: a bitmap over the pixel cap (IMAGE_MAX_PIXELS,
25 MP) is refused from its header before any pixel is decoded, a phone photo still passes, and
a worker decodes one image at a time."""
from __future__ import annotations

import io
import threading
import time
import tracemalloc

import pytest
from PIL import ImageFile

from bebeli import images
from bebeli.auth.models import User
from bebeli.catalog.models import ProductImage
from bebeli.extensions import db, limiter
from bebeli.sellers.models import Shop
from tests.catalog.helpers import image_bytes, indexed_product
from tests.conftest import run_in_threads
from tests.conftest import _empty_all_tables
from tests.factories import ShopFactory
from tests.security.forms import forms_on
from tests.sellers.helpers import registration_data

# Solid colours compress to almost nothing: the files are small, the bitmaps are not.
FORTY_MP = image_bytes("PNG", size=(8000, 5000), mode="L", colour=0)
TWENTY_FOUR_MP = image_bytes("PNG", size=(6000, 4000))


@pytest.fixture(autouse=True)
def _fresh_database(app):
    """Each test here builds its own data: empty the tables after it, as the rest of the suite
    does (this folder's conftest turns that off for the module-wide world of the other suites)."""
    yield
    with app.app_context():
        _empty_all_tables()
    limiter.reset()


@pytest.fixture
def pixel_loads(monkeypatch) -> list:
    """Every decode of pixel data by Pillow (ImageFile.load), as it happens."""
    calls = []
    real = ImageFile.ImageFile.load

    def load(self):
        calls.append(self.size)
        return real(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)
    return calls


def _registration(client, files: dict) -> dict:
    """The registration form as the page renders its file fields, with valid data and `files`."""
    [form] = [f for f in forms_on("/toko/daftar", client.get("/toko/daftar").get_data(as_text=True))
              if f.has_files]
    file_fields = [name for name, field in form.fields.items() if field.kind == "file"]
    assert set(files) <= set(file_fields)
    data = registration_data(**{name: (io.BytesIO(content), f"{name}.png") for name, content in files.items()})
    for name in files:  # a certificate's document comes with its number
        if name.endswith("_document"):
            data[name.replace("_document", "_number")] = "ID-" + name.upper()
    return data


def test_five_forty_megapixel_files_at_registration_are_refused_without_decoding(client, ctx, pixel_loads):
    files = {name: FORTY_MP for name in ("logo", "halal_document", "pirt_document", "bpom_document", "sni_document")}
    data = _registration(client, files)
    tracemalloc.start()
    started = time.perf_counter()
    try:
        response = client.post_form("/toko/daftar", data, content_type="multipart/form-data")
        elapsed = time.perf_counter() - started
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert response.status_code == 200
    assert "Resolusi gambar terlalu besar (maksimal 25 megapiksel)" in response.get_data(as_text=True)
    assert pixel_loads == []                    # not one pixel decoded
    assert peak < 40 * 1024 * 1024              # decoding one of them would take 40 MB, five 600 MB
    assert elapsed < 5
    assert db.session.scalar(db.select(db.func.count(Shop.id))) == 0
    assert db.session.scalar(db.select(db.func.count(User.id))) == 0


def test_a_bad_certificate_is_refused_before_the_logo_is_decoded(client, ctx, pixel_loads):
    data = _registration(client, {"logo": image_bytes("PNG"), "sni_document": FORTY_MP})
    response = client.post_form("/toko/daftar", data, content_type="multipart/form-data")
    assert response.status_code == 200 and "megapiksel" in response.get_data(as_text=True)
    assert pixel_loads == []


def test_the_refusal_is_in_english_in_the_english_interface(client, ctx):
    client.get("/bahasa/en")
    data = _registration(client, {"logo": FORTY_MP})
    page = client.post_form("/toko/daftar", data, content_type="multipart/form-data").get_data(as_text=True)
    assert "Image resolution is too large (at most 25 megapixels)" in page


def test_a_24_megapixel_phone_photo_is_accepted(client, ctx):
    product = indexed_product(shop=ShopFactory(), name="Tas Rajut")
    client.login(product.shop.owner)
    page = f"/toko/produk/{product.id}"
    [form] = [f for f in forms_on(page, client.get(page).get_data(as_text=True)) if f.has_files]
    response = client.post_form(form.action, {"images": (io.BytesIO(TWENTY_FOUR_MP), "kamera.png")}, page=page,
                                content_type="multipart/form-data")
    assert response.status_code == 302
    [image] = db.session.scalars(db.select(ProductImage)).all()
    assert (image.width, image.height) == (1200, 800)


def test_the_pixel_cap_is_configurable(app, ctx):
    small = image_bytes("PNG", size=(1500, 1000))
    images.process_image(small)
    app.config["IMAGE_MAX_PIXELS"] = 1_000_000
    try:
        with app.app_context(), pytest.raises(images.ImageRejected) as refused:
            images.process_image(small)
        assert "maksimal 1 megapiksel" in str(refused.value.message)
    finally:
        app.config["IMAGE_MAX_PIXELS"] = images.MAX_PIXELS


def test_a_worker_decodes_one_image_at_a_time(monkeypatch):
    active, most = [0], [0]
    guard = threading.Lock()
    real = images._decode

    def slow_decode(image):
        with guard:
            active[0] += 1
            most[0] = max(most[0], active[0])
        time.sleep(0.05)
        try:
            return real(image)
        finally:
            with guard:
                active[0] -= 1

    monkeypatch.setattr(images, "_decode", slow_decode)
    results = []
    photo = image_bytes("JPEG", size=(800, 600))
    run_in_threads(lambda: results.append(images.process_image(photo)), [() for _ in range(6)])
    assert len(results) == 6
    assert most[0] == 1
