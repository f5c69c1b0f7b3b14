"""Language and formatting: Bahasa Indonesia first, English second; rupiah; Jakarta time."""
from __future__ import annotations

from flask import Flask, current_app, has_request_context, request, session
from flask_babel import format_date, format_datetime, get_translations
from flask_babel import lazy_gettext as _l
from flask_wtf.i18n import translations as flask_wtf_translations

from bebeli.extensions import babel
from bebeli.money import percent, rupiah


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    chosen = session.get("lang") if has_request_context() else None  # commands run without a request
    if chosen in languages:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def sentence(text: str) -> str:
    """A sentence that ends with a name: a name that already ends in a full stop (an academic
    title, "Budi Santoso, S.Kom.") takes no second one ("S.Kom.." reads as a typo). An
    ellipsis is left alone."""
    text = str(text)
    if text.endswith("..") and not text.endswith("..."):
        return text[:-1]
    return text


def day_text(value) -> str:
    """A calendar day written out for a sentence or a note, Indonesian style ("3 Desember
    2026"; in English "3 December 2026"), never the ISO form."""
    return format_date(value, "d MMMM yyyy")


def _datetime(value, fmt: str = "d MMM yyyy HH:mm"):
    return format_datetime(value, fmt) + " WIB" if value is not None else "–"


def _date(value, fmt: str = "d MMM yyyy"):
    return format_date(value, fmt) if value is not None else "–"


# WTForms and Flask-WTF ship no Indonesian catalogue. Their built-in messages (English, the
# keys) are given Indonesian text here, whose msgids the project's own catalogue translates back
# into WTForms' English: an Indonesian page shows Indonesian, an English page WTForms' English.
WTFORMS_MESSAGES = {
    "This field is required.": _l("Wajib diisi."),
    "Invalid input.": _l("Isian tidak valid."),
    "Invalid email address.": _l("Alamat email tidak valid."),
    "Invalid IP address.": _l("Alamat IP tidak valid."),
    "Invalid Mac address.": _l("Alamat MAC tidak valid."),
    "Invalid URL.": _l("Alamat URL tidak valid."),
    "Invalid UUID.": _l("UUID tidak valid."),
    "Invalid field name '%s'.": _l("Nama isian '%s' tidak dikenal."),
    "Field must be equal to %(other_name)s.": _l("Isian harus sama dengan %(other_name)s."),
    "Field must be between %(min)d and %(max)d characters long.":
        _l("Panjang isian harus antara %(min)d dan %(max)d karakter."),
    "Number must be at least %(min)s.": _l("Angka paling kecil %(min)s."),
    "Number must be at most %(max)s.": _l("Angka paling besar %(max)s."),
    "Number must be between %(min)s and %(max)s.": _l("Angka harus antara %(min)s dan %(max)s."),
    "Date must be at least %(min)s.": _l("Tanggal paling awal %(min)s."),
    "Date must be at most %(max)s.": _l("Tanggal paling akhir %(max)s."),
    "Date must be between %(min)s and %(max)s.": _l("Tanggal harus antara %(min)s dan %(max)s."),
    "Invalid value, must be one of: %(values)s.": _l("Nilai tidak valid; harus salah satu dari: %(values)s."),
    "Invalid value, can't be any of: %(values)s.": _l("Nilai tidak valid; tidak boleh salah satu dari: %(values)s."),
    "This field cannot be edited.": _l("Isian ini tidak dapat diubah."),
    "This field is disabled and cannot have a value.": _l("Isian ini dinonaktifkan dan tidak boleh berisi nilai."),
    "Invalid Choice: could not coerce.": _l("Pilihan tidak dikenali."),
    "Not a valid choice.": _l("Bukan pilihan yang tersedia."),
    "Invalid choice(s): one or more data inputs could not be coerced.":
        _l("Satu atau beberapa pilihan tidak dikenali."),
    "Not a valid datetime value.": _l("Tanggal dan jam tidak valid."),
    "Not a valid date value.": _l("Tanggal tidak valid."),
    "Not a valid time value.": _l("Jam tidak valid."),
    "Not a valid week value.": _l("Minggu tidak valid."),
    "Not a valid integer value.": _l("Isi dengan bilangan bulat."),
    "Not a valid decimal value.": _l("Isi dengan angka desimal."),
    "Not a valid float value.": _l("Isi dengan angka."),
    "File does not have an approved extension: {extensions}": _l("Jenis berkas tidak diterima; gunakan: {extensions}"),
    "File does not have an approved extension.": _l("Jenis berkas tidak diterima."),
    # Flask-WTF's CSRF check (bebeli.forms.BaseForm passes its messages through here)
    "The CSRF token is missing.": _l("Token keamanan formulir tidak ada. Muat ulang halaman dan kirim lagi."),
    "The CSRF session token is missing.": _l("Sesi formulir tidak ditemukan. Muat ulang halaman dan kirim lagi."),
    "The CSRF token has expired.": _l("Formulir sudah kedaluwarsa. Muat ulang halaman dan kirim lagi."),
    "The CSRF token is invalid.": _l("Token keamanan formulir tidak valid. Muat ulang halaman dan kirim lagi."),
    "The CSRF tokens do not match.": _l("Token keamanan formulir tidak cocok. Muat ulang halaman dan kirim lagi."),
}
# Plural messages, by WTForms' singular: (translations, n) -> text. The literal ngettext calls are
# what message extraction finds; Indonesian does not inflect, so both msgids are the same.
WTFORMS_PLURALS = {
    "Field must be at least %(min)d character long.": lambda t, n: t.ngettext(
        "Panjang isian paling sedikit %(min)d karakter.", "Panjang isian paling sedikit %(min)d karakter.", n),
    "Field cannot be longer than %(max)d character.": lambda t, n: t.ngettext(
        "Panjang isian paling banyak %(max)d karakter.", "Panjang isian paling banyak %(max)d karakter.", n),
    "Field must be exactly %(max)d character long.": lambda t, n: t.ngettext(
        "Panjang isian harus tepat %(max)d karakter.", "Panjang isian harus tepat %(max)d karakter.", n),
    "'%(value)s' is not a valid choice for this field.": lambda t, n: t.ngettext(
        "'%(value)s' bukan pilihan yang tersedia.", "'%(value)s' bukan pilihan yang tersedia.", n),
}


class FormTranslations:
    """The `gettext`/`ngettext` of every form (see bebeli.forms): WTForms' and Flask-WTF's
    built-in messages from the project's catalogue, in the interface language; anything else
    (messages of other libraries) as Flask-WTF translates it."""

    def gettext(self, string):
        message = WTFORMS_MESSAGES.get(string) if isinstance(string, str) else None
        return flask_wtf_translations.gettext(string) if message is None else str(message)

    def ngettext(self, singular, plural, n):
        message = WTFORMS_PLURALS.get(singular)
        if message is None:
            return flask_wtf_translations.ngettext(singular, plural, n)
        return message(get_translations(), n)


form_translations = FormTranslations()


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.filters["rupiah"] = rupiah
    app.jinja_env.filters["percent"] = percent  # basis points: 1150|percent(places=2) → 11,5%
    app.jinja_env.filters["datetime"] = _datetime
    app.jinja_env.filters["date"] = _date
    app.jinja_env.add_extension("jinja2.ext.i18n")  # {% trans %} blocks in templates

    @app.context_processor
    def inject_locale():
        from flask_babel import get_locale

        return {"current_locale": str(get_locale()), "current_path": request.full_path.rstrip("?")}
