"""The one-page monthly report a seller takes to a bank, a retail buyer or a training programme:
sales, customers, ratings and certificates held (a financing referral reuses `report_figures`)."""
from __future__ import annotations

from datetime import date

from flask_babel import format_date
from flask_babel import gettext as _

from bebeli.dates import jakarta_today
from bebeli.insights import queries
from bebeli.insights.services import customers
from bebeli.money import rupiah
from bebeli.pdf import MUTED, Document
from bebeli.reviews.stats import shop_rating
from bebeli.sellers.models import Shop
from bebeli.sellers.services import CERTIFICATE_LABELS


def report_figures(shop: Shop, month: date) -> dict:
    sales = queries.month_totals(shop.id, [month])[month]
    today = jakarta_today()
    return {
        "month": month,
        "sales": sales,
        "customers": customers(shop, month),
        "rating": shop_rating(shop.id),
        "certificates": sorted((c for c in shop.certificates if c.is_valid_on(today)), key=lambda c: c.kind.value),
    }


def report_pdf(shop: Shop, month: date) -> bytes:
    f = report_figures(shop, month)
    s, c, rating = f["sales"], f["customers"], f["rating"]
    label = format_date(month, "MMMM yyyy")
    doc = Document(_("Laporan bulanan UMKM"), footer=_("Dibuat oleh BEBELI pada %(day)s dari catatan transaksi "
                                                        "di BEBELI.", day=format_date(jakarta_today(), "d MMMM yyyy")))
    doc.heading(_("Laporan bulanan UMKM · %(month)s", month=label))
    doc.fields([(_("Toko"), shop.name), (_("NIB"), shop.nib),
                (_("Alamat"), ", ".join(x for x in (shop.kecamatan, shop.regency) if x))])
    doc.ln(2)
    doc.paragraph(_("Penjualan"), size=11, bold=True)
    doc.grid([_("Pendapatan"), _("Pesanan"), _("Unit"), _("Rata-rata per pesanan"), _("Pribadi ASN"),
              _("Instansi")],
             [[rupiah(s["revenue"]), s["orders"], s["units"], rupiah(s["aov"]), rupiah(s["personal"]),
               rupiah(s["agency"])]],
             (30, 18, 16, 36, 40, 40), ("RIGHT",) * 6)
    doc.paragraph(_("Pendapatan: nilai barang sebelum PPN, tanpa ongkos kirim, setelah dikurangi pengembalian "
                    "dan penolakan."), size=7.5, color=MUTED)
    doc.ln(2)
    doc.paragraph(_("Pelanggan"), size=11, bold=True)
    doc.fields([(_("Pembeli bulan ini"), c["buyers"]),
                (_("Pembeli berulang"), _("%(n)d (%(p)s%%)", n=c["repeat"], p=f"{c['share_bp'] / 100:.0f}"))])
    doc.ln(2)
    doc.paragraph(_("Penilaian pembeli"), size=11, bold=True)
    if rating and rating.count:
        doc.fields([(_("Rata-rata"), f"{rating.average:.1f} / 5"), (_("Jumlah ulasan"), rating.count)])
    else:
        doc.paragraph(_("Belum ada ulasan."), size=8.5)
    doc.ln(2)
    doc.paragraph(_("Sertifikat yang dimiliki"), size=11, bold=True)
    if f["certificates"]:
        doc.grid([_("Jenis"), _("Nomor"), _("Berlaku sampai")],
                 [[str(CERTIFICATE_LABELS[x.kind]), x.number,
                   format_date(x.expires_on, "d MMM yyyy") if x.expires_on else _("Tanpa batas")]
                  for x in f["certificates"]],
                 (40, 80, 60), ("LEFT", "LEFT", "LEFT"))
    else:
        doc.paragraph(_("Belum ada sertifikat yang berlaku."), size=8.5)
    return doc.render()
