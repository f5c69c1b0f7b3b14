"""Products, their images and categories: every change a seller or an admin makes.

Product status moves along `PRODUCT_TRANSITIONS`; moderation (taken down) is a separate
axis only admins change. Nothing is ever deleted: archived and taken-down products stay for
the orders that reference them. Every write re-indexes the product for search.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from bebeli.audit.services import record
from bebeli.auth.models import User
from bebeli.catalog.models import Category, Product, ProductImage, ProductStatus
from bebeli.catalog.search import index_product, reindex_products
from bebeli.catalog.text import slugify
from bebeli.db import utcnow
from bebeli.errors import InvalidTransition, NotAllowed, ValidationFailed
from bebeli.extensions import db
from bebeli.images import ProcessedImage, process_all, save_public
from bebeli.mail.services import send_mail
from bebeli.sellers.models import Shop, ShopStatus
from bebeli.signals import stock_changed
from bebeli.storage import get_storage

# The direct-purchase ceiling for one package (Rp 200 juta): a UMKM listing above it is a typo.
MAX_PRICE = 200_000_000
MAX_IMAGES = 5
PRODUCT_UNITS = ("pcs", "kg", "gram", "liter", "botol", "pak", "box", "lusin", "kodi", "rim", "lembar",
                 "meter", "set", "porsi", "paket", "toples", "bungkus")

STATUS_LABELS = {
    ProductStatus.DRAFT: _l("Draf"),
    ProductStatus.PUBLISHED: _l("Tayang"),
    ProductStatus.UNPUBLISHED: _l("Tidak tayang"),
    ProductStatus.ARCHIVED: _l("Diarsipkan"),
}
PRODUCT_TRANSITIONS = {
    ProductStatus.DRAFT: {ProductStatus.PUBLISHED, ProductStatus.ARCHIVED},
    ProductStatus.PUBLISHED: {ProductStatus.UNPUBLISHED, ProductStatus.ARCHIVED},
    ProductStatus.UNPUBLISHED: {ProductStatus.PUBLISHED, ProductStatus.ARCHIVED},
    ProductStatus.ARCHIVED: {ProductStatus.UNPUBLISHED},
}


@dataclass
class ProductData:
    name: str
    category_id: int
    description: str
    price_amount: int
    unit: str
    stock: int
    min_order_qty: int = 1
    weight_grams: int | None = None
    tkdn_note: str | None = None
    low_stock_threshold: int | None = None


def _validate(data: ProductData) -> Category:
    if not isinstance(data.price_amount, int) or not 0 < data.price_amount <= MAX_PRICE:
        raise ValidationFailed(_l("Harga harus lebih dari Rp 0 dan paling banyak Rp 200.000.000."), field="price")
    if data.stock < 0:
        raise ValidationFailed(_l("Stok tidak boleh negatif."), field="stock")
    if data.low_stock_threshold is not None and data.low_stock_threshold < 0:
        raise ValidationFailed(_l("Batas stok menipis tidak boleh negatif."), field="low_stock_threshold")
    if data.min_order_qty < 1:
        raise ValidationFailed(_l("Minimal pembelian paling sedikit 1."), field="min_order_qty")
    if data.unit not in PRODUCT_UNITS:
        raise ValidationFailed(_l("Pilih satuan dari daftar."), field="unit")
    category = db.session.get(Category, data.category_id)
    if category is None or not category.is_active:
        raise ValidationFailed(_l("Pilih kategori dari daftar."), field="category_id")
    return category


def _unique_slug(shop_id: int, name: str, product_id: int | None = None) -> str:
    base = slugify(name, 160)
    clash = db.session.scalar(
        sa.select(Product.id).where(Product.shop_id == shop_id, Product.slug == base, Product.id != (product_id or 0))
    )
    return base if clash is None else f"{base}-{secrets.token_hex(3)}"


def _apply(product: Product, data: ProductData, category: Category) -> None:
    product.name = data.name.strip()
    product.category = category
    product.description = (data.description or "").strip()
    product.price_amount = data.price_amount
    product.unit = data.unit
    product.stock = data.stock
    product.min_order_qty = data.min_order_qty
    product.weight_grams = data.weight_grams
    product.tkdn_note = (data.tkdn_note or "").strip() or None
    product.low_stock_threshold = data.low_stock_threshold


def create_product(shop: Shop, data: ProductData, *, actor: User, images: list[bytes] = ()) -> Product:
    """A new draft product of `shop` (any shop status: a pending seller prepares the catalog)."""
    category = _validate(data)
    processed = check_images(None, images)
    product = Product(shop=shop, status=ProductStatus.DRAFT, slug=_unique_slug(shop.id, data.name))
    _apply(product, data, category)
    db.session.add(product)
    db.session.flush()
    index_product(product)
    store_images(product, processed)
    stock_changed.send(None, product_ids=[product.id])
    record("catalog.product_created", actor=actor, obj=product, shop_id=shop.id)
    return product


def update_product(product: Product, data: ProductData, *, actor: User) -> Product:
    category = _validate(data)
    if data.name.strip() != product.name:
        product.slug = _unique_slug(product.shop_id, data.name, product.id)
    _apply(product, data, category)
    index_product(product)
    db.session.flush()
    stock_changed.send(None, product_ids=[product.id])
    record("catalog.product_updated", actor=actor, obj=product)
    return product


def set_product_status(product: Product, to: ProductStatus, *, actor: User) -> Product:
    """Publish, unpublish, archive or bring back from the archive."""
    if to not in PRODUCT_TRANSITIONS[product.status]:
        raise InvalidTransition(_l("Produk berstatus %(s)s tidak dapat diubah menjadi %(t)s.",
                                   s=STATUS_LABELS[product.status], t=STATUS_LABELS[to]))
    if to == ProductStatus.PUBLISHED:
        if product.shop.status != ShopStatus.VERIFIED:
            raise NotAllowed(_l("Produk baru dapat ditayangkan setelah toko Anda terverifikasi."))
        if product.taken_down:
            raise NotAllowed(_l("Produk ini diturunkan oleh admin dan tidak dapat ditayangkan."))
        product.published_at = utcnow()
    record("catalog.product_status", actor=actor, obj=product, from_status=product.status.value, to_status=to.value)
    product.status = to
    return product


# ------------------------------------------------------------------------------ images

def check_images(product: Product | None, files: list[bytes]) -> list[ProcessedImage]:
    """Check and re-encode every file before anything is stored: all are added or none."""
    return process_all(files, existing=len(product.images if product else ()), limit=MAX_IMAGES,
                       too_many=_l("Paling banyak %(n)d foto per produk.", n=MAX_IMAGES))


def store_images(product: Product, processed: list[ProcessedImage]) -> int:
    for image in processed:
        display, thumb = save_public(f"products/{product.id}", image)
        product.images.append(ProductImage(display_key=display, thumb_key=thumb, width=image.width,
                                           height=image.height, position=len(product.images)))
    db.session.flush()
    return len(processed)


def add_images(product: Product, files: list[bytes], *, actor: User) -> int:
    added = store_images(product, check_images(product, files))
    record("catalog.images_added", actor=actor, obj=product, count=added)
    return added


def remove_image(image: ProductImage, *, actor: User) -> None:
    product = image.product
    product.images.remove(image)
    for position, remaining in enumerate(product.images):
        remaining.position = position
    storage = get_storage()
    storage.delete(image.display_key)
    storage.delete(image.thumb_key)
    record("catalog.image_removed", actor=actor, obj=product, image_id=image.id)
    db.session.flush()


def make_primary_image(image: ProductImage, *, actor: User) -> None:
    """Move the image to the front: the first image is the one on product cards."""
    product = image.product
    ordered = [image] + [i for i in product.images if i.id != image.id]
    for position, row in enumerate(ordered):
        row.position = position
    record("catalog.image_primary", actor=actor, obj=product, image_id=image.id)
    db.session.flush()


# ---------------------------------------------------------------------------- moderation

def take_down_product(product: Product, *, admin: User, reason: str) -> Product:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_l("Tuliskan alasan penurunan produk."), field="reason")
    if product.taken_down:
        raise InvalidTransition(_l("Produk ini sudah diturunkan."))
    product.taken_down, product.takedown_reason = True, reason
    product.taken_down_at, product.taken_down_by_id = utcnow(), admin.id
    record("catalog.product_taken_down", actor=admin, obj=product, reason=reason)
    send_mail(product.shop.owner.email, _l("Produk %(name)s diturunkan oleh admin", name=product.name),
              "product_taken_down", kind="moderation", product=product, reason=reason)
    return product


def restore_product(product: Product, *, admin: User) -> Product:
    if not product.taken_down:
        raise InvalidTransition(_l("Produk ini tidak sedang diturunkan."))
    product.taken_down = False
    record("catalog.product_restored", actor=admin, obj=product, previous_reason=product.takedown_reason)
    product.takedown_reason = product.taken_down_at = product.taken_down_by_id = None
    return product


# ---------------------------------------------------------------------------- categories

def _check_parent(category: Category | None, parent: Category | None) -> None:
    if parent is None:
        return
    if parent.parent_id is not None:
        raise ValidationFailed(_l("Kategori hanya dua tingkat: pilih induk dari kategori utama."), field="parent_id")
    if category is not None and (parent.id == category.id or category.children):
        raise ValidationFailed(_l("Kategori yang memiliki sub-kategori tidak dapat dipindah ke bawah kategori lain."),
                               field="parent_id")


def _unique_category_slug(name: str, parent: Category | None) -> str:
    base = slugify(name, 90)
    if db.session.scalar(sa.select(Category.id).where(Category.slug == base)) is None:
        return base
    prefixed = slugify(f"{parent.name} {name}", 90) if parent else base
    taken = db.session.scalar(sa.select(Category.id).where(Category.slug == prefixed))
    return prefixed if taken is None else f"{base}-{secrets.token_hex(2)}"


def save_category(category: Category | None, *, name: str, parent: Category | None, position: int,
                  is_active: bool, actor: User) -> Category:
    """Create (category=None) or change a category; products are re-indexed on a rename."""
    _check_parent(category, parent)
    name = name.strip()
    creating = category is None
    if creating:
        category = Category(slug=_unique_category_slug(name, parent))
        db.session.add(category)
    renamed = not creating and category.name != name
    category.name, category.parent, category.position, category.is_active = name, parent, position or 0, is_active
    db.session.flush()
    if renamed:
        # Products of sub-categories carry the parent's name in their search text too.
        ids = [category.id, *(c.id for c in category.children)]
        reindex_products(Product.category_id.in_(ids))
    record("catalog.category_created" if creating else "catalog.category_updated", actor=actor, obj=category,
           name=name, parent_id=parent.id if parent else None, active=is_active)
    return category
