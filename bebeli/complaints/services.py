"""The life of a complaint: opened by the buyer on a delivered seller order, answered by the
seller, accepted or escalated by the buyer, decided by the Dinas; every step an event on the
order, audited, and told to whoever acts next (in the app and by mail).

An open complaint holds the order's auto-completion (`held_seller_orders`, connected in
`bebeli.wiring`) and the shop's payout of it (`ledger.hold`). Its resolution goes through the
lifecycle: a refund by `lifecycle.give_back` (the gateway for card orders, an owed refund for
agency orders; the settlement entry is written once by the refund itself), a replacement by
`lifecycle.reopen_for_replacement`. Each status change is a conditional UPDATE, so a buyer, a
seller and the deadline job acting at once cannot both win.
"""
from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, url_for
from flask_babel import lazy_gettext as _l

from bebeli import lifecycle
from bebeli.audit.services import record
from bebeli.auth.models import RoleAssignment, Role, User
from bebeli.complaints.models import OPEN_STATUSES, Complaint, ComplaintKind, ComplaintPhoto, ComplaintStatus, Remedy
from bebeli.dates import to_jakarta
from bebeli.db import utcnow
from bebeli.errors import Conflict, DomainError, NotAllowed, ValidationFailed
from bebeli.extensions import db
from bebeli.images import process_image
from bebeli.money import rupiah
from bebeli.notifications.services import notify, request_context
from bebeli.orders.models import Channel, FulfilmentStatus, SellerOrder
from bebeli.orders.permissions import is_buyer_of
from bebeli.orders.status import Actor
from bebeli.sellers.permissions import is_seller_of
from bebeli.settlement import ledger
from bebeli.storage import get_storage, new_key

S = ComplaintStatus
MAX_PHOTOS = 3
MAX_TEXT = 2000

KIND_LABELS = {
    ComplaintKind.WRONG_ITEM: _l("Barang salah kirim"),
    ComplaintKind.DAMAGED: _l("Barang rusak"),
    ComplaintKind.NOT_RECEIVED: _l("Barang tidak diterima"),
    ComplaintKind.NOT_AS_DESCRIBED: _l("Tidak sesuai deskripsi"),
}
STATUS_LABELS = {
    S.AWAITING_SELLER: _l("Menunggu jawaban penjual"),
    S.AWAITING_BUYER: _l("Menunggu tanggapan pembeli"),
    S.ESCALATED: _l("Diputuskan Dinas"),
    S.RESOLVED: _l("Selesai"),
}
REMEDY_LABELS = {
    Remedy.REPLACEMENT: _l("Kirim barang pengganti"),
    Remedy.PARTIAL_REFUND: _l("Kembalikan sebagian dana"),
    Remedy.FULL_REFUND: _l("Kembalikan seluruh dana"),
    Remedy.CONTEST: _l("Menolak komplain"),
}


# --- who may do what ---------------------------------------------------------------------------

def window_start(so: SellerOrder) -> datetime | None:
    """When the goods reached the buyer: delivery (personal), the treasurer's payment that
    completed it (agency: before that, refused goods are left out of the BAST)."""
    if so.order.channel == Channel.AGENCY:
        return so.completed_at if so.status == FulfilmentStatus.COMPLETED else None
    if so.status in (FulfilmentStatus.DELIVERED, FulfilmentStatus.COMPLETED):
        return so.delivered_at or so.completed_at
    return None


def window_end(so: SellerOrder) -> datetime | None:
    start = window_start(so)
    return start + timedelta(days=current_app.config["COMPLAINT_WINDOW_DAYS"]) if start else None


def complaint_of(so: SellerOrder) -> Complaint | None:
    return db.session.scalar(sa.select(Complaint).where(Complaint.seller_order_id == so.id))


def may_open(so: SellerOrder, now: datetime | None = None) -> bool:
    end = window_end(so)
    return end is not None and (now or utcnow()) <= end and complaint_of(so) is None


def max_partial_amount(so: SellerOrder) -> int:
    """A partial refund: at most the goods of the part, and never more than is left of it."""
    return max(0, min(so.goods_amount - so.rejected_goods_amount, so.total_amount - so.refunded_amount))


def remedies_for(so: SellerOrder) -> list[Remedy]:
    """What may be offered or decided: a replacement ships again, which the agency channel's
    documents (SP, BAST, payment) do not provide for."""
    remedies = list(Remedy)
    if so.order.channel == Channel.AGENCY:
        remedies.remove(Remedy.REPLACEMENT)
    return remedies


