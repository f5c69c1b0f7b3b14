"""Read a page as a browser would: a form's values as rendered (what pressing one of its buttons
sends), the choices it offers, and the figures a page shows (`data-figure` cells) with the
`data-*` marks of the elements around them."""
from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

from werkzeug.datastructures import MultiDict

from bebeli.money import parse_rupiah

VOID = {"input", "img", "br", "hr", "meta", "link", "source", "col", "area", "base", "wbr"}


@dataclass
class RenderedForm:
    action: str | None
    values: list[tuple[str, str]] = field(default_factory=list)     # successful controls, in order
    options: dict[str, list[str]] = field(default_factory=dict)     # radio groups and selects
    buttons: dict[str, str] = field(default_factory=dict)           # named submit buttons
    disabled_buttons: set[str] = field(default_factory=set)

    def get(self, name: str) -> str | None:
        return next((v for n, v in self.values if n == name), None)

    def choose(self, name: str, value: str) -> RenderedForm:
        """Pick a radio button or an option the page offers (as a click would)."""
        assert value in self.options.get(name, []), f"{name}={value} is not offered: {self.options.get(name)}"
        self.values = [(n, v) for n, v in self.values if n != name] + [(name, value)]
        return self

    def fill(self, name: str, value: str) -> RenderedForm:
        assert any(n == name for n, _ in self.values), f"no field {name}"
        self.values = [(n, value if n == name else v) for n, v in self.values]
        return self

    def data(self, button: str | None = None) -> MultiDict:
        """What the browser sends when `button` (a named submit button) or the unnamed one is pressed."""
        if button is not None:
            assert button in self.buttons and button not in self.disabled_buttons, f"no button {button}"
            return MultiDict([*self.values, (button, self.buttons[button])])
        return MultiDict(self.values)


class _Parser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[RenderedForm] = []
        self._form: RenderedForm | None = None
        self._select: tuple[str, list[tuple[str, bool]]] | None = None
        self._textarea: tuple[str, list[str]] | None = None
        self._option_text: list[str] | None = None
        self._option_attrs: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = RenderedForm(attrs.get("action"))
            self.forms.append(self._form)
            return
        form, name = self._form, attrs.get("name")
        if form is None:
            return
        if tag == "input" and name:
            kind = (attrs.get("type") or "text").lower()
            if kind in ("radio", "checkbox"):
                if kind == "radio":
                    form.options.setdefault(name, []).append(attrs.get("value", "on"))
                if "checked" in attrs and "disabled" not in attrs:
                    form.values.append((name, attrs.get("value", "on")))
            elif kind in ("submit", "image"):
                form.buttons[name] = attrs.get("value", "")
            elif kind not in ("button", "reset", "file") and "disabled" not in attrs:
                form.values.append((name, attrs.get("value", "")))
        elif tag == "button" and name and (attrs.get("type") or "submit") == "submit":
            form.buttons[name] = attrs.get("value", "")
            if "disabled" in attrs:
                form.disabled_buttons.add(name)
        elif tag == "select" and name:
            self._select = (name, [])
        elif tag == "option" and self._select is not None:
            self._option_attrs, self._option_text = attrs, []
        elif tag == "textarea" and name:
            self._textarea = (name, [])

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1].append(data)
        if self._option_text is not None:
            self._option_text.append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea" and self._textarea is not None:
            name, text = self._textarea
            # The browser drops one newline right after <textarea> (WTForms writes \r\n there).
            value = "".join(text)
            value = value[2:] if value.startswith("\r\n") else value.removeprefix("\n")
            self._form.values.append((name, value))
            self._textarea = None
        elif tag == "option" and self._option_attrs is not None:
            value = self._option_attrs.get("value", "".join(self._option_text).strip())
            self._select[1].append((value, "selected" in self._option_attrs))
            self._option_attrs = self._option_text = None
        elif tag == "select" and self._select is not None:
            name, options = self._select
            self._form.options[name] = [value for value, _ in options]
            chosen = [value for value, selected in options if selected] or [v for v, _ in options[:1]]
            self._form.values.extend((name, value) for value in chosen[:1])
            self._select = None


def rendered_form(html: str, action: str) -> RenderedForm:
    """The page's (first) form that posts to `action`."""
    parser = _Parser()
    parser.feed(html)
    found = [f for f in parser.forms if f.action == action]
    assert found, f"no form posting to {action}"
    return found[0]


class _Figures(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict]] = []
        self.found: list[tuple[dict, str, str]] = []
        self._text: list[str] | None = None
        self._marks: dict | None = None
        self._figure: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = {k: v or "" for k, v in attrs}
        if tag not in VOID:
            self.stack.append((tag, attrs))
        if "data-figure" in attrs and self._text is None:
            marks = {}
            for _tag, outer in self.stack:
                marks.update({k[5:]: v for k, v in outer.items() if k.startswith("data-") and k != "data-figure"})
            self._marks, self._figure, self._text = marks, attrs["data-figure"], []
            self._depth = len(self.stack)

    def handle_data(self, data):
        if self._text is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if self._text is not None and len(self.stack) == self._depth and self.stack[-1][0] == tag:
            self.found.append((self._marks, self._figure, "".join(self._text).strip()))
            self._text = None
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break


def figures(html: str, **marks: str | None) -> dict[str, int]:
    """The amounts of the `data-figure` cells inside elements carrying all of `marks`
    (`testid="order-totals"`, `shop="12"`, `method="pickup"`; None: outside any such mark),
    by figure name."""
    parser = _Figures()
    parser.feed(html)
    result = {}
    for found_marks, figure, text in parser.found:
        if all(found_marks.get(k.replace("_", "-")) == v for k, v in marks.items()):
            assert figure not in result, f"{figure} appears twice for {marks}"
            result[figure] = parse_rupiah(text)
    return result
