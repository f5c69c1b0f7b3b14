"""The agency purchase's documents as PDF: Surat Pesanan, BAST and the seller's invoice.

Drawn on demand from what is stored (numbers, dates, agreed prices, tax figures of the SP
date), so printing a document again gives the same document.
"""
from __future__ import annotations

from flask_babel import format_date, format_datetime
from flask_babel import gettext as _

from bebeli.identity import format_npwp
from bebeli.money import percent, rupiah
from bebeli.orders.models import FulfilmentMethod
from bebeli.pdf import Document
from bebeli.procurement.models import AgencyPurchase

KINDS = ("sp", "bast", "tagihan")


def is_issued(purchase: AgencyPurchase, kind: str) -> bool:
    return bool(purchase.sp_number if kind == "sp" else purchase.bast_number)


def filename(purchase: AgencyPurchase, kind: str) -> str:
    number = {"sp": purchase.sp_number, "bast": purchase.bast_number, "tagihan": purchase.invoice_number}[kind]
    return f"{number}.pdf"


def render(purchase: AgencyPurchase, kind: str) -> bytes:
    return {"sp": surat_pesanan, "bast": bast, "tagihan": invoice}[kind](purchase)


def _day(value) -> str:
    return format_date(value, "d MMMM yyyy") if value else "–"


def _parties(doc: Document, purchase: AgencyPurchase) -> None:
    agency, shop = purchase.agency, purchase.shop
    doc.columns([
        (_("Pemesan"), [
            (_("Perangkat daerah"), agency.name),
            (_("Alamat"), agency.address),
            (_("PPK"), purchase.ppk.name),
            (_("Pejabat Pengadaan"), purchase.pp.name),
        ]),
        (_("Penyedia"), [
            (_("Nama usaha"), shop.name),
            (_("Pemilik"), shop.owner_name),
            (_("NIB"), shop.nib),
            (_("NPWP"), format_npwp(shop.npwp) if shop.npwp else None),
            (_("Status PPN"), _("PKP") if purchase.ppn_rate_bp else _("Bukan PKP")),
            (_("Alamat"), f"{shop.address}, {shop.kecamatan}"),
        ]),
    ])


def _tax_rows(purchase: AgencyPurchase, total_label: str,
              goods_label: str | None = None) -> list[tuple[str, str, bool]]:
    """The figures under a document's table. With `goods_label`, the goods' value (with PPN)
    is a total of its own and delivery a line after it."""
    rows = [(_("DPP (harga barang tanpa PPN)"), rupiah(purchase.dpp_amount), False),
            (_("PPN %(rate)s", rate=percent(purchase.ppn_rate_bp, places=2)), rupiah(purchase.ppn_amount), False)]
    if goods_label:
        rows.append((goods_label, rupiah(purchase.goods_value_amount), True))
    if purchase.delivery_amount:
        rows.append((_("Ongkos kirim"), rupiah(purchase.delivery_amount), False))
    if not goods_label or purchase.delivery_amount:
        rows.append((total_label, rupiah(purchase.gross_amount), True))
    rows += [
        (_("Dipotong PPh 22 %(rate)s", rate=percent(purchase.pph22_rate_bp, places=2)) if purchase.pph22_amount
         else _("PPh 22 (tidak dipotong)"), rupiah(-purchase.pph22_amount), False),
        (_("PPN dipungut bendahara"), rupiah(-purchase.ppn_withheld_amount), False),
        (_("Diterima penyedia (neto)"), rupiah(purchase.net_amount), True),
    ]
    return rows


def _document(purchase: AgencyPurchase, title: str, number: str, day, reference_pairs) -> Document:
    doc = Document(title, footer=_("Dokumen elektronik BEBELI · %(number)s", number=number))
    doc.heading(title)
    doc.fields([(_("Nomor"), number), (_("Tanggal"), _day(day)), *reference_pairs])
    doc.ln(2)
    _parties(doc, purchase)
    return doc


def _signature(doc: Document, purchase: AgencyPurchase, what: str, at) -> None:
    doc.ln(3)
    doc.paragraph(_("Pejabat Pembuat Komitmen"), bold=True)
    doc.paragraph(purchase.ppk.name)
    doc.paragraph(_("%(what)s secara elektronik pada %(at)s WIB", what=what,
                    at=format_datetime(at, "d MMMM yyyy HH:mm")), size=8)