def actions_for(complaint: Complaint, viewer: str) -> set[str]:
    """What the complaint's page offers `viewer` ("buyer", "seller", "admin") now."""
    return {
        ("buyer", S.AWAITING_BUYER): {"accept", "escalate"},
        ("seller", S.AWAITING_SELLER): {"answer"},
        ("admin", S.ESCALATED): {"decide"},
    }.get((viewer, complaint.status), set())


def _text(value: str | None, field: str, message, *, required: bool = True) -> str | None:
    value = (value or "").strip()
    if not value:
        if required:
            raise ValidationFailed(message, field=field)
        return None
    if len(value) > MAX_TEXT:
        raise ValidationFailed(_l("Paling panjang %(n)d karakter.", n=MAX_TEXT), field=field)
    return value


def _moved(complaint: Complaint, frm: tuple[ComplaintStatus, ...], **values) -> None:
    """Change the complaint's status only if it is still in one of `frm` (else Conflict)."""
    result = db.session.execute(sa.update(Complaint).where(Complaint.id == complaint.id, Complaint.status.in_(frm))
                                .values(updated_at=utcnow(), **values).execution_options(synchronize_session=False))
    db.session.expire(complaint)
    if result.rowcount != 1:
        raise Conflict(_l("Komplain ini baru saja berubah. Muat ulang halaman."))


def _event(complaint: Complaint, note: str, *, actor=None, actor_kind: Actor) -> None:
    so = complaint.seller_order
    lifecycle.record_event(so, order_id=so.order_id, actor=actor, actor_kind=actor_kind, kind="complaint", note=note)


def admins() -> list[User]:
    return list(db.session.scalars(sa.select(User).join(RoleAssignment, RoleAssignment.user_id == User.id)
                                   .where(RoleAssignment.role == Role.ADMIN).distinct().order_by(User.id)))


def _tell(users, complaint: Complaint, message, endpoint: str) -> None:
    with request_context():
        link = url_for(endpoint, complaint_id=complaint.id)
        for user in users:
            notify(user, str(message), subject=str(_l("Komplain %(number)s", number=complaint.seller_order.number)),
                   link=link, order_id=complaint.order_id, kind="complaint")


def _tell_buyer(complaint, message):
    _tell([complaint.buyer], complaint, message, "complaints.detail")


def _tell_seller(complaint, message):
    _tell([complaint.shop.owner], complaint, message, "complaints.seller_detail")


def _tell_admins(complaint, message):
    _tell(admins(), complaint, message, "complaints.admin_detail")


# --- the steps ---------------------------------------------------------------------------------

def open_complaint(so: SellerOrder, buyer, *, kind: ComplaintKind | str, description: str | None,
                   photos: list[bytes] = (), now: datetime | None = None) -> Complaint:
    if not is_buyer_of(buyer, so.order):
        raise NotAllowed()
    now = now or utcnow()
    end = window_end(so)
    if end is None:
        raise ValidationFailed(_l("Komplain dapat diajukan setelah barang diterima."))
    if now > end:
        raise ValidationFailed(_l("Batas waktu komplain (%(days)d hari setelah barang diterima) sudah lewat.",
                                  days=current_app.config["COMPLAINT_WINDOW_DAYS"]))
    if complaint_of(so) is not None:
        raise Conflict(_l("Pesanan ini sudah memiliki komplain."))
    try:
        kind = ComplaintKind(kind)
    except ValueError:
        raise ValidationFailed(_l("Pilih jenis masalah."), field="kind") from None
    description = _text(description, "description", _l("Ceritakan masalahnya."))
    photos = [p for p in photos if p]
    if len(photos) > MAX_PHOTOS:
        raise ValidationFailed(_l("Paling banyak %(n)d foto.", n=MAX_PHOTOS), field="photos")
    processed = [process_image(data) for data in photos]   # all checked before anything is stored
    complaint = Complaint(seller_order_id=so.id, order_id=so.order_id, shop_id=so.shop_id, buyer_id=buyer.id,
                          kind=kind, description=description, status=S.AWAITING_SELLER,
                          due_at=now + timedelta(days=current_app.config["COMPLAINT_SELLER_DAYS"]))
    db.session.add(complaint)
    for image in processed:
        key = new_key("private", f"complaints/{so.id}", "photo.webp")
        get_storage().save(key, image.display)
        complaint.photos.append(ComplaintPhoto(key=key))
    db.session.flush()
    ledger.hold(so, reason="complaint")
    _event(complaint, str(_l("Komplain diajukan: %(kind)s.", kind=KIND_LABELS[kind])), actor=buyer,
           actor_kind=Actor.BUYER)
    record("complaints.opened", actor=buyer, obj=complaint, seller_order=so.number, kind=kind.value)
    _tell_seller(complaint, _l("Pembeli mengajukan komplain atas pesanan %(number)s (%(kind)s). Jawab sebelum "
                               "%(due)s agar tidak diteruskan ke Dinas.", number=so.number, kind=KIND_LABELS[kind],
                               due=_when(complaint.due_at)))
    return complaint


