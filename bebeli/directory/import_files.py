"""The ASN import's files: the columns a file may have and the field rule of each, reading a CSV
or XLSX upload into rows of text cells, and the blank templates to fill in. What the rows then
do to the directory (plan, preview, confirm) is in directory/importer.py.
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import PurePath

from flask_babel import lazy_gettext as _l

from bebeli.directory.normalize import (
    normalize_echelon,
    normalize_email,
    normalize_name,
    normalize_position,
    normalize_rank,
    normalize_tpp,
    parse_flag,
)
from bebeli.errors import ValidationFailed


@dataclass(frozen=True)
class Column:
    key: str      # the header in the file
    field: str    # the attribute it fills
    label: object
    help: object
    example: str
    rule: Callable | None = None  # cell text -> stored value; nip and kode_opd need the planner
    required: bool = False


COLUMNS = (
    Column("nip", "nip", _l("NIP"), _l("18 digit. Di Excel, format kolom ini sebagai Teks agar digitnya tidak hilang."),
           "199007212015032001", required=True),
    Column("nama", "name", _l("Nama lengkap"), _l("Dengan gelar, maksimal 120 karakter."),
           "Siti Rahmawati, S.E.", normalize_name, required=True),
    Column("email", "email", _l("Email"), _l("Untuk masuk dan mengatur kata sandi; satu email untuk satu orang."),
           "siti.rahmawati@bekasikab.go.id", normalize_email, required=True),
    Column("kode_opd", "agency_id", _l("Kode perangkat daerah"),
           _l("Kode seperti pada daftar perangkat daerah. Operator yang mengelola satu perangkat daerah boleh "
              "mengosongkannya."), "DISDIK", required=True),
    Column("pangkat", "rank", _l("Pangkat/golongan"), _l("Misalnya III/a; PPPK: IX. Boleh kosong."), "III/b",
           normalize_rank),
    Column("eselon", "echelon", _l("Eselon"), _l("staf, IV, III, II atau I. Kosong berarti staf."), "staf",
           normalize_echelon),
    Column("jabatan", "position", _l("Jabatan"), _l("Maksimal 160 karakter. Boleh kosong."), "Analis Keuangan",
           normalize_position),
    Column("tpp", "tpp_amount", _l("TPP per bulan (Rp)"),
           _l("Bilangan bulat rupiah: 4500000 atau 4.500.000. Boleh kosong."), "4500000", normalize_tpp),
    Column("pppk", "is_pppk", _l("PPPK"),
           _l("ya untuk PPPK (NIP cukup 18 digit); kosong atau tidak untuk PNS (NIP diperiksa lengkap)."), "tidak",
           lambda text: parse_flag(text, default=False)),
    Column("aktif", "is_active", _l("Aktif"), _l("ya atau tidak. Kosong berarti ya."), "ya",
           lambda text: parse_flag(text, default=True)),
)
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
COLUMN_BY_FIELD = {c.field: c for c in COLUMNS}


class ImportFileError(ValidationFailed):
    """The file as a whole cannot be read; no row was looked at."""

    code = "import_file_invalid"


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------

@dataclass
class SourceRow:
    line: int  # the spreadsheet row number: the header is row 1
    cells: dict[str, str]


@dataclass
class Table:
    columns: list[str]  # recognised columns, in file order
    ignored: list[str]  # headers this importer does not know
    rows: list[SourceRow]


_UNREADABLE_XLSX = _l("Berkas XLSX tidak dapat dibaca. Simpan ulang dari Excel sebagai Buku Kerja Excel (.xlsx).")
_HEADER_JUNK = re.compile(r"[^a-z0-9]+")


def _csv_records(data: bytes) -> Iterator[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(_l('Berkas CSV harus berenkode UTF-8 (di Excel: Simpan sebagai "CSV UTF-8").')) from None
    first_line = text.split("\n", 1)[0]
    # Excel in an Indonesian locale separates with ";", elsewhere with ",".
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for values in reader:
            yield [v.strip() for v in values]
    except csv.Error:
        raise ImportFileError(_l("Berkas CSV rusak di sekitar baris %(line)d.", line=reader.line_num)) from None


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if isinstance(value, float):
        # Past 15 digits a spreadsheet number has already lost digits (an 18-digit NIP typed into
        # a number cell): keep the float's own spelling so the NIP rule can say so.
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value).strip()


def _xlsx_records(data: bytes) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # damaged files raise zipfile, XML, KeyError and ValueError alike
        raise ImportFileError(_UNREADABLE_XLSX) from None
    try:
        sheet = workbook.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            yield [_cell_text(v) for v in values]
    except Exception:  # same reason, met while streaming the sheet
        raise ImportFileError(_UNREADABLE_XLSX) from None
    finally:
        workbook.close()


READERS = {".csv": _csv_records, ".xlsx": _xlsx_records}


def _header_key(text: str) -> str:
    return _HEADER_JUNK.sub("_", text.strip().lower()).strip("_")


def read_table(filename: str, data: bytes, *, max_rows: int) -> Table:
    """Parse a CSV (UTF-8, with or without BOM, "," or ";") or XLSX file (first sheet)."""
    reader = READERS.get(PurePath(filename or "").suffix.lower())
    if reader is None:
        raise ImportFileError(_l("Unggah berkas .csv atau .xlsx."))
    positions: dict[str, int] | None = None
    ignored: list[str] = []
    rows: list[SourceRow] = []
    for line, values in enumerate(reader(data), start=1):
        if positions is None:
            if any(values):
                positions, ignored = _read_header(values)
            continue
        cells = {key: (values[i] if i < len(values) else "") for key, i in positions.items()}
        if not any(cells.values()):
            continue
        if len(rows) == max_rows:
            raise ImportFileError(_l("Berkas berisi lebih dari %(n)d baris data; bagi menjadi beberapa berkas.",
                                     n=max_rows))
        rows.append(SourceRow(line, cells))
    if positions is None:
        raise ImportFileError(_l("Berkas kosong."))
    if not rows:
        raise ImportFileError(_l("Berkas tidak berisi baris data di bawah judul kolom."))
    return Table(columns=list(positions), ignored=ignored, rows=rows)


def _read_header(values: list[str]) -> tuple[dict[str, int], list[str]]:
    positions: dict[str, int] = {}
    ignored = []
    for i, text in enumerate(values):
        key = _header_key(text)
        if key in COLUMN_BY_KEY:
            if key in positions:
                raise ImportFileError(_l("Kolom %(column)s muncul dua kali.", column=key))
            positions[key] = i
        elif text:
            ignored.append(text)
    if not positions:
        raise ImportFileError(_l("Baris pertama harus berisi judul kolom: %(columns)s.",
                                 columns=", ".join(c.key for c in COLUMNS)))
    return positions, ignored


# ---------------------------------------------------------------------------------------------
# Templates to fill in
# ---------------------------------------------------------------------------------------------

def template_csv() -> str:
    """The header row, with a BOM so Excel opens it as UTF-8."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(c.key for c in COLUMNS)
    return "\ufeff" + out.getvalue()


def template_xlsx() -> bytes:
    """A workbook whose NIP column is already formatted as text, with the column guide on a
    second sheet."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "ASN"
    sheet.append([c.key for c in COLUMNS])
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(14, len(column.example) + 2)
        if column.key in ("nip", "kode_opd", "pangkat"):
            sheet.column_dimensions[letter].number_format = "@"  # Excel's "Text" format
    guide = workbook.create_sheet("Petunjuk")
    guide.append(["kolom", "wajib", "keterangan", "contoh"])
    for column in COLUMNS:
        guide.append([column.key, "ya" if column.required else "", str(column.help), column.example])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
