"""Demo reviews, written through the real services once the demo orders exist: Budi and Dewi
receive a purchase each and review it, Keripik Bu Sari replies to two reviews, and the Dinas
hid one review that carried a phone number (its author was told why). Dewi, the quota demo's
ASN, buys nothing here: her month starts at zero."""
from __future__ import annotations

import sqlalchemy as sa

from bebeli import lifecycle
from bebeli.auth.models import User
from bebeli.catalog.models import Product
from bebeli.extensions import db
from bebeli.orders.demo import shipped_demo_order
from bebeli.orders.models import FulfilmentStatus, Order, OrderLine
from bebeli.reviews.models import Review
from bebeli.reviews.moderation import Decision, decide
from bebeli.reviews.services import ReviewInput, reply, save_review

ITEMS = (("Keripik Pisang Manis", 2), ("Kopi Robusta Bubuk 250 gram", 1))
# buyer → {product: (stars, text, anonymous, the shop's reply or None)}
REVIEWS = {
    "budi.santoso@bebeli.test": {
        "Keripik Pisang Manis": (5, "Renyah, manisnya pas, dan kemasannya rapi. Cocok untuk suguhan rapat.", False,
                                 "Terima kasih, Pak Budi! Ditunggu pesanan berikutnya."),
        "Kopi Robusta Bubuk 250 gram": (4, "Aromanya kuat, gilingan agak kasar untuk tubruk.", False, None),
    },
    "siti.rahmawati@bebeli.test": {
        "Keripik Pisang Manis": (4, "Enak, tapi beberapa keripik remuk di perjalanan.", True,
                                 "Mohon maaf, Bu Siti. Kami tambahkan pelindung kardus untuk pengiriman berikutnya."),
        "Kopi Robusta Bubuk 250 gram": (2, "Kurang segar. Kalau mau yang baru sangrai hubungi saya 0812-3456-7890.",
                                        False, None),
    },
}
HIDDEN_REASON = "Ulasan memuat nomor telepon pribadi; transaksi di luar BEBELI tidak diperbolehkan."


def _user(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email))


def _product(name: str) -> Product | None:
    return db.session.scalar(sa.select(Product).where(Product.name == name).limit(1))


def _received_order(buyer: User) -> Order | None:
    products = [(_product(name), quantity) for name, quantity in ITEMS]
    if any(product is None for product, _ in products):
        return None
    order = shipped_demo_order(buyer, products)
    for so in order.seller_orders:
        lifecycle.confirm_receipt(so, buyer, note="Diterima di kantor.")
    return order


def seed(accounts: list, password: str) -> None:
    if db.session.scalar(sa.select(Review.id).limit(1)) is not None:
        return  # reviewed before
    admin = _user("admin@bebeli.test")
    for email, reviews in REVIEWS.items():
        buyer = _user(email)
        order = _received_order(buyer) if buyer is not None else None
        if order is None:
            continue
        for so in order.seller_orders:
            for line in so.lines:
                stars, text, anonymous, answer = reviews[line.product_name]
                review, _ = save_review(buyer, line.id, ReviewInput(stars, text, anonymous))
                if answer:
                    reply(review, so.shop.owner, answer)
                if review.queued and admin is not None:
                    decide(review, admin, Decision.HIDE, HIDDEN_REASON)
    # Siti's earlier finished purchase (orders/demo.py): a review of each other product she received.
    siti = _user("siti.rahmawati@bebeli.test")
    if siti is not None:
        reviewed = set(db.session.scalars(sa.select(Review.product_id).where(Review.author_id == siti.id)))
        lines = db.session.scalars(
            sa.select(OrderLine).join(OrderLine.seller_order).join(Order)
            .where(Order.buyer_id == siti.id, OrderLine.seller_order.has(status=FulfilmentStatus.COMPLETED))).all()
        for line in lines:
            if line.product_id not in reviewed:
                reviewed.add(line.product_id)
                save_review(siti, line.id, ReviewInput(5, "Sesuai deskripsi, dikirim cepat ke kantor.", False))
