"""The buyer's cart: adding, changing and reviewing lines against the live catalog.

A line remembers the price the buyer saw. Whatever changed since (price, stock, minimum order,
availability) is reported per line by `review_cart`, shown on the cart page and refused at
checkout until the buyer has accepted it: nothing changes behind the buyer's back.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import lru_cache

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, lazyload, selectinload

from bebeli.cart.models import CartLine
from bebeli.catalog.models import Product
from bebeli.catalog.queries import is_orderable
from bebeli.errors import NotAllowed, OutOfStock, ValidationFailed
from bebeli.extensions import db
from bebeli.money import rupiah
from bebeli.sellers.models import Shop


@dataclass
class CartItem:
    line: CartLine
    problem: str | None = None   # unavailable | price_changed | out_of_stock | stock_short | below_minimum
    message: str | None = None

    @property
    def product(self) -> Product:
        return self.line.product

    @property
    def amount(self) -> int:
        return self.line.quantity * self.line.price_seen_amount

    @property
    def thumb_key(self) -> str | None:
        """The product's first photo, small (load the cart with `images=True`)."""
        images = self.product.images
        return images[0].thumb_key if images else None


@dataclass
class ShopGroup:
    shop: Shop
    items: list[CartItem] = field(default_factory=list)

    @property
    def goods_amount(self) -> int:
        return sum(item.amount for item in self.items)

    @property
    def has_problems(self) -> bool:
        return any(item.problem for item in self.items)


@dataclass
class CartReview:
    groups: list[ShopGroup]

    @property
    def items(self) -> list[CartItem]:
        return [item for group in self.groups for item in group.items]

    @property
    def problems(self) -> list[CartItem]:
        return [item for item in self.items if item.problem]

    @property
    def goods_amount(self) -> int:
        return sum(group.goods_amount for group in self.groups)

    @property
    def is_empty(self) -> bool:
        return not self.groups


def line_problem(line: CartLine) -> tuple[str | None, str | None]:
    """What stands between this line and checkout, as (code, message for the buyer)."""
    product = line.product
    if not is_orderable(product):
        return "unavailable", str(_l("Produk ini tidak lagi tersedia."))
    if product.price_amount != line.price_seen_amount:
        return "price_changed", str(_l("Harga berubah dari %(old)s menjadi %(new)s.",
                                       old=rupiah(line.price_seen_amount), new=rupiah(product.price_amount)))
    if product.stock <= 0:
        return "out_of_stock", str(_l("Stok habis."))
    if line.quantity > product.stock:
        return "stock_short", str(_l("Stok tersisa %(n)d %(unit)s.", n=product.stock, unit=product.unit))
    if line.quantity < product.min_order_qty:
        return "below_minimum", str(_l("Minimal pembelian %(n)d %(unit)s.", n=product.min_order_qty,
                                       unit=product.unit))
    return None, None


@lru_cache(maxsize=4)
def _cart_statement(categories: bool, images: bool):
    # One query: the product and its shop joined, and nothing the cart does not show
    # (certificates, the owner's account), which would otherwise be loaded eagerly. Checkout
    # asks for the categories too (the quota groups the order's goods by them); the pages for
    # the photos (one more query for every line's images, never one per line). Built once.
    return (
        sa.select(CartLine).where(CartLine.buyer_id == sa.bindparam("buyer_id")).order_by(CartLine.id)
        .options(joinedload(CartLine.product).options(
            selectinload(Product.images) if images else lazyload(Product.images),
            joinedload(Product.category) if categories else lazyload(Product.category),
            joinedload(Product.shop).options(lazyload(Shop.certificates), lazyload(Shop.owner)),
        ))
    )


def cart_lines_for(buyer, *, categories: bool = False, images: bool = False) -> list[CartLine]:
    return list(db.session.scalars(_cart_statement(categories, images), {"buyer_id": buyer.id}))


def review_cart(buyer, lines: list[CartLine] | None = None, *, images: bool = False) -> CartReview:
    """The cart grouped by shop, each line with what stands before checkout; `images` loads
    the products' photos too (for pages that show them)."""
    groups: dict[int, ShopGroup] = {}
    for line in cart_lines_for(buyer, images=images) if lines is None else lines:
        problem, message = line_problem(line)
        group = groups.setdefault(line.product.shop_id, ShopGroup(shop=line.product.shop))
        group.items.append(CartItem(line=line, problem=problem, message=message))
    return CartReview(groups=list(groups.values()))


def cart_key(buyer, lines: list[CartLine] | None = None) -> str:
    """A fingerprint of exactly what the buyer sees in the cart.

    It is the checkout form's idempotency key: two clicks, two tabs or a retried request on
    the same cart carry the same key (one order), and a cart changed in another tab no longer
    matches the page the buyer confirmed.
    """
    lines = cart_lines_for(buyer) if lines is None else lines
    # created_at too: SQLite reuses the id of a deleted row, and the same cart filled again
    # after an order is a new order, not a retry of the old one.
    text = f"{buyer.id}|" + ";".join(
        f"{line.id}:{line.created_at.timestamp()}:{line.product_id}:{line.quantity}:{line.price_seen_amount}"
        for line in sorted(lines, key=lambda l: l.id)
    )
    return hashlib.sha256(text.encode()).hexdigest()[:40]


