"""Every figure of the growth page on the hand-computed town of conftest.py, and the
exports holding the same rows as the page."""
from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import load_workbook

from bebeli.growth.figures import class_of, gini
from tests.factories import admin
from tests.growth.conftest import LIMITS, months_ago
from tests.growth.tables import page_table

NBSP = "\u00a0"


def rp(amount: int) -> str:
    return f"Rp{NBSP}{amount:,}".replace(",", ".")


@pytest.mark.parametrize("values, expected", [
    ([5, 5, 5, 5], 0.0),            # everyone equal
    ([0, 0, 0, 100], 0.75),         # one holds everything: (n - 1) / n
    ([1, 2, 3, 4], 0.25),           # mean absolute difference 1.25 / (2 × mean 2.5)
    ([0, 0, 0], None),              # nothing sold: no figure
])
def test_gini_of_known_distributions(values, expected):
    assert gini(values) == pytest.approx(expected) if expected is not None else gini(values) is None


@pytest.mark.parametrize("amount, expected", [
    (0, "mikro"), (1_000, "mikro"), (1_001, "kecil"), (5_000, "kecil"), (20_000, "menengah"), (20_001, "besar"),
])
def test_class_limits_include_their_upper_bound(amount, expected):
    assert class_of(amount, LIMITS) == expected


@pytest.fixture
def page(client, town):
    client.login(admin())
    response = client.get("/admin/pertumbuhan")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def body(html: str, name: str) -> list[list[str]]:
    return page_table(html, name)["tbody"]


def foot(html: str, name: str) -> list[str]:
    return page_table(html, name)["tfoot"][0]


def test_classes_now_and_moving_up(page):
    # Now: A 6.000 menengah, B 2.000 kecil, C 25.000 besar; D, E, G and the ten Setu shops mikro.
    assert body(page, "kelas") == [["Mikro", "13", "81,3%"], ["Kecil", "1", "6,3%"],
                                   ["Menengah", "1", "6,3%"], ["Besar", "1", "6,3%"]]
    assert foot(page, "kelas") == ["Semua", "16", "100%"]
    # A: mikro (800) → menengah; C: menengah (6.000 in M-12) → besar. B stays kecil.
    assert body(page, "naik-kelas") == [
        ["Toko Cempaka", "Cibitung", "Menengah", "Besar", rp(6_000), rp(25_000)],
        ["Toko Anggrek", "Tambun Selatan", "Mikro", "Menengah", rp(800), rp(6_000)],
    ]
    assert 'data-testid="stat-moved-up">2<' in page


def test_new_shops_per_month(page):
    rows = body(page, "toko-baru")
    assert len(rows) == 12
    counts = [int(r[1]) for r in rows]
    assert counts[-1] == 1 and counts[-3] == 1 and sum(counts) == 2  # Elang this month, Gaharu in M-2
    assert foot(page, "toko-baru")[1] == "2"


def test_active_and_dormant_by_kecamatan(page):
    # Active: sold within 90 days — A (5 days), C (20), the ten Setu shops (30). B (130 days), D, E, G dormant.
    assert 'data-testid="stat-active">12 / 4<' in page
    assert body(page, "kecamatan") == [
        # kecamatan, shops, mikro, kecil, menengah, besar, active, dormant
        ["Setu", "10", "10", "0", "0", "0", "10", "0"],
        ["Cibitung", "2", "1", "0", "0", "1", "1", "1"],
        ["Cikarang Utara", "2", "2", "0", "0", "0", "0", "2"],
        ["Tambun Selatan", "2", "0", "1", "1", "0", "1", "1"],
    ]
    assert foot(page, "kecamatan") == ["Semua", "16", "13", "1", "1", "1", "12", "4"]


def test_sales_by_kecamatan_and_category(page):
    # 12-month total 34.000: C 25.000, A 6.000, B 2.000, Setu 10 × 100. F (pending) and D (M-20) are out.
    assert body(page, "penjualan-kecamatan") == [
        ["Cibitung", rp(25_000), "1", "1", "73,5%"],
        ["Tambun Selatan", rp(8_000), "4", "2", "23,5%"],
        ["Setu", rp(1_000), "10", "10", "2,9%"],
        ["Cikarang Utara", rp(0), "0", "0", "0%"],
    ]
    assert foot(page, "penjualan-kecamatan") == ["Semua", rp(34_000), "15", "13", "100%"]
    assert body(page, "penjualan-kategori") == [
        ["Kerajinan", rp(28_000), "6", "82,4%"],
        ["Makanan", rp(5_000), "6", "14,7%"],
        ["Minuman", rp(1_000), "10", "2,9%"],
    ]
    assert f'data-testid="stat-sales">{rp(34_000)}<' in page


