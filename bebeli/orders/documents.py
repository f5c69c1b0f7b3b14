"""The documents of a seller order: the invoice (with the buyer's receipt once confirmed) and
the seller's packing slip. Figures come from what was stored at checkout (prices, the PPN rate
used), never from today's catalog or tax table."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import format_datetime
from flask_babel import gettext as _

from bebeli.db import utcnow
from bebeli.identity import format_npwp
from bebeli.money import rupiah
from bebeli.orders.models import FulfilmentMethod, SellerOrder
from bebeli.orders.status import status_label
from bebeli.pdf import MUTED, Document
from bebeli.tax import rate_label


def _when(value) -> str | None:
    return format_datetime(value, "d MMMM yyyy, HH:mm") + " WIB" if value else None


def _footer() -> str:
    return _("Dokumen elektronik BEBELI, sah tanpa tanda tangan. Dicetak %(at)s.", at=_when(utcnow()))


def _seller_block(so: SellerOrder) -> tuple[str, list]:
    shop = so.shop
    place = ", ".join(p for p in (shop.address, shop.kelurahan, shop.kecamatan, shop.regency) if p)
    return _("Penjual"), [
        (_("Nama usaha"), shop.name),
        (_("Pemilik"), shop.owner_name),
        (_("Alamat"), place),
        ("NIB", shop.nib),
        ("NPWP", format_npwp(shop.npwp) if shop.npwp else None),
        (_("Status PPN"), _("Pengusaha Kena Pajak (PKP)") if shop.is_pkp else _("Bukan PKP")),
    ]


def _buyer_block(so: SellerOrder) -> tuple[str, list]:
    buyer = so.order.buyer
    asn = buyer.asn
    return _("Pembeli"), [
        (_("Nama"), buyer.name),
        ("NIP", asn.nip if asn else None),
        (_("Perangkat daerah"), asn.agency.name if asn else None),
        (_("Email"), buyer.email),
        (_("Penerimaan"), so.delivery_address if so.fulfilment_method == FulfilmentMethod.DELIVERY
         else _("Diambil di toko")),
    ]


@dataclass
class Invoice:
    """What an invoice says, before it is drawn: tests and the PDF read the same figures."""

    title: str
    fields: list[tuple[str, object]]
    parties: list[tuple[str, list]]
    rows: list[list[object]]
    totals: list[tuple[str, str, bool]]
    notes: list[str] = field(default_factory=list)
    receipt: list[str] = field(default_factory=list)


def invoice_for(so: SellerOrder) -> Invoice:
    order = so.order
    received = so.received_at is not None
    rows = []
    for number, line in enumerate(so.lines, start=1):
        name = line.product_name
        if line.rejected_quantity:
            name += " " + _("(ditolak %(n)d)", n=line.rejected_quantity)
        rows.append([number, name, line.quantity, line.unit, rupiah(line.unit_price_amount), rupiah(line.amount)])
    totals = [(_("Jumlah barang (DPP)"), rupiah(so.goods_amount), False)]
    if so.ppn_amount:
        totals.append((_("PPN %(rate)s", rate=rate_label(so.ppn_rate_bp)), rupiah(so.ppn_amount), False))
    if so.delivery_fee_amount:
        totals.append((_("Ongkos kirim"), rupiah(so.delivery_fee_amount), False))
    totals.append((_("Total"), rupiah(so.total_amount), True))
    if so.refunded_amount:
        totals.append((_("Dikembalikan ke pembeli"), "-" + rupiah(so.refunded_amount), False))
        totals.append((_("Total dibayar bersih"), rupiah(so.total_amount - so.refunded_amount), True))
    return Invoice(
        title=_("INVOICE & TANDA TERIMA") if received else _("INVOICE"),
        fields=[
            (_("No. invoice"), so.number),
            (_("No. pesanan"), order.number),
            (_("Tanggal pesanan"), _when(order.created_at)),
            (_("Tanggal bayar"), _when(order.paid_at)),
            (_("Ref. pembayaran"), order.payment_reference),
            (_("Status"), str(status_label(so.status, so))),
        ],
        parties=[_seller_block(so), _buyer_block(so)],
        rows=rows,
        totals=totals,
        notes=[] if so.ppn_amount else [_("Penjual bukan Pengusaha Kena Pajak: harga tidak dikenai PPN.")],
        receipt=_receipt(so) if received or so.completed_at else [],
    )


def invoice_pdf(so: SellerOrder) -> bytes:
    invoice = invoice_for(so)
    doc = Document(f"{invoice.title} {so.number}", footer=_footer())
    doc.heading(invoice.title)
    doc.fields(invoice.fields)
    doc.ln(3)
    doc.columns(invoice.parties)
    doc.grid([_("No"), _("Barang"), _("Jml"), _("Satuan"), _("Harga"), _("Nilai")], invoice.rows,
             widths=(8, 72, 14, 20, 28, 32), align=("CENTER", "LEFT", "RIGHT", "LEFT", "RIGHT", "RIGHT"))
    doc.totals(invoice.totals)
    for note in invoice.notes:
        doc.paragraph(note, size=8, color=MUTED)
    if invoice.receipt:
        doc.ln(4)
        doc.paragraph(_("Tanda terima barang"), size=11, bold=True)
        for text in invoice.receipt:
            doc.paragraph(text)
    return doc.render()


def _receipt(so: SellerOrder) -> list[str]:
    if so.received_at:
        lines = [_("Barang pada invoice ini telah diterima dan diperiksa oleh %(name)s pada %(at)s.",
                   name=so.order.buyer.name, at=_when(so.received_at))]
    else:
        lines = [_("Pesanan selesai otomatis pada %(at)s karena pembeli tidak mengonfirmasi penerimaan.",
                   at=_when(so.completed_at))]
    rejected = [f"{line.product_name}: {line.rejected_quantity} {line.unit}" for line in so.lines if line.rejected_quantity]
    if rejected:
        lines.append(_("Ditolak saat diterima: %(items)s.", items="; ".join(rejected)))
    if so.receipt_note:
        lines.append(_("Catatan: %(note)s", note=so.receipt_note))
    return lines


def packing_slip_pdf(so: SellerOrder) -> bytes:
    doc = Document(_("Slip pengiriman %(number)s", number=so.number), footer=_footer())
    doc.heading(_("SLIP PENGIRIMAN"))
    buyer = so.order.buyer
    delivery = so.fulfilment_method == FulfilmentMethod.DELIVERY
    doc.fields([
        (_("No. pesanan"), so.number),
        (_("Tanggal bayar"), _when(so.order.paid_at)),
        (_("Dari"), f"{so.shop.name}, {so.shop.address}, {so.shop.kecamatan}"),
        (_("Penerima"), buyer.name),
        (_("Telepon"), buyer.phone),
        (_("Alamat"), so.delivery_address if delivery else _("Diambil di toko")),
        (_("Kurir"), so.courier),
        (_("No. resi"), so.tracking_number),
        (_("Catatan pembeli"), so.note),
    ])
    doc.ln(3)
    rows = [[n, line.product_name, line.quantity, line.unit, ""] for n, line in enumerate(so.lines, start=1)]
    doc.grid([_("No"), _("Barang"), _("Jml"), _("Satuan"), _("Dicek")], rows, widths=(10, 100, 20, 25, 20),
             align=("CENTER", "LEFT", "RIGHT", "LEFT", "CENTER"))
    return doc.render()
