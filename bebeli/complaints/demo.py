"""Demo complaints: the demo buyer (Siti) complained about two deliveries from Keripik Bu Sari;
one was settled with a partial refund the seller offered and she accepted (a REFUND entry on
the shop's ledger), the other waits for the seller's answer. Through the real services."""
from __future__ import annotations

import sqlalchemy as sa

from bebeli import lifecycle
from bebeli.auth.models import User
from bebeli.catalog.models import Product
from bebeli.complaints import services
from bebeli.complaints.models import Complaint, ComplaintKind, Remedy
from bebeli.extensions import db
from bebeli.notifications.services import request_context
from bebeli.orders.demo import shipped_demo_order
from bebeli.orders.models import SellerOrder

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
    [so] = shipped_demo_order(buyer, [(product, quantity)]).seller_orders
    lifecycle.mark_delivered(so, so.shop.owner)
    db.session.flush()
    return so
