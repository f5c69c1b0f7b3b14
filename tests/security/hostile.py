"""Malformed input, by the kind of field it is aimed at, and the shapes of a hostile submission
(missing fields, wrong types, duplicated fields, 100 KB values, broken encodings, bad files).
A seeded generator makes every run send the same inputs."""
from __future__ import annotations

import io
import json
import random

from werkzeug.datastructures import MultiDict

from tests.catalog.helpers import bomb_png, image_bytes
from tests.security.forms import Form, FormField

HUGE = "x" * 100_000

TEXT = [
    "", " ", "\x00", "nul\x00byte", "\x01\x02\x1b[31m\x7f", "\u202eevil\u202c", "😀🇮🇩" * 20,
    "Ω≈ç√∫˜µ≤≥÷ ąčęėįšųūž", "' OR '1'='1' --", "1; DROP TABLE users; --", "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(1)>", "{{7*7}}{% raw %}", "../../etc/passwd", "\r\n\r\nSet-Cookie: a=b",
    "javascript:alert(1)", "//evil.example/", "\ud7ff\ufffe\uffff",
]
NUMBERS = [
    "-1", "0", "1e9", "1E400", "Rp -5", "Rp 1.000.000,50", "12.5", "-0.0001", "NaN", "Infinity",
    "99999999999999999999999", "-99999999999999999999", "9223372036854775808", "0x1F", "١٢٣", "1 000", "--5",
]
DATES = ["2026-02-30", "2026-13-01", "0000-00-00", "31/12/2026", "9999-12-31", "0001-01-01", "2026-1-1T99:99",
         "besok", "-2026-01-01"]
IDS = ["999999999", "-1", "0", "abc", "1.5", "1 OR 1=1", "9223372036854775808"]
EMAILS = ["a@b", "@@", "x" * 300 + "@contoh.id", "admin@contoh.go.id\r\nBcc: x@y.z", "\x00@contoh.id"]
FLAGS = ["y", "", "on", "false", "\x00", "2"]
FILES = [
    (b"", "empty.png"),
    (b"not an image at all", "photo.png"),
    (b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64, "setup.exe"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "broken.png"),
    (b"GIF89a\x01\x00", "cut.gif"),
    (b"%PDF-1.4\n%garbage", "doc.pdf"),
    (b"PK\x03\x04 not really a workbook", "asn.xlsx"),
    (b"nip,nama\n\x00\x00,=cmd|' /C calc'!A0\n", "asn.csv"),
    (image_bytes("PNG", size=(8, 8)), "../../../etc/passwd.png"),
]
BOMB = (bomb_png(50), "bomb.png")  # decompresses to 50 megapixels
RAW_BODIES = [b"%FF%FE=%FF&a=%00", b"a=1&&&=&==&%", b"\xff\xfe\xfd=\xc3\x28"]
EXTRA_NAMES = ["id", "user_id", "shop_id", "is_admin", "role", "status", "price_amount", "stock", "__proto__", "a" * 300]

JSON_VALUES = [None, True, -1, 1e308, 0.1, [], {}, [1, 2], {"a": {"b": []}}, "x" * 1000, "\u0000"]
SHAPES = ("nul", "by_kind", "missing", "duplicated", "wrong_types", "extra_only", "huge", "raw_body", "files", "json")
NUL = "nul\x00byte"  # PostgreSQL refuses NUL in text: every field gets it once


def _value_for(rng: random.Random, f: FormField):
    if f.kind == "file":
        data, name = rng.choice(FILES + [BOMB])
        return (io.BytesIO(data), name)
    pools = {"number": NUMBERS + IDS, "date": DATES, "email": EMAILS + TEXT, "checkbox": FLAGS, "radio": FLAGS,
             "select": IDS + NUMBERS + TEXT, "hidden": IDS + TEXT}
    return rng.choice(pools.get(f.kind, TEXT + NUMBERS))


def _wrong_type(rng: random.Random, f: FormField):
    if f.kind == "file":
        return rng.choice(TEXT)
    if f.kind in ("number", "date", "select"):
        return rng.choice(TEXT)
    data, name = rng.choice(FILES)
    return (io.BytesIO(data), name)


def submission(rng: random.Random, form: Form | None, shape: str, ids: list[str]) -> tuple[MultiDict | bytes, str | None]:
    """One hostile body for `form` (None: no form is known, so the field names are guessed).
    Returns (data, content type); the caller adds the CSRF token (a header for JSON bodies)."""
    fields = [f for f in (form.fields.values() if form else []) if f.name != "csrf_token"]
    fields = fields or [FormField(name, "text") for name in ("quantity", "note", "reason", "name", "code")]
    data = MultiDict()
    if shape == "raw_body":
        return rng.choice(RAW_BODIES), "application/x-www-form-urlencoded"
    if shape == "json":  # Flask-WTF reads a JSON body as the form's data
        body = {f.name: rng.choice(JSON_VALUES) for f in fields}
        return json.dumps(rng.choice([body, [body], list(body)])).encode(), "application/json"
    if shape == "extra_only":
        for name in rng.sample(EXTRA_NAMES, 3):
            data.add(name, rng.choice(TEXT + IDS))
        return data, None
    for f in fields:
        if shape == "missing" and rng.random() < 0.5:
            continue
        if shape == "huge":
            data.add(f.name, (io.BytesIO(HUGE.encode()), "huge.png") if f.kind == "file" else HUGE)
        elif shape == "nul":
            data.add(f.name, (io.BytesIO(b"\x00"), "nul\x00.png") if f.kind == "file" else NUL)
        elif shape == "wrong_types":
            data.add(f.name, _wrong_type(rng, f))
        elif shape == "duplicated":
            data.add(f.name, rng.choice(ids + NUMBERS))
            data.add(f.name, _value_for(rng, f))
        elif shape == "files":
            data.add(f.name, _value_for(rng, FormField(f.name, "file")) if rng.random() < 0.5 else _value_for(rng, f))
        else:
            data.add(f.name, _value_for(rng, f))
    if shape in ("by_kind", "duplicated"):
        data.add(rng.choice(EXTRA_NAMES), rng.choice(ids))  # ids of other people's objects
    return data, None


def query_values(rng: random.Random, names: list[str], ids: list[str], shape: str) -> MultiDict:
    """Hostile query-string arguments for GET forms and JSON endpoints."""
    if shape == "nul":
        return MultiDict([(name, NUL) for name in names])
    pool = TEXT[:-1] + NUMBERS + DATES + ids + [HUGE[:20_000]]
    return MultiDict([(name, rng.choice(pool)) for name in names for _ in range(rng.choice((1, 1, 2)))])


# Integers at and beyond the edges of an id column (32-bit INTEGER on PostgreSQL, 64-bit on
# SQLite), and the ones just below the smallest id.
BOUNDARY_INTS = ["2147483648", "9223372036854775808", "100000000000000000000", "-1", "0"]
# Every integer argument a route reads from the query string (ids of filters, pages, years).
INT_QUERY_ARGS = ["page", "tahun", "instansi", "toko", "agency", "asn", "agency_id"]
# Fields of a rendered form that carry a number or an id (the others keep their rendered value).
INT_FIELD_KINDS = frozenset({"number", "hidden", "select", "radio"})


def rendered_values(form: Form) -> MultiDict:
    """What a browser sends for `form` untouched (without the CSRF token, added by the caller)."""
    return MultiDict([(f.name, f.value or "") for f in form.fields.values()
                      if f.name != "csrf_token" and f.kind not in ("button", "submit", "file")])
