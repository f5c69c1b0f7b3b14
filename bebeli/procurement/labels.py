"""What the procurement pages call things: the stages, the next actions, the offers and the
timeline's kinds of entry, with the badge class of each stage."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from bebeli.procurement.models import OfferSide, OfferStatus, Stage

STAGE_LABELS = {
    Stage.AWAITING_APPROVAL: _l("Menunggu persetujuan PPK"),
    Stage.RETURNED: _l("Dikembalikan ke Pejabat Pengadaan"),
    Stage.APPROVED: _l("Surat Pesanan terbit"),
    Stage.RECEIVED: _l("BAST ditandatangani, menunggu pembayaran"),
    Stage.PAID: _l("Lunas"),
    Stage.CANCELLED: _l("Dibatalkan"),
}
STAGE_BADGES = {
    Stage.AWAITING_APPROVAL: "badge-warning",
    Stage.RETURNED: "badge-danger",
    Stage.APPROVED: "badge-info",
    Stage.RECEIVED: "badge-info",
    Stage.PAID: "badge-success",
    Stage.CANCELLED: "badge-muted",
}

ACTION_LABELS = {
    "answer_offer": _l("Tanggapi tawaran harga"),
    "resubmit": _l("Perbaiki dan ajukan ulang"),
    "approve": _l("Periksa dan setujui"),
    "sign_bast": _l("Periksa barang dan tanda tangani BAST"),
    "pay": _l("Catat pembayaran"),
    "answer_sp": _l("Terima atau tolak Surat Pesanan"),
    "ship": _l("Kirim barang"),
}
OFFER_LABELS = {
    OfferStatus.PENDING: _l("menunggu jawaban"),
    OfferStatus.ACCEPTED: _l("disepakati"),
    OfferStatus.COUNTERED: _l("ditawar balik"),
    OfferStatus.DECLINED: _l("ditolak"),
}
OFFER_BADGES = {
    OfferStatus.PENDING: "badge-warning",
    OfferStatus.ACCEPTED: "badge-success",
    OfferStatus.COUNTERED: "badge-muted",
    OfferStatus.DECLINED: "badge-muted",
}
OFFER_SIDE_LABELS = {
    OfferSide.BUYER: _l("usulan Pejabat Pengadaan"),
    OfferSide.SELLER: _l("tawaran balik penjual"),
}
EVENT_KIND_LABELS = {
    "negotiation": _l("Negosiasi harga"),
    "approval": _l("Persetujuan PPK"),
    "document": _l("Dokumen terbit"),
    "payment": _l("Pembayaran"),
    "note": _l("Catatan"),
}
