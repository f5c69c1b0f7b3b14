"""Images, indexed products and shortcuts shared by the catalog and sellers tests."""
from __future__ import annotations

import io

from PIL import Image

from bebeli.catalog.models import Product
from bebeli.catalog.search import index_product
from bebeli.catalog.text import slugify
from bebeli.extensions import db
from tests.factories import CategoryFactory, ProductFactory


def image_bytes(fmt: str = "PNG", size=(640, 480), colour=(200, 120, 40), mode: str = "RGB", **save) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, colour).save(out, fmt, **save)
    return out.getvalue()


def jpeg_with_exif(size=(400, 200)) -> bytes:
    """A JPEG carrying a GPS position, a camera serial number and orientation "rotate 90°"."""
    image = Image.new("RGB", size, (10, 120, 80))
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: the camera was held upright
    exif[0xA431] = "SERIAL-12345"  # BodySerialNumber
    exif[0x8825] = {1: "S", 2: (6.0, 17.0, 0.0)}  # GPSInfo
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def bomb_png(megapixels: int = 50) -> bytes:
    """A tiny file that would decode into `megapixels` million pixels."""
    width = 10_000
    return image_bytes("PNG", size=(width, megapixels * 1_000_000 // width), mode="L", colour=0)


def indexed_product(**kwargs) -> Product:
    """A published product whose search fields are computed as the services compute them."""
    # Not yet indexed: the factory's placeholder search text would count as known words.
    product = ProductFactory(search_text="", **kwargs)
    index_product(product)
    db.session.commit()
    return product


def category_pair(top: str, child: str):
    parent = CategoryFactory(name=top, slug=slugify(top))
    return parent, CategoryFactory(name=child, slug=slugify(child), parent=parent)

