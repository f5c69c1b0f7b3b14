"""Dated tax rates and the PDF documents' text handling."""
from datetime import date

import pytest

from bebeli.pdf import Document
from bebeli.tax import entry_on, ppn_amount, ppn_rate_bp, rate_label

SCHEDULE = (("2022-04-01", {"ppn_bp": 1100}), ("2025-01-01", {"ppn_bp": 1200}), (date(2027, 1, 1), {"ppn_bp": 1150}))


def test_the_entry_in_force_on_a_day_applies():
    assert entry_on(SCHEDULE, date(2022, 3, 31)) == {}
    assert entry_on(SCHEDULE, date(2024, 12, 31)) == {"ppn_bp": 1100}
    assert entry_on(SCHEDULE, date(2025, 1, 1)) == {"ppn_bp": 1200}
    assert entry_on(reversed(SCHEDULE), date(2030, 1, 1)) == {"ppn_bp": 1150}  # order in config does not matter


def test_only_pkp_sellers_charge_ppn_rounded_once_per_document(app):
    with app.app_context():
        assert ppn_rate_bp(date(2026, 11, 1), is_pkp=False) == 0
        assert ppn_rate_bp(date(2026, 11, 1), is_pkp=True) == 1100
    assert ppn_amount(18_005, 1100) == 1_981  # 1.980,55 rounds half up
    assert ppn_amount(10_000_000, 1100) == 1_100_000 and ppn_amount(123_456, 0) == 0
    assert (rate_label(1100), rate_label(1150), rate_label(1225)) == ("11%", "11,5%", "12,25%")


def test_without_a_unicode_font_text_is_reduced_to_latin_1(tmp_path):
    doc = Document("Uji “dokumen” — satu", footer="Halaman", font_dir=tmp_path)
    assert not doc.unicode
    assert doc.clean("Pesanan “A” – 2 × Rp 5.000 · Bekasi… 東京") == 'Pesanan "A" - 2 x Rp 5.000 - Bekasi... ??'
    doc.heading("Judul — “uji”")
    doc.fields([("Nama", "Siti – ASN"), ("Kosong", None)])
    doc.grid(["No", "Barang"], [[1, "Keripik “pedas”"]], widths=(10, 170), align=("CENTER", "LEFT"))
    assert doc.render().startswith(b"%PDF")


def test_with_dejavu_text_prints_as_typed():
    doc = Document("Uji", footer="")
    if not doc.unicode:
        pytest.skip("Debian's fonts-dejavu-core is not installed")
    assert doc.clean("“Ayu” – Rp 5.000 · Bekasi") == "“Ayu” – Rp 5.000 · Bekasi"
    doc.paragraph("“Ayu” – Rp 5.000 · Bekasi")
    assert doc.render().startswith(b"%PDF")
