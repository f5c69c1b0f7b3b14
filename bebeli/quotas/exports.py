"""Any report `Table` as CSV or XLSX: the same rows the page shows, every row, raw numbers.

Cells that a spreadsheet would run as a formula (a shop named "=HYPERLINK(…)") are written
as text, so an export never executes what a seller typed.
"""
from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from bebeli.dates import to_jakarta
from bebeli.quotas.reports import Table

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _text(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _cell(kind: str, value, *, for_csv: bool):
    if value is None:
        return ""
    if kind in ("money", "int"):
        return int(value)
    if kind == "percent":  # basis points → percent (CSV) or a fraction shown as % (XLSX)
        return f"{Decimal(value) / 100:.2f}" if for_csv else Decimal(value) / 10_000
    if kind == "month" and isinstance(value, date):
        return value.strftime("%Y-%m")
    if kind == "datetime" and isinstance(value, datetime):
        return to_jakarta(value).strftime("%Y-%m-%d %H:%M")
    return _text(value)


def _header(table: Table, for_csv: bool) -> list[str]:
    return [str(c.label) + (" (%)" if for_csv and c.kind == "percent" else "") for c in table.columns]


def to_csv(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(_header(table, for_csv=True))
    for row in table.rows:
        writer.writerow([_cell(c.kind, row.get(c.key), for_csv=True) for c in table.columns])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM makes Excel read UTF-8


FORMATS = {"money": "#,##0", "int": "#,##0", "percent": "0.0%"}


def to_xlsx(table: Table, filters: list[tuple[str, str]]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(str(table.title)[:31])
    sheet.append(_header(table, for_csv=False))
    for row in table.rows:
        cells = []
        for column in table.columns:
            value = _cell(column.kind, row.get(column.key), for_csv=False)
            cells.append(_styled(sheet, value, FORMATS.get(column.kind)))
        sheet.append(cells)
    about = workbook.create_sheet("Keterangan")
    for name, value in filters:
        about.append([_text(name), _text(value)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _styled(sheet, value, number_format: str | None):
    if number_format is None or value == "":
        return value
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = number_format
    return cell
