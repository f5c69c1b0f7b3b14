"""Demo orders, placed and moved through the real services once the demo catalog exists:
Siti has a finished purchase from two shops (one still to be confirmed) and a paid one from two
shops waiting for the sellers (the demo seller, Keripik Bu Sari, among them); Budi has an order
waiting for payment."""
from __future__ import annotations

import sqlalchemy as sa

from bebeli.auth.models import User
from bebeli.cart.services import add_to_cart, cart_key
from bebeli.catalog.models import Product
from bebeli.extensions import db
from bebeli import lifecycle
from bebeli.orders.models import FulfilmentMethod, Order
from bebeli.lifecycle import pay_without_screen

# buyer email → orders: [(product name, quantity)], then how far each shop's part gets
PURCHASES = [
    ("siti.rahmawati@bebeli.test", [("Keripik Pisang Manis", 5), ("Kain Batik Cap Motif Golok", 1)], "shipped"),
    ("siti.rahmawati@bebeli.test", [("Kopi Robusta Bubuk 250 gram", 2), ("Keripik Singkong Balado", 2)], "paid"),
    ("budi.santoso@bebeli.test", [("Keripik Singkong Balado", 3)], "unpaid"),
]


def _product(name: str) -> Product | None:
    return db.session.scalar(sa.select(Product).where(Product.name == name).limit(1))


def seed(accounts: list, password: str) -> None:
    if db.session.scalar(sa.select(Order.id).limit(1)) is not None:
        return  # orders exist already: seeded before, or a real database
    for email, items, stage in PURCHASES:
        buyer = db.session.scalar(sa.select(User).where(User.email == email))
        products = [(_product(name), quantity) for name, quantity in items]
        if buyer is not None and all(product is not None for product, _ in products):
            _purchase(buyer, products, stage)


def place_demo_order(buyer: User, items) -> Order:
    """The buyer's cart of `items` [(product, quantity)] placed as a delivery to their office,
    through the real checkout (the demo seeders of other rooms use it too)."""
    for product, quantity in items:
        add_to_cart(buyer, product, quantity)
    office = lifecycle.office_address_for(buyer) or "Kantor pembeli"
    order, _ = lifecycle.place_order(buyer, lifecycle.same_choice_for_every_shop(buyer, FulfilmentMethod.DELIVERY, office),
                                  idempotency_key=cart_key(buyer))
    return order


def shipped_demo_order(buyer: User, items) -> Order:
    """`place_demo_order`, paid, and every shop's part accepted and shipped by its seller."""
    order = place_demo_order(buyer, items)
    pay_without_screen(order)
    for so in order.seller_orders:
        lifecycle.accept_seller_order(so, so.shop.owner)
        lifecycle.ship_seller_order(so, so.shop.owner, courier="Kurir toko", tracking_number=None)
    return order


def _purchase(buyer: User, products: list, stage: str) -> None:
    if stage == "shipped":
        order = shipped_demo_order(buyer, products)
        lifecycle.confirm_receipt(order.seller_orders[0], buyer, note="Diterima dengan baik di kantor.")
        return
    order = place_demo_order(buyer, products)
    if stage != "unpaid":
        pay_without_screen(order)