def answer_complaint(complaint: Complaint, seller, *, offer: Remedy | str, amount: int | None = None,
                     note: str | None = None, now: datetime | None = None) -> None:
    so = complaint.seller_order
    if not is_seller_of(seller, so):
        raise NotAllowed()
    offer, amount = _remedy(so, offer, amount)
    note = _text(note, "note", _l("Jelaskan alasan Anda menolak komplain."), required=offer == Remedy.CONTEST)
    now = now or utcnow()
    _moved(complaint, (S.AWAITING_SELLER,), status=S.AWAITING_BUYER, offer=offer, offer_amount=amount,
           offer_note=note, answered_at=now, due_at=now + timedelta(days=current_app.config["COMPLAINT_BUYER_DAYS"]))
    text = _offer_text(offer, amount)
    _event(complaint, str(_l("Penjual menjawab komplain: %(offer)s.", offer=text)), actor=seller,
           actor_kind=Actor.SELLER)
    record("complaints.answered", actor=seller, obj=complaint, offer=offer.value, amount=amount, note=note)
    _tell_buyer(complaint, _l("Penjual menjawab komplain pesanan %(number)s: %(offer)s. Terima atau teruskan ke "
                              "Dinas sebelum %(due)s; setelah itu jawaban dianggap diterima.", number=so.number,
                              offer=text, due=_when(complaint.due_at)))


def accept_offer(complaint: Complaint, buyer) -> None:
    if not is_buyer_of(buyer, complaint.seller_order.order):
        raise NotAllowed()
    _resolve(complaint, (S.AWAITING_BUYER,), complaint.offer, complaint.offer_amount, actor=buyer,
             actor_kind=Actor.BUYER, note=str(_l("Pembeli menerima jawaban penjual.")))


def escalate(complaint: Complaint, buyer, note: str | None) -> None:
    if not is_buyer_of(buyer, complaint.seller_order.order):
        raise NotAllowed()
    note = _text(note, "note", _l("Jelaskan mengapa jawaban penjual belum menyelesaikan masalah."))
    _moved(complaint, (S.AWAITING_BUYER,), status=S.ESCALATED, escalated_at=utcnow(), escalation_note=note,
           due_at=None)
    _escalated(complaint, str(_l("Pembeli meneruskan komplain ke Dinas: %(note)s", note=note)), actor=buyer,
               actor_kind=Actor.BUYER)
    record("complaints.escalated", actor=buyer, obj=complaint, note=note)


def _escalated(complaint: Complaint, note: str, *, actor=None, actor_kind: Actor) -> None:
    _event(complaint, note, actor=actor, actor_kind=actor_kind)
    number = complaint.seller_order.number
    _tell_admins(complaint, _l("Komplain pesanan %(number)s menunggu keputusan Dinas.", number=number))
    _tell_seller(complaint, _l("Komplain pesanan %(number)s diteruskan ke Dinas untuk diputuskan.", number=number))


def decide(complaint: Complaint, admin, *, outcome: Remedy | str, amount: int | None, note: str | None) -> None:
    """The Dinas decides an escalated complaint: a remedy, or CONTEST (not upheld)."""
    if not admin.has_role(Role.ADMIN):
        raise NotAllowed()
    outcome, amount = _remedy(complaint.seller_order, outcome, amount)
    note = _text(note, "note", _l("Tuliskan pertimbangan keputusan."))
    _resolve(complaint, (S.ESCALATED,), outcome, amount, actor=admin, actor_kind=Actor.ADMIN, note=note)
    record("complaints.decided", actor=admin, obj=complaint, outcome=outcome.value, amount=amount, note=note)


