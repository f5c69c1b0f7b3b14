"""Integers that come from outside — URL parts, query strings, form fields — bounded to the
range the id columns hold, so that one too large is "not found" rather than a server error.

Every primary key is an INTEGER column (32-bit on PostgreSQL): a larger number can name no
row, and passed on to the database it fails there (PostgreSQL: "integer out of range";
SQLite: too large for its 64-bit integers) and the visitor gets a 500. Routes take ids with
the `id` URL converter (`<id:product_id>`), views read integer query arguments with
`int_arg`/`id_arg`/`page_arg`, and forms take ids with `IdField` or `id_coerce`.
"""
from __future__ import annotations

from flask import current_app, request
from flask_babel import lazy_gettext as _l
from werkzeug.routing import IntegerConverter
from wtforms import IntegerField
from wtforms.validators import NumberRange

from bebeli.extensions import db

MAX_ID = 2**31 - 1       # INTEGER's largest value on PostgreSQL; SQLite's 64-bit ids stay below it
MAX_PAGE = 100_000       # far past any list's last page, and OFFSET stays small


def bounded_int(value, minimum: int, maximum: int) -> int | None:
    """`value` (a string of ASCII digits, optionally signed, or an int) as an int within
    [minimum, maximum], else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    else:
        text = str(value).strip() if value is not None else ""
        digits = text[1:] if text[:1] in "+-" else text
        # Only ASCII digits, and few enough that int() stays cheap on a 100 KB parameter.
        if not digits.isascii() or not digits.isdigit() or len(digits) > 20:
            return None
        number = int(text)
    return number if minimum <= number <= maximum else None


def parse_id(value) -> int | None:
    """An id that may name a row (1 … MAX_ID), or None."""
    return bounded_int(value, 1, MAX_ID)


def int_arg(name: str, minimum: int, maximum: int) -> int | None:
    """An integer query argument within the bounds, else None (absent or malformed alike)."""
    return bounded_int(request.args.get(name), minimum, maximum)


def id_arg(name: str, source=None) -> int | None:
    """An id from the query string (or `source`, e.g. `request.values`), else None."""
    return parse_id((source if source is not None else request.args).get(name))


def page_arg(name: str = "page") -> int:
    """The page number of a list: 1 when absent or malformed, at most MAX_PAGE."""
    text = (request.args.get(name) or "").strip()
    if not (text.isascii() and text.isdigit()):
        return 1
    return max(1, min(int(text[:7]), MAX_PAGE))  # seven digits already pass MAX_PAGE


def page_of(stmt, per_page: int | None = None):
    """One page of `stmt` for a list page: the `page` argument read as `page_arg` reads it,
    PAGE_SIZE rows unless `per_page` says otherwise; a page past the end is empty, not a 404."""
    return db.paginate(stmt, per_page=per_page or current_app.config["PAGE_SIZE"], page=page_arg(), error_out=False)


class IdConverter(IntegerConverter):
    """`<id:name>` in a route: ASCII digits naming a possible row; anything else is a 404."""

    regex = r"[0-9]{1,10}"

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def id_coerce(value) -> int:
    """`coerce` for SelectFields of ids: a malformed or out-of-range id is the field's own
    "not a valid choice" error, never a number the database cannot hold."""
    number = parse_id(value)
    if number is None:
        raise ValueError(value)
    return number


class IdField(IntegerField):
    """An id in a form (hidden product ids and the like), bounded like the id columns."""

    def __init__(self, label=None, validators=None, **kwargs):
        validators = [*(validators or []),
                      NumberRange(min=1, max=MAX_ID, message=_l("Pilihan tidak dikenal. Muat ulang halaman."))]
        super().__init__(label, validators, **kwargs)


def init_app(app) -> None:
    app.url_map.converters["id"] = IdConverter
