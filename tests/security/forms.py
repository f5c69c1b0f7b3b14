"""Find the forms the application actually renders: every page a persona may open is fetched
and its <form> elements read (action, method, fields and their kinds), so the hostile-input
suite fuzzes the fields the browser would send without a hand-kept list."""
from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from werkzeug.exceptions import HTTPException


@dataclass
class FormField:
    name: str
    kind: str                      # input type, "select", "textarea" or "button"
    options: list[str] = field(default_factory=list)
    value: str | None = None       # as rendered: an input's value (a box only when checked), the selected option


@dataclass
class Form:
    action: str                    # path of the URL the form posts to (query kept)
    method: str
    fields: dict[str, FormField] = field(default_factory=dict)

    @property
    def has_files(self) -> bool:
        return any(f.kind == "file" for f in self.fields.values())


class _FormParser(HTMLParser):
    def __init__(self, page_url: str):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: FormField | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            action = urljoin(self.page_url, attrs.get("action") or self.page_url)
            parts = urlsplit(action)
            self._form = Form(parts.path + (f"?{parts.query}" if parts.query else ""),
                              (attrs.get("method") or "get").upper())
            self.forms.append(self._form)
        elif self._form is not None and attrs.get("name"):
            if tag in ("input", "button"):
                kind = "button" if tag == "button" else (attrs.get("type") or "text").lower()
                shown = self._form.fields.setdefault(attrs["name"], FormField(attrs["name"], kind))
                if tag == "input" and (kind not in ("checkbox", "radio") or "checked" in attrs) and shown.value is None:
                    shown.value = attrs.get("value") or ("y" if kind == "checkbox" else "")
            elif tag in ("select", "textarea"):
                self._select = self._form.fields.setdefault(attrs["name"], FormField(attrs["name"], tag))
                if tag == "textarea" and self._select.value is None:
                    self._select.value = ""
        if tag == "option" and self._select is not None and attrs.get("value") is not None:
            self._select.options.append(attrs["value"])
            if self._select.value is None or "selected" in attrs:
                self._select.value = attrs["value"]

    def handle_data(self, data):
        if self._select is not None and self._select.kind == "textarea":
            self._select.value += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag in ("select", "textarea"):
            if tag == "textarea" and self._select is not None:
                # As a browser reads it: a newline right after <textarea> is not content.
                self._select.value = self._select.value.removeprefix("\r\n").removeprefix("\n")
            self._select = None


def forms_on(page_url: str, html: str) -> list[Form]:
    parser = _FormParser(page_url)
    parser.feed(html)
    return parser.forms


def endpoint_of(adapter, form: Form) -> str | None:
    """The endpoint a form submits to, or None when it leaves the app."""
    try:
        endpoint, _args = adapter.match(urlsplit(form.action).path, method=form.method)
    except HTTPException:
        return None
    return endpoint
