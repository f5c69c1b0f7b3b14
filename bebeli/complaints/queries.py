"""What each role may list and open: one function per audience, the ownership rule written once."""
from __future__ import annotations

import sqlalchemy as sa

from bebeli.auth.permissions import is_admin
from bebeli.complaints.models import OPEN_STATUSES, Complaint, ComplaintStatus
from bebeli.orders.models import OrderEvent
from bebeli.sellers.models import Shop


def complaints_for_buyer(user) -> sa.Select:
    return sa.select(Complaint).where(Complaint.buyer_id == user.id).order_by(Complaint.id.desc())


def complaints_for_seller(user, open_only: bool = False) -> sa.Select:
    stmt = (sa.select(Complaint).join(Shop, Shop.id == Complaint.shop_id).where(Shop.owner_id == user.id)
            .order_by(Complaint.id.desc()))
    return stmt.where(Complaint.status.in_(OPEN_STATUSES)) if open_only else stmt


def complaints_for_admin(status: str | None = None) -> sa.Select:
    stmt = sa.select(Complaint).order_by(Complaint.id.desc())
    if status == "eskalasi":
        stmt = stmt.where(Complaint.status == ComplaintStatus.ESCALATED)
    elif status == "terbuka":
        stmt = stmt.where(Complaint.status.in_(OPEN_STATUSES))
    return stmt


def is_complainant(user, complaint: Complaint) -> bool:
    return bool(user and user.is_authenticated and complaint.buyer_id == user.id)


def is_complained_seller(user, complaint: Complaint) -> bool:
    return bool(user and user.is_authenticated and complaint.shop.owner_id == user.id)


def can_view_complaint(user, complaint: Complaint) -> bool:
    return is_complainant(user, complaint) or is_complained_seller(user, complaint) or is_admin(user)


def complaint_events(complaint: Complaint) -> sa.Select:
    """The seller order's timeline (the complaint's steps are events of it)."""
    return (sa.select(OrderEvent).where(OrderEvent.seller_order_id == complaint.seller_order_id)
            .order_by(OrderEvent.id))


def complaint_links(seller_orders) -> dict[int, tuple[str, str]]:
    """For the buyer's order page: per seller order, the link to its complaint, or to open one
    while the window is open ("Ajukan komplain"). One query for the whole order."""
    from flask import url_for
    from flask_babel import gettext as _

    from bebeli.complaints.services import window_end
    from bebeli.db import utcnow
    from bebeli.extensions import db

    ids = [so.id for so in seller_orders]
    existing = dict(db.session.execute(sa.select(Complaint.seller_order_id, Complaint.id)
                                       .where(Complaint.seller_order_id.in_(ids))).all()) if ids else {}
    now, links = utcnow(), {}
    for so in seller_orders:
        if so.id in existing:
            links[so.id] = (url_for("complaints.detail", complaint_id=existing[so.id]), _("Lihat komplain"))
        elif (end := window_end(so)) is not None and now <= end:
            links[so.id] = (url_for("complaints.new", so_id=so.id), _("Ajukan komplain"))
    return links
