"""Counters in sentences use plural forms: English says "1 row" and "2 rows", while the
Indonesian text (which does not inflect) reads exactly as it did before."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import date, datetime, timezone
from pathlib import Path
from types import SimpleNamespace

import pytest
from babel.messages.pofile import read_po
from flask import render_template, session

from bebeli.auth.services import _lock_message
from bebeli.cart.services import add_to_cart
from bebeli.extensions import db
from tests.factories import AgencyFactory, AsnFactory, ProductFactory, ShopFactory, admin
from tests.notifications.test_notifications import _notes
from tests.orders.factories import asn_buyer, paid_order
from tests.procurement.factories import buying_setup
from tests.quotas.factories import buy, policy

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def language(app, lang: str):
    """A request of `app` in `lang`, as after GET /bahasa/<lang>."""
    with app.test_request_context("/"):
        session["lang"] = lang
        yield


def _ngettext(app, singular: str, count: int, variables: dict) -> str:
    """Format a message the way templates do: the Jinja `ngettext` that Flask-Babel installs (newstyle).
    A variable given as "%d" is the count formatted by the template (e.g. with a thousands separator)."""
    variables = {k: v % count if v == "%d" else v for k, v in variables.items()}
    return app.jinja_env.from_string("{{ ngettext(s, s, count, **v) }}").render(s=singular, count=count, v=variables)


def test_the_catalogue_declares_english_plurals_and_gives_both_forms():
    with (ROOT / "translations/en/LC_MESSAGES/messages.po").open("rb") as handle:
        catalog = read_po(handle)
    assert catalog.plural_forms == "nplurals=2; plural=(n != 1);"
    plurals = [m for m in catalog if m.id and m.pluralizable]
    assert len(plurals) >= 15
    for message in plurals:
        singular, plural = message.id
        assert singular == plural, "Indonesian does not inflect: the plural msgid repeats the singular"
        assert len(message.string) == 2 and all(message.string), message.id
    problems = [(m.id, [str(e) for e in errors]) for m, errors in catalog.check()]
    assert not problems  # placeholders of every form match the msgid's


# (msgid, variables, English for n=1, English for n=2, Indonesian for n=1)
MESSAGES = [
    ("%(num)d baris", {}, "1 row", "2 rows", "1 baris"),
    ("dari %(num)d baris", {}, "of 1 row", "of 2 rows", "dari 1 baris"),
    ("Impor %(num)d baris valid", {}, "Import 1 valid row", "Import 2 valid rows", "Impor 1 baris valid"),
    ("%(num)d baris bermasalah akan dilewati. Lanjutkan impor?", {},
     "1 problem row will be skipped.", "2 problem rows will be skipped.", "1 baris bermasalah akan dilewati."),
    ("Belum ada data yang disimpan. Setelah Anda menyetujui, %(num)d baris valid disimpan sekaligus.", {},
     "1 valid row is saved", "2 valid rows are saved", "Setelah Anda menyetujui, 1 baris valid disimpan sekaligus."),
    ("%(num)d ASN aktif", {}, "1 active civil servant", "2 active civil servants", "1 ASN aktif"),
    ("%(num)d belum dibaca", {}, "1 unread notification", "2 unread notifications", "1 belum dibaca"),
    ("%(num)d jenis barang", {}, "1 item type", "2 item types", "1 jenis barang"),
    ("%(n)s produk", {"n": "%d"}, "1 product", "2 products", "1 produk"),  # n: the formatted count
    ("%(num)d produk diturunkan oleh admin. Lihat alasannya di daftar produk.", {},
     "1 product taken down by an administrator. See the reason in", "2 products taken down by an administrator. "
     "See the reasons in", "1 produk diturunkan oleh admin."),
    ("Kurang %(left)s lagi · %(num)d hari tersisa bulan ini.", {"left": "Rp 5.000"},
     "Rp 5.000 still to go · 1 day left this month.", "Rp 5.000 still to go · 2 days left this month.",
     "Kurang Rp 5.000 lagi · 1 hari tersisa bulan ini."),
    ("%(n)s ASN", {"n": "%d"}, "1 civil servant", "2 civil servants", "1 ASN"),
    ("dari %(num)d penjual", {}, "of 1 seller", "of 2 sellers", "dari 1 penjual"),
    ("%(num)d kekurangan terbesar", {}, "The 1 largest shortfall", "The 2 largest shortfalls", "1 kekurangan terbesar"),
    ("%(num)d barang", {}, "1 item", "2 items", "1 barang"),
    ("%(num)d toko", {}, "1 shop", "2 shops", "1 toko"),
    ("Stok disimpan untuk Anda selama %(num)d menit sampai pembayaran selesai.", {},
     "for 1 minute until", "for 2 minutes until", "selama 1 menit sampai"),
    ("Tandai sampai setelah barang diterima pembeli. Pembeli lalu mengonfirmasi penerimaan; bila tidak, pesanan "
     "selesai otomatis %(num)d hari kemudian.", {}, "automatically 1 day later.", "automatically 2 days later.",
     "selesai otomatis 1 hari kemudian."),
    ("Tautan ini berlaku %(num)d menit dan hanya dapat dipakai sekali. Jika Anda tidak memintanya, abaikan email ini.",
     {}, "valid for 1 minute and", "valid for 2 minutes and", "Tautan ini berlaku 1 menit dan"),
    ("Anda masuk dengan kode pemulihan; sisa kode: %(num)d. Buat kode baru bila hampir habis.", {},
     "1 code left.", "2 codes left.", "sisa kode: 1. Buat kode baru"),
]


@pytest.mark.parametrize("msgid, variables, one, two, indonesian", MESSAGES, ids=[m[0][:30] for m in MESSAGES])
def test_each_converted_message_in_english_singular_plural_and_in_indonesian(app, msgid, variables, one, two,
                                                                              indonesian):
    with language(app, "en"):
        assert one in _ngettext(app, msgid, 1, variables)
        assert two in _ngettext(app, msgid, 2, variables)
    with language(app, "id"):
        assert indonesian in _ngettext(app, msgid, 1, variables)
        assert indonesian.replace("1", "2") in _ngettext(app, msgid, 2, variables)


def test_the_lockout_message_counts_minutes(app):
    with language(app, "en"):
        assert "try again in 1 minute or reset" in str(_lock_message(1))
        assert "try again in 15 minutes or reset" in str(_lock_message(15))
    with language(app, "id"):
        assert "coba lagi dalam 1 menit atau atur ulang kata sandi." in str(_lock_message(1))


def test_the_asn_progress_counts_the_days_left(app):
    def progress(days_left):
        q = SimpleNamespace(month=date(2026, 11, 1), minimum=50_000, counted=20_000, left=30_000, days_left=days_left,
                            reserved=0, ceiling=None, room=None)
        return render_template("quotas/_asn_progress.html", quota_progress=q, quota_history=[])

    with language(app, "en"):
        assert "1 day left this month." in progress(1)
        assert "3 days left this month." in progress(3)
    with language(app, "id"):
        assert "Kurang Rp\u00a030.000 lagi · 1 hari tersisa bulan ini." in progress(1)


def _page(client, url: str, lang: str) -> str:
    client.get(f"/bahasa/{lang}")
    return client.get(url).get_data(as_text=True)


def test_agency_page_counts_active_civil_servants(client, ctx):
    agency = AgencyFactory()
    AsnFactory(agency=agency)
    client.login(admin())
    url = f"/direktori/opd/{agency.id}/ubah"
    assert "1 active civil servant ·" in _page(client, url, "en")
    assert "1 ASN aktif" in _page(client, url, "id")
    AsnFactory(agency=agency)
    assert "2 active civil servants" in _page(client, url, "en")
    assert "2 ASN aktif" in _page(client, url, "id")


def test_notification_list_counts_unread(client, ctx):
    buyer = asn_buyer()
    product = ProductFactory()
    seller = product.shop.owner
    paid_order(buyer, (product, 1))
    assert len(_notes(seller)) == 1
    client.login(seller)
    assert "1 unread notification<" in _page(client, "/notifikasi/", "en")
    assert "1 belum dibaca" in _page(client, "/notifikasi/", "id")
    paid_order(buyer, (product, 1))
    assert "2 unread notifications" in _page(client, "/notifikasi/", "en")
    assert "2 belum dibaca" in _page(client, "/notifikasi/", "id")


def test_procurement_inbox_counts_items_and_shops(client, ctx):
    t, line, shop, product = buying_setup(50_000_000, is_pkp=False, delivery_fee_amount=0, price_amount=100_000,
                                          stock=30)
    add_to_cart(t.pp, product, 4)
    db.session.commit()
    client.login(t.pp)
    assert "1 item from 1 shop, total Rp\u00a0400.000 before VAT." in _page(client, "/pengadaan/", "en")
    assert "1 barang dari 1 toko, total Rp\u00a0400.000 sebelum PPN." in _page(client, "/pengadaan/", "id")
    add_to_cart(t.pp, ProductFactory(shop=ShopFactory(), price_amount=50_000, stock=10), 1)
    add_to_cart(t.pp, ProductFactory(shop=shop, price_amount=50_000, stock=10), 1)
    db.session.commit()
    assert "3 items from 2 shops, total Rp\u00a0500.000 before VAT." in _page(client, "/pengadaan/", "en")
    assert "3 barang dari 2 toko, total Rp\u00a0500.000 sebelum PPN." in _page(client, "/pengadaan/", "id")


def test_quota_dashboard_counts_shortfalls_civil_servants_and_sellers(client, ctx):
    paid = datetime(2026, 11, 12, 3, tzinfo=timezone.utc)
    policy(effective_from=date(2026, 1, 1))
    agency = AgencyFactory()
    short, done = AsnFactory(agency=agency), AsnFactory(agency=agency)   # staff minimum: Rp 50.000
    buy(short.user, [(ProductFactory(price_amount=20_000), 1)], paid)
    buy(done.user, [(ProductFactory(price_amount=80_000), 1)], paid)
    client.login(admin())
    english = _page(client, "/kuota/?bulan=2026-11", "en")
    assert "The 1 largest shortfall out of 1 civil servant below the minimum; download for the full list." in english
    assert "of 2 sellers" in english and ">1 civil servant<" in english
    indonesian = _page(client, "/kuota/?bulan=2026-11", "id")
    assert "1 kekurangan terbesar dari 1 ASN di bawah minimum; unduh untuk daftar lengkap." in indonesian
    assert "dari 2 penjual" in indonesian and ">1 ASN<" in indonesian
