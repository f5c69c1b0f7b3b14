"""Plain-language tips computed from a shop's own data. Every rule is one row of `RULES`: a code,
and a function of the shop that returns the tips it gives (an empty list when it has none).

- no_photos: products not archived that have no photo.
- price_above_middle: active products priced above the middle range of their category: more
  than PRICE_MARGIN_PERCENT above the median price of the category's active products (active:
  published, not taken down, shop verified), when the category has at least MIN_PRODUCTS.
- missing_certificate: a certificate kind (halal, PIRT, BPOM, SNI) that most other shops selling
  in the same top category hold valid (more than half, at least MIN_SHOPS of them), and this
  shop does not.
"""
from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass
from typing import Callable

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from bebeli.catalog.models import Category, Product, ProductImage, ProductStatus
from bebeli.catalog.queries import orderable
from bebeli.dates import jakarta_today
from bebeli.extensions import db
from bebeli.money import rupiah
from bebeli.sellers.models import CertificateKind, Shop, ShopCertificate
from bebeli.sellers.services import CERTIFICATE_LABELS

PRICE_MARGIN_PERCENT = 25
MIN_PRODUCTS = 3
MIN_SHOPS = 2


@dataclass(frozen=True)
class Tip:
    code: str
    text: str


def no_photos(shop: Shop) -> list[Tip]:
    count = db.session.scalar(sa.select(sa.func.count()).select_from(Product).where(
        Product.shop_id == shop.id, Product.status != ProductStatus.ARCHIVED,
        ~sa.exists().where(ProductImage.product_id == Product.id)))
    if not count:
        return []
    return [Tip("no_photos", ngettext(
        "%(num)d produk belum punya foto. Produk berfoto lebih mudah dipercaya pembeli: tambahkan minimal satu foto "
        "yang terang dan jelas.",
        "%(num)d produk belum punya foto. Produk berfoto lebih mudah dipercaya pembeli: tambahkan minimal satu foto "
        "yang terang dan jelas.", count))]


def _top_category():
    return sa.func.coalesce(Category.parent_id, Category.id)


def price_above_middle(shop: Shop) -> list[Tip]:
    mine = db.session.scalars(sa.select(Product).where(Product.shop_id == shop.id, *orderable())
                              .order_by(Product.name)).all()
    tips = []
    prices: dict[int, list[int]] = {}
    for product in mine:
        if product.category_id not in prices:
            prices[product.category_id] = list(db.session.scalars(sa.select(Product.price_amount).where(
                Product.category_id == product.category_id, *orderable())))
        others = prices[product.category_id]
        if len(others) < MIN_PRODUCTS:
            continue
        median = statistics.median(others)
        if product.price_amount * 100 > median * (100 + PRICE_MARGIN_PERCENT):
            tips.append(Tip("price_above_middle", str(_l(
                "Harga %(name)s (%(price)s) di atas kisaran tengah kategori %(category)s (median %(median)s). "
                "Jelaskan keunggulannya di deskripsi, atau tinjau kembali harganya.",
                name=product.name, price=rupiah(product.price_amount), category=product.category.name,
                median=rupiah(int(median))))))
    return tips


def missing_certificate(shop: Shop) -> list[Tip]:
    today = jakarta_today()
    held = {c.kind for c in shop.certificates if c.is_valid_on(today)}
    tops = db.session.execute(
        sa.select(_top_category().label("top"), Product.shop_id).distinct()
        .join(Category, Category.id == Product.category_id)
        .where(*orderable())).all()
    my_tops = {t.top for t in tops if t.shop_id == shop.id}
    shops_by_top: dict[int, set[int]] = defaultdict(set)
    for t in tops:
        if t.top in my_tops and t.shop_id != shop.id:
            shops_by_top[t.top].add(t.shop_id)
    wanted = {sid for ids in shops_by_top.values() for sid in ids}
    kinds_by_shop: dict[int, set] = defaultdict(set)
    if wanted:
        for sid, kind, expires_on in db.session.execute(
                sa.select(ShopCertificate.shop_id, ShopCertificate.kind, ShopCertificate.expires_on)
                .where(ShopCertificate.shop_id.in_(wanted))):
            if expires_on is None or expires_on >= today:
                kinds_by_shop[sid].add(kind)
    names = dict(db.session.execute(sa.select(Category.id, Category.name).where(Category.id.in_(my_tops))).all())
    tips = []
    for top in sorted(my_tops, key=lambda t: names.get(t, "")):
        others = shops_by_top.get(top, set())
        if len(others) < MIN_SHOPS:
            continue
        for kind in CertificateKind:
            holders = sum(1 for sid in others if kind in kinds_by_shop[sid])
            if kind not in held and holders * 2 > len(others):
                tips.append(Tip("missing_certificate", str(_l(
                    "%(held)d dari %(shops)d toko lain di kategori %(category)s punya sertifikat %(kind)s; toko Anda "
                    "belum. Tanyakan pendampingan pengurusannya ke Dinas Koperasi dan UKM.",
                    held=holders, shops=len(others), category=names.get(top, ""), kind=CERTIFICATE_LABELS[kind]))))
    return tips


RULES: tuple[tuple[str, Callable[[Shop], list[Tip]]], ...] = (
    ("no_photos", no_photos),
    ("price_above_middle", price_above_middle),
    ("missing_certificate", missing_certificate),
)


def tips_for(shop: Shop) -> list[Tip]:
    return [tip for _code, rule in RULES for tip in rule(shop)]
