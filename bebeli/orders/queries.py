"""What each role may list: one function per audience, so the ownership rule is written once."""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from bebeli.auth.models import User
from bebeli.extensions import db
from bebeli.orders.models import FulfilmentStatus as F
from bebeli.orders.models import Order, OrderEvent, SellerOrder
from bebeli.sellers.models import Shop

# Tabs of the order lists: a name and the fulfilment statuses it shows.
BUYER_FILTERS = {
    "bayar": (F.AWAITING_PAYMENT, F.AWAITING_APPROVAL),
    "proses": (F.PAID, F.ACCEPTED, F.APPROVED, F.SP_ACCEPTED),
    "dikirim": (F.SHIPPED, F.DELIVERED),
    "bast": (F.RECEIVED,),
    "selesai": (F.COMPLETED,),
    "batal": (F.CANCELLED, F.REJECTED, F.EXPIRED),
}
SELLER_FILTERS = {
    "baru": (F.PAID, F.APPROVED),          # a paid order or a Surat Pesanan waits for the seller's answer
    "proses": (F.ACCEPTED, F.SP_ACCEPTED),
    "dikirim": (F.SHIPPED, F.DELIVERED),
    "bast": (F.RECEIVED,),
    "selesai": (F.COMPLETED,),
    "batal": (F.CANCELLED, F.REJECTED, F.EXPIRED),
    "menunggu": (F.AWAITING_PAYMENT, F.AWAITING_APPROVAL),
}
FILTER_LABELS = {
    "": _l("Semua"),
    "bayar": _l("Belum dibayar"),
    "baru": _l("Perlu diproses"),
    "proses": _l("Diproses"),
    "dikirim": _l("Dikirim"),
    "bast": _l("Menunggu pembayaran bendahara"),
    "selesai": _l("Selesai"),
    "batal": _l("Batal / ditolak"),
    "menunggu": _l("Menunggu pembayaran"),
}


def orders_for(user, status_filter: str | None = None):
    """The buyer's own orders, newest first; a filter keeps orders with a part in that state."""
    stmt = sa.select(Order).where(Order.buyer_id == user.id).order_by(Order.id.desc())
    return _with_parts_in(stmt, BUYER_FILTERS.get(status_filter or ""))


def seller_orders_for(user, status_filter: str | None = None):
    """Seller orders of the shops `user` owns, newest first."""
    stmt = (
        sa.select(SellerOrder).join(Shop, Shop.id == SellerOrder.shop_id)
        .where(Shop.owner_id == user.id).order_by(SellerOrder.id.desc())
        .options(joinedload(SellerOrder.order))  # the list shows each order's buyer
    )
    statuses = SELLER_FILTERS.get(status_filter or "")
    return stmt.where(SellerOrder.status.in_(statuses)) if statuses else stmt


def seller_order_counts(user) -> dict[str, int]:
    """How many seller orders of `user`'s shops wait in each filter that asks the seller to act
    (new, in progress, on the way): one grouped query, for the seller dashboard."""
    wanted = {status: key for key in ("baru", "proses", "dikirim") for status in SELLER_FILTERS[key]}
    rows = db.session.execute(
        sa.select(SellerOrder.status, sa.func.count()).join(Shop, Shop.id == SellerOrder.shop_id)
        .where(Shop.owner_id == user.id, SellerOrder.status.in_(wanted)).group_by(SellerOrder.status)
    )
    counts = dict.fromkeys(("baru", "proses", "dikirim"), 0)
    for status, count in rows:
        counts[wanted[status]] += count
    return counts


def all_orders(search: str | None = None, status_filter: str | None = None):
    """Every order, for administrators: by order number, buyer name or email, or shop name."""
    stmt = sa.select(Order).order_by(Order.id.desc())
    search = (search or "").strip()
    if search:
        pattern = f"%{search.lower()}%"
        shop_match = (
            sa.select(SellerOrder.order_id).join(Shop, Shop.id == SellerOrder.shop_id)
            .where(sa.or_(sa.func.lower(Shop.name).like(pattern), sa.func.lower(SellerOrder.number).like(pattern)))
        )
        buyer_match = sa.select(User.id).where(sa.or_(sa.func.lower(User.name).like(pattern),
                                                      sa.func.lower(User.email).like(pattern)))
        stmt = stmt.where(sa.or_(sa.func.lower(Order.number).like(pattern), Order.buyer_id.in_(buyer_match),
                                 Order.id.in_(shop_match)))
    return _with_parts_in(stmt, BUYER_FILTERS.get(status_filter or ""))


def _with_parts_in(stmt, statuses):
    if not statuses:
        return stmt
    return stmt.where(Order.id.in_(sa.select(SellerOrder.order_id).where(SellerOrder.status.in_(statuses))))


def events_for(order: Order, seller_order: SellerOrder | None = None):
    """The timeline, newest first: the whole order's, or one seller order's (what its shop sees)."""
    stmt = sa.select(OrderEvent).where(OrderEvent.order_id == order.id).order_by(OrderEvent.id.desc())
    return stmt.where(OrderEvent.seller_order_id == seller_order.id) if seller_order else stmt
