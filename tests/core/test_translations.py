"""Every message the interface can show has an English translation: a new string without one
fails here (extract, `pybabel update`, translate — see the README's Development section)."""
import html
import re
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import flask_wtf
import wtforms
from babel.messages.pofile import read_po
from flask import session
from werkzeug.datastructures import MultiDict

from bebeli.extensions import limiter
from bebeli.i18n import WTFORMS_MESSAGES, WTFORMS_PLURALS, form_translations
from tests.core.test_form_roundtrip import browser_forms, client_for, endpoint_of, form_page_cases
from tests.security.conftest import _fresh_database, personas, world  # noqa: F401  (fixtures of this module)
from tests.security.route_policy import OWNER, POLICY
from tests.security.routes import url_for_side

ROOT = Path(__file__).resolve().parents[2]


def test_the_english_catalogue_translates_every_message_in_the_source(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "_l",
                    "--ignore-dirs", ".*", "-o", str(pot), "."], cwd=ROOT, check=True, capture_output=True)
    with pot.open("rb") as handle:
        source = {m.id for m in read_po(handle) if m.id}
    with (ROOT / "translations/en/LC_MESSAGES/messages.po").open("rb") as handle:
        english = {m.id: m for m in read_po(handle) if m.id}
    missing = sorted(str(i) for i in source if i not in english or not _translated(english[i]))
    assert len(source) > 1000
    assert not missing, f"{len(missing)} message(s) without an English translation, e.g. {missing[:5]}"


def _translated(message) -> bool:
    """A plural entry (msgid_plural) needs every English form (msgstr[0] and msgstr[1]), not just one."""
    if message.fuzzy:
        return False
    if message.pluralizable:
        return isinstance(message.string, tuple) and len(message.string) == 2 and all(message.string)
    return bool(message.string)


# --- the form libraries' own messages ----------------------------------------------------------
# WTForms ships no Indonesian catalogue and Flask-WTF's CSRF messages are plain English: the
# project gives them Indonesian text (bebeli.i18n.WTFORMS_MESSAGES), translated back into the
# libraries' English by the English catalogue.

# Built-in messages no user sees: a programming error, and WTForms' own CSRF (the app uses Flask-WTF's).
NEVER_SHOWN = {"Choices cannot be None.", "Invalid CSRF Token.", "CSRF token missing.", "CSRF failed.",
               "CSRF token expired."}
_LITERAL = r'"((?:[^"\\]|\\.)+)"'


def builtin_messages() -> dict[str, str | None]:
    """{singular: plural or None} of every literal message WTForms and Flask-WTF can put on a page,
    read from their sources (gettext/ngettext calls, and Flask-WTF's CSRF errors)."""
    found: dict[str, str | None] = {}
    for package in (wtforms, flask_wtf):
        for source in Path(package.__file__).parent.rglob("*.py"):
            text = source.read_text()
            for singular, plural in re.findall(rf"ngettext\(\s*{_LITERAL},\s*{_LITERAL}", text):
                found[singular] = plural
            for message in re.findall(rf"(?<![n.\w])gettext\(\s*{_LITERAL}|\.gettext\(\s*{_LITERAL}", text):
                found.setdefault(next(m for m in message if m), None)
            for message in re.findall(rf"ValidationError\(\s*{_LITERAL}\s*\)", text):
                found.setdefault(message, None)
    return {message: plural for message, plural in found.items() if message not in NEVER_SHOWN}


def _pattern(message: str) -> str:
    """A regular expression for the message as shown, its placeholders filled in."""
    return re.sub(r"%(\\\(\w+\\\))?[sd]|\\\{\w+\\\}", ".+?", re.escape(message))


ENGLISH_BUILTINS = re.compile("|".join(_pattern(m) for pair in builtin_messages().items() for m in pair if m))


@contextmanager
def _language(app, lang: str):
    with app.test_request_context("/"):
        session["lang"] = lang
        yield


def test_the_form_libraries_messages_read_indonesian_on_indonesian_pages_and_english_on_english_ones(app):
    messages = builtin_messages()
    assert {"This field is required.", "Invalid Choice: could not coerce.", "Not a valid integer value.",
            "The CSRF token is missing.", "Field cannot be longer than %(max)d character."} <= messages.keys()
    missing = sorted(m for m in messages if m not in WTFORMS_MESSAGES and m not in WTFORMS_PLURALS)
    assert not missing, f"WTForms/Flask-WTF messages without Indonesian text in bebeli/i18n.py: {missing}"
    with _language(app, "id"):
        for singular, plural in messages.items():
            shown = (form_translations.gettext(singular) if plural is None else
                     form_translations.ngettext(singular, plural, 2))
            assert not ENGLISH_BUILTINS.search(shown), (singular, shown)
        assert form_translations.gettext("This field is required.") == "Wajib diisi."
    with _language(app, "en"):
        for singular, plural in messages.items():
            if plural is None:
                assert form_translations.gettext(singular) == singular
            else:
                assert form_translations.ngettext(singular, plural, 1) == singular
                assert form_translations.ngettext(singular, plural, 2) == plural