def surat_pesanan(purchase: AgencyPurchase) -> bytes:
    so, line = purchase.seller_order, purchase.budget_line
    doc = _document(purchase, _("SURAT PESANAN"), purchase.sp_number, purchase.sp_date, [
        (_("Nomor pesanan"), so.number),
        (_("Kode anggaran"), f"{line.code} — {line.name} (TA {line.fiscal_year})"),
        _handover_place(purchase),
    ])
    rows = []
    for index, item in enumerate(so.lines, start=1):
        price = rupiah(item.unit_price_amount)
        if item.unit_price_amount != item.list_price_amount:
            price += " " + _("(katalog %(price)s)", price=rupiah(item.list_price_amount))
        rows.append([index, item.product_name, f"{item.quantity} {item.unit}", price,
                     rupiah(item.unit_price_amount * item.quantity)])
    doc.grid([_("No"), _("Barang"), _("Jumlah"), _("Harga satuan"), _("Nilai")], rows,
             (8, 70, 22, 45, 35), ("CENTER", "LEFT", "RIGHT", "RIGHT", "RIGHT"))
    doc.totals(_tax_rows(purchase, _("Nilai Surat Pesanan")))
    _signature(doc, purchase, _("Disetujui"), purchase.approved_at)
    return doc.render()


def _handover_place(purchase: AgencyPurchase) -> tuple[str, str]:
    so, shop = purchase.seller_order, purchase.shop
    if so.fulfilment_method == FulfilmentMethod.PICKUP:
        return _("Cara menerima"), _("Diambil sendiri di %(address)s", address=f"{shop.address}, {shop.kecamatan}")
    return _("Alamat kirim"), so.delivery_address


def _accepted_rows(purchase: AgencyPurchase) -> list[list]:
    return [[item.product_name, item.quantity, item.rejected_quantity, item.quantity - item.rejected_quantity,
             rupiah(item.unit_price_amount), rupiah(item.unit_price_amount * (item.quantity - item.rejected_quantity))]
            for item in purchase.seller_order.lines]


_ACCEPTED_HEADINGS = ("Barang", "Dipesan", "Ditolak", "Diterima", "Harga satuan", "Nilai diterima")
_ACCEPTED_WIDTHS = (60, 18, 18, 20, 32, 32)
_ACCEPTED_ALIGN = ("LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "RIGHT")


def bast(purchase: AgencyPurchase) -> bytes:
    doc = _document(purchase, _("BERITA ACARA SERAH TERIMA BARANG"), purchase.bast_number, purchase.bast_date, [
        (_("Surat Pesanan"), f"{purchase.sp_number} ({_day(purchase.sp_date)})"),
    ])
    doc.paragraph(_("Pada tanggal tersebut penyedia telah menyerahkan dan PPK telah memeriksa serta menerima "
                    "barang berikut. Barang yang ditolak tidak ditagihkan."))
    doc.ln(2)
    doc.grid([_(h) for h in _ACCEPTED_HEADINGS], _accepted_rows(purchase), _ACCEPTED_WIDTHS, _ACCEPTED_ALIGN)
    if purchase.bast_note:
        doc.fields([(_("Catatan pemeriksaan"), purchase.bast_note)])
    doc.totals(_tax_rows(purchase, _("Jumlah termasuk ongkos kirim"), goods_label=_("Nilai barang diterima")))
    _handover_signatures(doc, purchase)
    return doc.render()


def _handover_signatures(doc: Document, purchase: AgencyPurchase) -> None:
    """Both parties of the handover: the seller who delivered and the PPK who received."""
    shop, so = purchase.shop, purchase.seller_order
    handed = so.shipped_at or so.delivered_at
    doc.ln(3)
    doc.columns([
        (_("Yang menyerahkan: Penyedia"), [
            (_("Nama usaha"), shop.name),
            (_("Nama"), shop.owner_name),
            (_("Penyerahan dicatat penjual"), f"{_moment(handed)} WIB" if handed else None),
            (_("Tanda tangan"), f"\n\n( {shop.owner_name} )"),   # signed on paper when printed
        ]),
        (_("Yang menerima: Pejabat Pembuat Komitmen"), [
            (_("Perangkat daerah"), purchase.agency.name),
            (_("Nama"), purchase.ppk.name),
            (_("Ditandatangani secara elektronik"), f"{_moment(purchase.received_at)} WIB"),
        ]),
    ])


def _moment(value) -> str:
    return format_datetime(value, "d MMMM yyyy HH:mm")


def invoice(purchase: AgencyPurchase) -> bytes:
    shop = purchase.shop
    doc = _document(purchase, _("TAGIHAN"), purchase.invoice_number, purchase.bast_date, [
        (_("Surat Pesanan"), purchase.sp_number),
        (_("BAST"), purchase.bast_number),
        (_("Bayar ke rekening"), " · ".join(filter(None, [shop.bank_name, shop.bank_account_number,
                                                         shop.bank_account_name])) or None),
    ])
    doc.grid([_(h) for h in _ACCEPTED_HEADINGS], _accepted_rows(purchase), _ACCEPTED_WIDTHS, _ACCEPTED_ALIGN)
    doc.totals(_tax_rows(purchase, _("Total tagihan")))
    if purchase.payments:
        doc.fields([(_("Pembayaran"), "; ".join(f"{_day(p.paid_on)} · {p.reference} · {rupiah(p.amount)}"
                                                 for p in purchase.payments))])
    return doc.render()