def test_concentration_never_sold_and_gini(page):
    top = body(page, "toko-teratas")
    assert [r[1] for r in top[:3]] == ["Toko Cempaka", "Toko Anggrek", "Toko Bambu"] and len(top) == 10
    # Top ten: 25.000 + 6.000 + 2.000 + 7 × 100 = 33.700 of 34.000 = 99,12 %.
    assert foot(page, "toko-teratas")[3:] == [rp(33_700), "99,1%"]
    assert 'data-testid="stat-top-share">99,1%<' in page
    assert [r[0] for r in body(page, "belum-pernah-menjual")] == ["Toko Gaharu", "Toko Elang"]
    assert 'data-testid="stat-never-sold">2<' in page
    # Sorted: 0, 0, 0, 100 × 10, 2.000, 6.000, 25.000 (n = 16): Σ(2i − n − 1)·x = 11·2.000 + 13·6.000
    # + 15·25.000 = 475.000 (the 100s weigh Σ(2i − 17) = 0 for i = 4…13); G = 475.000 / (16 · 34.000).
    assert round(475_000 / (16 * 34_000), 2) == 0.87
    assert 'data-testid="stat-gini">0,87<' in page
    assert "0 berarti setiap toko menjual sama banyak" in page


def test_legality_coverage_and_expiries(page):
    # 16 verified shops; Elang has no NIB. Halal: A (30 days left), B (75); PIRT: A (no end);
    # BPOM: B's expired yesterday; SNI: C (200 days). F is pending and counts nowhere.
    assert body(page, "legalitas") == [
        ["NIB", "15", "93,8%", "–", "–"],
        ["Halal", "2", "12,5%", "1", "2"],
        ["PIRT", "1", "6,3%", "0", "0"],
        ["BPOM", "0", "0%", "0", "0"],
        ["SNI", "1", "6,3%", "0", "0"],
    ]
    rows = body(page, "sertifikat-habis")
    assert [(r[0], r[2], r[3], r[5]) for r in rows] == [("Toko Anggrek", "Halal", "H-A", "30"),
                                                         ("Toko Bambu", "Halal", "H-B", "75")]


TABLES = ["kelas", "naik-kelas", "toko-baru", "kecamatan", "penjualan-kecamatan", "penjualan-kategori",
          "toko-teratas", "belum-pernah-menjual", "legalitas", "sertifikat-habis"]


def same(page_cell: str, exported: str) -> bool:
    """A page cell shows the exported raw value (formatted: rupiah, grouping, percent, month)."""
    if exported == "":
        return page_cell in ("", "–")
    if re.fullmatch(r"-?\d+", exported):
        return re.sub(r"[^\d-]", "", page_cell) == exported
    if re.fullmatch(r"-?\d+\.\d\d", exported):  # percent with two places; the page rounds to one
        return abs(float(page_cell.rstrip("%").replace(",", ".")) - float(exported)) <= 0.0501
    if re.fullmatch(r"\d{4}-\d{2}(-\d{2} \d{2}:\d{2})?", exported):  # a month or a time, written out
        return exported[:4] in page_cell and (len(exported) == 7 or exported[-5:] in page_cell)
    return page_cell == exported


@pytest.mark.parametrize("name", TABLES)
def test_csv_and_xlsx_hold_the_rows_of_the_page(client, page, name):
    shown = page_table(page, name)
    assert f"/admin/pertumbuhan/ekspor/{name}.csv" in page and f"/admin/pertumbuhan/ekspor/{name}.xlsx" in page
    response = client.get(f"/admin/pertumbuhan/ekspor/{name}.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert [h.removesuffix(" (%)") for h in rows[0]] == shown["thead"][0]
    assert len(rows) - 1 == len(shown["tbody"])  # every table of the town fits the page whole
    for csv_row, page_row in zip(rows[1:], shown["tbody"]):
        assert all(same(p, e) for p, e in zip(page_row, csv_row, strict=True)), (page_row, csv_row)
    sheet = load_workbook(io.BytesIO(client.get(f"/admin/pertumbuhan/ekspor/{name}.xlsx").get_data())).worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == shown["thead"][0] and len(values) == len(rows)
    for csv_row, xlsx_row in zip(rows[1:], values[1:]):
        for exported, cell in zip(csv_row, xlsx_row, strict=True):
            if re.fullmatch(r"-?\d+\.\d\d", exported):  # a percent, stored as a fraction
                assert float(cell) * 100 == pytest.approx(float(exported))
            else:
                assert ("" if cell is None else str(cell)) == exported


def test_export_figures_are_raw_numbers(client, page):
    rows = list(csv.reader(io.StringIO(client.get("/admin/pertumbuhan/ekspor/penjualan-kecamatan.csv")
                                       .get_data().decode("utf-8-sig"))))
    assert rows[1] == ["Cibitung", "25000", "1", "1", "73.53"]
    sheet = load_workbook(io.BytesIO(client.get("/admin/pertumbuhan/ekspor/kelas.xlsx").get_data())).worksheets[0]
    assert list(sheet.iter_rows(values_only=True))[1][:2] == ("Mikro", 13)


def test_an_unknown_table_or_format_is_not_found(client, page):
    assert client.get("/admin/pertumbuhan/ekspor/rahasia.csv").status_code == 404
    assert client.get("/admin/pertumbuhan/ekspor/kelas.pdf").status_code == 404


def test_the_month_window_ends_this_month(page):
    assert months_ago(11).strftime("%Y") in page
