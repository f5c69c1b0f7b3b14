"""Helpers for the directory tests: build import files, upload them, read the preview."""
from __future__ import annotations

import csv
import io
import re
from datetime import date

from tests.factories import make_nip

HEADER = ["nip", "nama", "email", "kode_opd", "pangkat", "eselon", "jabatan", "tpp", "pppk", "aktif"]
IMPORT_URL = "/direktori/impor"


def nip(seq: int, birth: date = date(1990, 1, 15)) -> str:
    return make_nip(birth=birth, appointed=(2015, 3), gender=1 + seq % 2, seq=seq)


def csv_bytes(rows, header=HEADER, delimiter=",", bom=False) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return (("\ufeff" if bom else "") + out.getvalue()).encode()


def xlsx_bytes(rows, header=HEADER) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(client, content: bytes, filename: str = "asn.csv"):
    return client.post_form(IMPORT_URL, {"file": (io.BytesIO(content), filename)},
                            content_type="multipart/form-data")


def batch_url(response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    match = re.search(r"/direktori/impor/(\d+)$", response.headers["Location"])
    assert match, response.headers["Location"]
    return match.group(0)


def count(html: str, name: str) -> int:
    match = re.search(rf'data-count="{name}">(\d+)<', html)
    assert match, f"no {name} count on the page"
    return int(match.group(1))


_ROW = re.compile(r'<tr>\s*<td class="num">(\d+)</td>(.*?)</tr>', re.S)
_ERROR = re.compile(r'<li data-column="(\w+)">(.*?)</li>', re.S)


def preview_errors(html: str) -> dict[int, dict[str, str]]:
    """{line: {column: text of the error}} from the problem rows of a preview page."""
    return {
        int(line): {column: re.sub(r"<[^>]+>", "", text) for column, text in _ERROR.findall(body)}
        for line, body in _ROW.findall(html)
    }
