"""Language and formatting: Bahasa Indonesia first, English second; rupiah; Jakarta time."""
from __future__ import annotations

from flask import Flask, current_app, has_request_context, request, session
from flask_babel import format_date, format_datetime

from bebeli.extensions import babel
from bebeli.money import rupiah


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    chosen = session.get("lang") if has_request_context() else None  # commands run without a request
    if chosen in languages:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def _datetime(value, fmt: str = "d MMM yyyy HH:mm"):
    return format_datetime(value, fmt) + " WIB" if value is not None else "–"


def _date(value, fmt: str = "d MMM yyyy"):
    return format_date(value, fmt) if value is not None else "–"


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.filters["rupiah"] = rupiah
    app.jinja_env.filters["datetime"] = _datetime
    app.jinja_env.filters["date"] = _date
    app.jinja_env.add_extension("jinja2.ext.i18n")  # {% trans %} blocks in templates

    @app.context_processor
    def inject_locale():
        from flask_babel import get_locale

        return {"current_locale": str(get_locale()), "current_path": request.full_path.rstrip("?")}