def test_a_forms_own_csrf_check_answers_in_the_interface_language(app):
    """Flask-WTF's CSRF messages are plain English strings; the form's check translates them."""
    from bebeli.forms import EmptyForm

    for lang, expected in (("id", "Token keamanan formulir tidak ada."), ("en", "The CSRF token is missing.")):
        with app.test_request_context("/", method="POST", data={}):
            session["lang"] = lang
            form = EmptyForm()
            assert not form.validate()
            [error] = form.csrf_token.errors
            assert error.startswith(expected)


def _junk(form):
    """The form as rendered with every field a user fills in given something unusable (hidden
    fields, such as the CSRF token, kept): no choice offered, no number, no date, no address."""
    data, _ = form.submission()
    junk = MultiDict([(k, v) for k, v in data.items(multi=True) if k in _hidden(form)])
    for control in form.controls:
        if (not control.name or control.name in _hidden(form) or control.tag == "button"
                or control.kind in ("submit", "reset", "image", "file")):
            continue
        junk.add(control.name, {"date": "2026-02-30", "email": "bukan-alamat", "checkbox": "y"}.get(control.kind, "x-1"))
    return junk


def _hidden(form) -> set[str]:
    return {c.name for c in form.controls if c.tag == "input" and c.kind == "hidden"}


def _emptied(form):
    data, _ = form.submission()
    hidden = _hidden(form)
    return MultiDict([(k, v if k in hidden else "") for k, v in data.items(multi=True) if isinstance(v, str)])


def _shown_text(client, response) -> str:
    """What the person sees: the page, or after a redirect the messages flashed for the next one."""
    with client.session_transaction() as saved:
        flashes = saved.pop("_flashes", [])
    return html.unescape(response.get_data(as_text=True)) + " ".join(str(m) for _, m in flashes)


def test_no_form_of_the_app_shows_the_form_libraries_english_on_an_indonesian_page(app, world, personas):
    """Every form page, as a persona who may use it, sent back empty and with unusable values, and
    a post without its CSRF token: nothing WTForms or Flask-WTF says in English reaches the page."""
    adapter = app.url_map.bind("localhost")
    problems, submitted = [], 0
    for case in form_page_cases():
        endpoint, pattern, persona = case.values
        access = POLICY[endpoint]
        rule = next(r for r in app.url_map.iter_rules(endpoint) if r.rule == pattern)
        client = client_for(app, personas, world, persona, access)
        url = url_for_side(rule, access, world["us" if access.kind == OWNER else "them"])
        page = client.get(url)
        if page.status_code != 200:
            continue  # a page that needs more than the town (a cart): test_form_roundtrip opens it
        for form in browser_forms(url, page.get_data(as_text=True)):
            if form.method != "POST" or endpoint_of(adapter, form) != endpoint:
                continue
            for data in (_emptied(form), _junk(form)):
                limiter.reset()
                response = client.post(form.action, data=data)
                submitted += 1
                found = ENGLISH_BUILTINS.search(_shown_text(client, response))
                if found:
                    problems.append(f"POST {form.action} as {persona}: {found.group(0)!r}")
        response = client.post(url, data={})  # no CSRF token
        found = ENGLISH_BUILTINS.search(_shown_text(client, response))
        if response.status_code != 400 or found:
            problems.append(f"POST {url} without a CSRF token as {persona}: {response.status_code} {found}")
    assert submitted >= 40
    assert not problems, "\n".join(problems)


def test_an_english_page_shows_the_form_libraries_english(app, world, personas):
    client, page_url = personas["admin"], "/direktori/asn/baru"
    try:
        for lang, shown_text, other in (("en", "Invalid Choice: could not coerce.", "Pilihan tidak dikenali."),
                                         ("id", "Pilihan tidak dikenali.", "Invalid Choice: could not coerce.")):
            client.get(f"/bahasa/{lang}")
            [form] = [f for f in browser_forms(page_url, client.get(page_url).get_data(as_text=True))
                      if f.method == "POST" and f.action == page_url]
            data, _ = form.submission()
            data.setlist("echelon", ["bukan-eselon"])
            shown = _shown_text(client, client.post(page_url, data=data))
            assert shown_text in shown and other not in shown
    finally:
        client.get("/bahasa/id")
