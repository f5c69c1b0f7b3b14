"""The rows of a rendered report table (`data-table="…"`), as the page's cell texts."""
from __future__ import annotations

import re
from html.parser import HTMLParser


class _Tables(HTMLParser):
    def __init__(self, name: str):
        super().__init__(convert_charrefs=True)
        self.name, self.inside, self.part = name, False, None
        self.rows: dict[str, list[list[str]]] = {"thead": [], "tbody": [], "tfoot": []}
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("data-table") == self.name:
            self.inside = True
        elif self.inside and tag in self.rows:
            self.part = tag
        elif self.inside and tag == "tr":
            self.rows[self.part].append([])
        elif self.inside and tag in ("td", "th"):
            self.cell = []

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)

    def handle_endtag(self, tag):
        if self.inside and tag in ("td", "th") and self.cell is not None:
            self.rows[self.part][-1].append(re.sub(r"[ \t\r\n]+", " ", "".join(self.cell)).strip())
            self.cell = None
        elif tag == "table":
            self.inside = False


def page_table(html: str, name: str) -> dict[str, list[list[str]]]:
    parser = _Tables(name)
    parser.feed(html)
    assert parser.rows["thead"], f"no table {name} on the page"
    return parser.rows