def _remedy(so: SellerOrder, remedy, amount: int | None) -> tuple[Remedy, int | None]:
    try:
        remedy = Remedy(remedy)
    except ValueError:
        raise ValidationFailed(_l("Pilih salah satu penyelesaian."), field="remedy") from None
    if remedy not in remedies_for(so):
        raise ValidationFailed(_l("Penyelesaian ini tidak tersedia untuk pesanan ini."), field="remedy")
    if remedy == Remedy.PARTIAL_REFUND:
        limit = max_partial_amount(so)
        if amount is None or not 0 < amount <= limit:
            raise ValidationFailed(_l("Isi jumlah pengembalian antara Rp 1 dan %(max)s.", max=rupiah(limit)),
                                   field="amount")
        return remedy, amount
    if remedy == Remedy.FULL_REFUND:
        left = so.total_amount - so.refunded_amount
        if left <= 0:
            raise ValidationFailed(_l("Seluruh dana pesanan ini sudah dikembalikan."), field="remedy")
        return remedy, left
    return remedy, None


def _offer_text(remedy: Remedy, amount: int | None) -> str:
    label = str(REMEDY_LABELS[remedy])
    return f"{label} ({rupiah(amount)})" if amount else label


def _resolve(complaint: Complaint, frm, outcome: Remedy, amount: int | None, *, actor, actor_kind: Actor,
             note: str) -> None:
    so = complaint.seller_order
    _moved(complaint, frm, status=S.RESOLVED, outcome=outcome, outcome_amount=amount or 0, decision_note=note,
           resolved_at=utcnow(), resolved_by_id=getattr(actor, "id", None), due_at=None)
    if outcome in (Remedy.PARTIAL_REFUND, Remedy.FULL_REFUND):
        # the money follows the remedy fixed when it was offered or decided, never a later figure
        lifecycle.give_back(so, amount, goods_amount=min(amount, so.goods_amount - so.rejected_goods_amount),
                            reason="complaint", key=f"complaint:{complaint.id}", actor=actor)
    elif outcome == Remedy.REPLACEMENT:
        lifecycle.reopen_for_replacement(so, note=str(_l("Barang pengganti dikirim (komplain).")))
    ledger.release(so)
    text = _offer_text(outcome, amount)
    _event(complaint, str(_l("Komplain selesai: %(outcome)s. %(note)s", outcome=text, note=note)), actor=actor,
           actor_kind=actor_kind)
    record("complaints.resolved", actor=actor, obj=complaint, outcome=outcome.value, amount=amount)
    message = _l("Komplain pesanan %(number)s selesai: %(outcome)s.", number=so.number, outcome=text)
    _tell_buyer(complaint, message)
    _tell_seller(complaint, message)


# --- deadlines ---------------------------------------------------------------------------------

def enforce_deadlines(now: datetime | None = None, limit: int = 200) -> tuple[int, int]:
    """A seller silent past their deadline: the complaint goes to the Dinas. A buyer silent
    after an offer: the offer stands as accepted. Returns (escalated, accepted)."""
    now = now or utcnow()
    escalated = accepted = 0
    due = db.session.scalars(sa.select(Complaint).where(Complaint.status.in_((S.AWAITING_SELLER, S.AWAITING_BUYER)),
                                                        Complaint.due_at <= now)
                             .order_by(Complaint.id).limit(limit)).all()
    for complaint in due:
        try:
            with db.session.begin_nested():
                if complaint.status == S.AWAITING_SELLER:
                    _moved(complaint, (S.AWAITING_SELLER,), status=S.ESCALATED, escalated_at=now, due_at=None)
                    _escalated(complaint, str(_l("Penjual tidak menjawab tepat waktu: komplain diteruskan ke Dinas.")),
                               actor_kind=Actor.SYSTEM)
                    record("complaints.escalated", obj=complaint, automatic=True)
                    escalated += 1
                else:
                    _resolve(complaint, (S.AWAITING_BUYER,), complaint.offer, complaint.offer_amount,
                             actor=None, actor_kind=Actor.SYSTEM,
                             note=str(_l("Pembeli tidak menanggapi tepat waktu: jawaban penjual dianggap diterima.")))
                    accepted += 1
        except DomainError:
            continue   # somebody acted on it meanwhile, or the refund was refused: the next run tries again
    return escalated, accepted


def held_seller_orders() -> sa.Select:
    """Seller orders under an open complaint (they do not complete by themselves)."""
    return sa.select(Complaint.seller_order_id).where(Complaint.status.in_(OPEN_STATUSES))


def _when(at: datetime | None) -> str:
    return f"{to_jakarta(at):%d-%m-%Y %H:%M} WIB" if at else ""
