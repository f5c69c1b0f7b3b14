"""Order helpers for tests: a buyer with an office, a filled cart, a placed order, a paid one.

They go through the real services (cart, checkout, the simulated gateway's provider side and
the success-page path), committing like finished requests.
"""
from __future__ import annotations

from bebeli.cart.services import add_to_cart, cart_key
from bebeli.extensions import db
from bebeli.lifecycle import pay_without_screen, place_order, same_choice_for_every_shop
from bebeli.orders.models import FulfilmentMethod, Order
from tests.factories import AgencyFactory, AsnFactory, ProductFactory, ShopFactory


def asn_buyer(**kw):
    agency = AgencyFactory(address="Jl. Teuku Umar No. 1, Cikarang Pusat")
    return AsnFactory(agency=agency, **kw).user


def two_shop_products(stock: int = 10):
    """A product in a PKP shop (PPN 11%) and one in a non-PKP shop, different delivery fees."""
    pkp = ProductFactory(shop=ShopFactory(is_pkp=True, npwp="0012345678901000", delivery_fee_amount=15_000),
                         price_amount=100_000, stock=stock)
    small = ProductFactory(shop=ShopFactory(delivery_fee_amount=10_000), price_amount=25_000, stock=stock)
    return pkp, small


def fill_cart(buyer, *items) -> None:
    for product, quantity in items:
        add_to_cart(buyer, product, quantity)
    db.session.commit()


def place(buyer, method: FulfilmentMethod = FulfilmentMethod.DELIVERY, address: str = "Jl. Uji No. 2",
          note: str | None = None) -> Order:
    choices = same_choice_for_every_shop(buyer, method, address, note)
    order, created = place_order(buyer, choices, idempotency_key=cart_key(buyer))
    assert created
    db.session.commit()
    return order


def pay(order: Order) -> Order:
    """Pay through the simulated gateway: its provider side, then the return page's path."""
    assert pay_without_screen(order) == "paid"
    db.session.commit()
    return order


def paid_order(buyer, *items, **kw) -> Order:
    fill_cart(buyer, *items)
    return pay(place(buyer, **kw))


def database_snapshot() -> dict[str, list]:
    """Every row of every table: a failed operation must leave all of them exactly as they were
    (stock, orders, the quota ledger …), not just as many."""
    db.session.expire_all()
    return {table.name: sorted(map(repr, db.session.execute(db.select(table)).all()))
            for table in db.metadata.sorted_tables}
