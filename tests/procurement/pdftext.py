"""Read back the text lines of a PDF drawn by bebeli.pdf (fpdf2, embedded TrueType subsets).

Each font subset maps its glyph codes to Unicode in a ToUnicode CMap; the page content shows
strings with `Tj` after selecting a font with `Tf`. Enough to check what a document prints.
"""
from __future__ import annotations

import re
import zlib

_OBJECT = re.compile(rb"(\d+) 0 obj\s*(.*?)\s*endobj", re.S)
_STREAM = re.compile(rb"/Length (\d+).*?stream\r?\n", re.S)
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _stream(body: bytes) -> bytes:
    # Exactly /Length bytes: compressed data may itself end in a carriage return.
    found = _STREAM.search(body)
    raw = body[found.end():found.end() + int(found.group(1))]
    return zlib.decompress(raw) if b"/FlateDecode" in body else raw


def _cmap(data: bytes) -> dict[int, str]:
    mapping = {}
    for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", data.split(b"endcodespacerange", 1)[-1]):
        mapping[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be")
    return mapping


def _unescape(literal: bytes) -> bytes:
    out, i = bytearray(), 0
    while i < len(literal):
        char = literal[i:i + 1]
        if char != b"\\":
            out += char
            i += 1
            continue
        following = literal[i + 1:i + 2]
        octal = re.match(rb"[0-7]{1,3}", literal[i + 1:i + 4])
        if octal:
            out.append(int(octal.group(), 8))
            i += 1 + len(octal.group())
        else:
            out += _ESCAPES.get(following, following)
            i += 2
    return bytes(out)


def pdf_lines(data: bytes) -> list[str]:
    objects = {int(n): body for n, body in _OBJECT.findall(data)}
    fonts = {}
    for body in objects.values():
        for name, number in re.findall(rb"/(F\d+) (\d+) 0 R", body):
            to_unicode = re.search(rb"/ToUnicode (\d+) 0 R", objects[int(number)])
            if to_unicode:
                fonts[name] = _cmap(_stream(objects[int(to_unicode.group(1))]))
    lines = []
    for body in objects.values():
        if b"stream" not in body or b"/Length" not in body:
            continue
        content = _stream(body)
        if b"Tj" not in content:
            continue
        font: dict[int, str] = {}
        for match in re.finditer(rb"/(F\d+) [\d.]+ Tf|\(((?:\\.|[^\\)])*)\) Tj", content, re.S):
            if match.group(1):
                font = fonts.get(match.group(1), {})
                continue
            codes = _unescape(match.group(2))
            lines.append("".join(font.get(int.from_bytes(codes[i:i + 2], "big"), "?")
                                 for i in range(0, len(codes), 2)))
    return lines
