"""Demo complaints: the demo buyer (Siti) complained about two deliveries from Keripik Bu Sari;
one was settled with a partial refund the seller offered and she accepted (a REFUND entry on
the shop's ledger), the other waits for the seller's answer. Through the real services."""
from __future__ import annotations

import sqlalchemy as sa

from bebeli import lifecycle
from bebeli.auth.models import User
from bebeli.cart.services import add_to_cart, cart_key
from bebeli.catalog.models import Product
from bebeli.complaints import services
from bebeli.complaints.models import Complaint, ComplaintKind, Remedy
from bebeli.extensions import db
from bebeli.notifications.services import request_context
from bebeli.orders.models import FulfilmentMethod, SellerOrder

BUYER = "siti.rahmawati@bebeli.test"
PRODUCT = "Keripik Pisang Cokelat"


def seed(accounts: list, password: str) -> None:
    if db.session.scalar(sa.select(Complaint.id).limit(1)) is not None:
        return
    buyer = db.session.scalar(sa.select(User).where(User.email == BUYER))
    product = db.session.scalar(sa.select(Product).where(Product.name == PRODUCT).limit(1))
    if buyer is None or product is None:
        return
    with request_context():
        resolved = services.open_complaint(
            _delivered(buyer, product, 3), buyer, kind=ComplaintKind.DAMAGED,
            description="Dua bungkus keripik hancur dan kemasannya sobek saat diterima.")
        services.answer_complaint(resolved, product.shop.owner, offer=Remedy.PARTIAL_REFUND, amount=15_000,
                                  note="Mohon maaf, kami kembalikan harga dua bungkus.")
        services.accept_offer(resolved, buyer)
        lifecycle.confirm_receipt(resolved.seller_order, buyer, note="Sisanya baik.")   # SALE and REFUND entries
        services.open_complaint(_delivered(buyer, product, 2), buyer, kind=ComplaintKind.NOT_AS_DESCRIBED,
                                description="Rasanya tawar, bukan cokelat seperti di deskripsi.")


def _delivered(buyer: User, product: Product, quantity: int) -> SellerOrder:
    add_to_cart(buyer, product, quantity)
    office = lifecycle.office_address_for(buyer) or "Kantor pembeli"
    order, _ = lifecycle.place_order(
        buyer, lifecycle.same_choice_for_every_shop(buyer, FulfilmentMethod.DELIVERY, office),
        idempotency_key=cart_key(buyer))
    lifecycle.pay_without_screen(order)
    [so] = order.seller_orders
    lifecycle.accept_seller_order(so, so.shop.owner)
    lifecycle.ship_seller_order(so, so.shop.owner, courier="Kurir toko", tracking_number=None)
    lifecycle.mark_delivered(so, so.shop.owner)
    db.session.flush()
    return so
