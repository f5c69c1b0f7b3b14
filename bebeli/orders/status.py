"""The words of an order's life: who acts (Actor), and how each fulfilment status, payment
status, channel and actor reads on every page, note and document. The moves themselves are
in `bebeli.lifecycle` (`fulfilment.transition`, `payment_status.move_payment`)."""
from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l

from bebeli.orders.models import Channel, FulfilmentMethod
from bebeli.orders.models import FulfilmentStatus as F
from bebeli.orders.models import PaymentStatus, SellerOrder


class Actor(enum.StrEnum):
    BUYER = "buyer"
    SELLER = "seller"
    ADMIN = "admin"
    SYSTEM = "system"  # payment gateway, scheduled commands


B, S, A, SYS = Actor.BUYER, Actor.SELLER, Actor.ADMIN, Actor.SYSTEM

STATUS_LABELS = {
    F.AWAITING_APPROVAL: _l("Menunggu persetujuan"),
    F.AWAITING_PAYMENT: _l("Menunggu pembayaran"),
    F.PAID: _l("Dibayar, menunggu penjual"),
    F.ACCEPTED: _l("Diproses penjual"),
    F.APPROVED: _l("Disetujui PPK, menunggu jawaban penjual"),
    F.SP_ACCEPTED: _l("Surat Pesanan diterima penjual"),
    F.RECEIVED: _l("BAST ditandatangani, menunggu pembayaran bendahara"),
    F.REJECTED: _l("Ditolak penjual"),
    F.SHIPPED: _l("Dikirim"),
    F.DELIVERED: _l("Sampai di tujuan"),
    F.COMPLETED: _l("Selesai"),
    F.CANCELLED: _l("Dibatalkan"),
    F.EXPIRED: _l("Kedaluwarsa"),
}

# A part the buyer collects at the shop is never "sent": the same two steps, read as pickup.
PICKUP_LABELS = {
    F.SHIPPED: _l("Siap diambil"),
    F.DELIVERED: _l("Sudah diambil"),
}
# A part whose every item the buyer refused at receipt ends completed (refunded), not "done".
REJECTED_AT_RECEIPT_LABEL = _l("Ditolak saat diterima")
# An agency order is finished when the treasurer has paid it in full.
AGENCY_COMPLETED_LABEL = _l("Selesai, dibayar bendahara")

STATUS_BADGES = {
    F.AWAITING_APPROVAL: "badge-warning",
    F.AWAITING_PAYMENT: "badge-warning",
    F.PAID: "badge-info",
    F.ACCEPTED: "badge-info",
    F.APPROVED: "badge-info",
    F.SP_ACCEPTED: "badge-info",
    F.RECEIVED: "badge-info",
    F.SHIPPED: "badge-info",
    F.DELIVERED: "badge-info",
    F.COMPLETED: "badge-success",
    F.REJECTED: "badge-danger",
    F.CANCELLED: "badge-muted",
    F.EXPIRED: "badge-muted",
}

PAYMENT_LABELS = {
    PaymentStatus.UNPAID: _l("Belum dibayar"),
    PaymentStatus.PAID: _l("Lunas"),
    PaymentStatus.FAILED: _l("Pembayaran gagal"),
    PaymentStatus.EXPIRED: _l("Kedaluwarsa"),
    PaymentStatus.CANCELLED: _l("Dibatalkan"),
    PaymentStatus.PARTIALLY_REFUNDED: _l("Dikembalikan sebagian"),
    PaymentStatus.REFUNDED: _l("Dikembalikan penuh"),
}

CHANNEL_LABELS = {
    Channel.PERSONAL: _l("Pribadi"),
    Channel.AGENCY: _l("Instansi"),
}

ACTOR_LABELS = {
    B: _l("Pembeli"),
    S: _l("Penjual"),
    A: _l("Administrator"),
    SYS: _l("Sistem"),
}


def rejected_in_full(so: SellerOrder) -> bool:
    """Every item of the part was refused at receipt."""
    return bool(so.lines) and all(line.rejected_quantity == line.quantity for line in so.lines)


def status_label(status, so: SellerOrder | None = None):
    """How a fulfilment status reads, for seller order `so` when given (pickup, or refused in
    full at receipt); every page, note and document uses this one wording."""
    status = F(status)
    if so is not None:
        if status == F.COMPLETED and rejected_in_full(so):
            return REJECTED_AT_RECEIPT_LABEL
        if status == F.COMPLETED and so.order.channel == Channel.AGENCY:
            return AGENCY_COMPLETED_LABEL
        if so.fulfilment_method == FulfilmentMethod.PICKUP and status in PICKUP_LABELS:
            return PICKUP_LABELS[status]
    return STATUS_LABELS[status]


def status_badge(status, so: SellerOrder | None = None) -> str:
    status = F(status)
    if so is not None and status == F.COMPLETED and rejected_in_full(so):
        return "badge-danger"
    return STATUS_BADGES[status]