def _check_quantity(product: Product, quantity: int) -> None:
    if quantity < 1 or quantity > current_app.config["CART_MAX_QUANTITY"]:
        raise ValidationFailed(_l("Jumlah tidak valid."), field="quantity")
    if quantity < product.min_order_qty:
        raise ValidationFailed(_l("Minimal pembelian %(n)d %(unit)s.", n=product.min_order_qty, unit=product.unit),
                               field="quantity")
    if quantity > product.stock:
        raise OutOfStock(_l("Stok %(name)s tersisa %(n)d %(unit)s.", name=product.name, n=product.stock,
                            unit=product.unit), field="quantity")


def _line(buyer, product_id: int) -> CartLine | None:
    # The line alone: its product is the caller's (or loaded when used), not joined again.
    return db.session.scalar(sa.select(CartLine).where(CartLine.buyer_id == buyer.id, CartLine.product_id == product_id)
                             .options(lazyload(CartLine.product)))


def _line_and_count(buyer, product_id: int) -> tuple[CartLine | None, int]:
    """The buyer's line for the product (None if there is none) and how many lines the cart
    holds, in one query."""
    counted = sa.select(sa.func.count(CartLine.id).label("n")).where(CartLine.buyer_id == buyer.id).subquery()
    stmt = (
        sa.select(CartLine, counted.c.n).select_from(counted)
        .outerjoin(CartLine, sa.and_(CartLine.buyer_id == buyer.id, CartLine.product_id == product_id))
        .options(lazyload(CartLine.product))
    )
    line, count = db.session.execute(stmt).one()
    return line, count or 0


def add_to_cart(buyer, product: Product, quantity: int) -> CartLine:
    """Add `quantity` of `product` (on top of what the cart already holds) at today's price."""
    if not is_orderable(product):
        raise ValidationFailed(_l("Produk ini tidak tersedia."))
    if product.shop.owner_id == buyer.id:
        raise NotAllowed(_l("Anda tidak dapat membeli produk dari toko Anda sendiri."))
    line, count = _line_and_count(buyer, product.id)
    if line is None:
        if count >= current_app.config["CART_MAX_LINES"]:
            raise ValidationFailed(_l("Keranjang sudah penuh. Selesaikan atau kurangi isi keranjang dulu."))
        _check_quantity(product, quantity)
        line = CartLine(buyer_id=buyer.id, product_id=product.id, quantity=quantity,
                        price_seen_amount=product.price_amount)
        try:
            with db.session.begin_nested():
                db.session.add(line)
        except IntegrityError:  # the same product added twice at once (double click): one line
            line = _line(buyer, product.id)
            if line is None:
                raise
        return line
    _check_quantity(product, line.quantity + quantity)
    line.quantity += quantity
    line.price_seen_amount = product.price_amount  # the buyer is looking at today's price
    return line


def set_quantity(buyer, product_id: int, quantity: int) -> CartLine:
    line = _line(buyer, product_id)
    if line is None:
        raise ValidationFailed(_l("Produk tidak ada di keranjang."))
    _check_quantity(line.product, quantity)
    line.quantity = quantity
    return line


def remove_from_cart(buyer, product_id: int) -> None:
    db.session.execute(sa.delete(CartLine).where(CartLine.buyer_id == buyer.id, CartLine.product_id == product_id))


def accept_changes(buyer) -> list[str]:
    """Bring every line in line with the catalog after the buyer has seen the differences:
    take the new price, lower quantities to the stock left, raise them to the minimum order,
    and drop what can no longer be bought. Returns what was done, for the buyer."""
    done = []
    for item in review_cart(buyer).problems:
        line, product = item.line, item.product
        if item.problem == "price_changed":
            line.price_seen_amount = product.price_amount
            problem, _ = line_problem(line)
            if problem is None:
                done.append(str(_l("%(name)s: harga diperbarui.", name=product.name)))
                continue
        quantity = min(max(line.quantity, product.min_order_qty), product.stock)
        if not is_orderable(product) or quantity < product.min_order_qty:
            db.session.delete(line)
            done.append(str(_l("%(name)s dihapus dari keranjang.", name=product.name)))
        else:
            line.quantity = quantity
            done.append(str(_l("%(name)s: jumlah disesuaikan menjadi %(n)d.", name=product.name, n=quantity)))
    return done


def clear_cart(buyer, lines: list[CartLine]) -> None:
    db.session.execute(sa.delete(CartLine).where(CartLine.buyer_id == buyer.id,
                                                 CartLine.id.in_([line.id for line in lines])))
