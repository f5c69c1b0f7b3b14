"""Every form saves what it renders.

Each page of the app that has a form (every rule of `app.url_map` answering both GET and POST)
is opened by every persona allowed to use it (tests/security/route_policy.py) in the town of
tests/security/world.py; its forms are read as a browser reads them and sent back unchanged,
the way a browser builds the submission: inputs with their value, checked checkboxes and radios
only, the selected option of a select (else its first option), a textarea's text, the hidden
fields and the CSRF token, the first submit button's name and value, file inputs as an empty
file part; buttons other than the submitter, disabled controls and file contents are not sent.

The server may complain about fields the page rendered empty (the user has to fill them in);
it must not refuse a value the page itself rendered (`Invalid Choice: could not coerce` on an
option it offered, a date or number it wrote out), nor complain about a field the page does not
show at all. Edit pages of existing records must save unchanged (a redirect, no error).

Forms that a page shows but that post elsewhere (a POST-only action with fields to fill in,
such as a quantity, a reason or a price) are checked the same way in the last test.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
import wtforms
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException

from tests.factories import TEST_PASSWORD
from tests.security.conftest import _fresh_database, personas, world  # noqa: F401  (fixtures of this module)
from tests.security.route_policy import (
    DEV_KIND, LOGIN_STEP_KIND, OWNER, POLICY, PUBLIC_KIND, SIGNED_IN_KIND, STATIC_KIND, WEBHOOK_KIND,
)
from tests.security.routes import COLLECTION_APP, url_for_side
from tests.security.world import ANONYMOUS

# Edit pages of existing records: saving them unchanged must succeed.
SAVES_UNCHANGED = {
    "catalog.edit_category", "catalog.edit_product", "directory.agency_edit", "directory.asn_edit",
    "procurement.edit_budget_line", "quotas.policy_edit", "sellers.edit_profile",
}
# Form pages this test cannot open, with the reason ({endpoint: reason}).
NOT_COVERED: dict[str, str] = {}
# Pages that need something done first, as the persona would do it in the browser.
NEEDS_A_CART = {"lifecycle.checkout", "procurement.checkout"}
# Which signed-in persona opens the pages every account may use.
SIGNED_IN_PERSONA = "buyer"
REDIRECTS = {301, 302, 303, 307, 308}
EDITABLE = {"select", "textarea"}
NOT_SENT = {"submit", "button", "reset", "image"}


# --- reading a form as a browser does ----------------------------------------------------------

@dataclass
class Option:
    value: str | None
    text: str = ""
    selected: bool = False
    disabled: bool = False


@dataclass
class Control:
    tag: str                          # input, select, textarea, button
    name: str
    kind: str                         # an input's type; a button's type; "select"/"textarea"
    value: str | None = None
    checked: bool = False
    disabled: bool = False
    multiple: bool = False
    options: list[Option] = field(default_factory=list)
    text: str = ""


@dataclass
class BrowserForm:
    page: str
    action: str
    method: str
    enctype: str
    controls: list[Control] = field(default_factory=list)

    @property
    def names(self) -> set[str]:
        return {c.name for c in self.controls if c.name}

    @property
    def editable(self) -> bool:
        """Whether it has anything to fill in (not only hidden values and buttons)."""
        return any(c.tag in EDITABLE or (c.tag == "input" and c.kind not in NOT_SENT | {"hidden"})
                   for c in self.controls if c.name)

    def submission(self) -> tuple[MultiDict, set[str]]:
        """The pairs a browser sends when the form is submitted as rendered, and the names of
        the fields sent with a non-empty value (the values the page itself filled in)."""
        pairs: list[tuple[str, object]] = []
        submitter_done = False
        for c in self.controls:
            if c.disabled:
                continue
            is_submit = (c.tag == "button" and c.kind == "submit") or (c.tag == "input" and c.kind in ("submit", "image"))
            if is_submit:
                if not submitter_done and c.name:
                    pairs.append((c.name, c.value or ""))
                submitter_done = True
                continue
            if not c.name or c.tag == "button" or (c.tag == "input" and c.kind in NOT_SENT):
                continue
            if c.tag == "select":
                chosen = [o for o in c.options if o.selected and not o.disabled]
                if not chosen and not c.multiple:
                    chosen = [o for o in c.options if not o.disabled][:1]
                if not c.multiple:
                    chosen = chosen[-1:]  # a single select keeps its last selected option
                pairs.extend((c.name, o.text.strip() if o.value is None else o.value) for o in chosen)
            elif c.tag == "textarea":
                # A browser reads CR LF as LF and drops the newline right after <textarea>;
                # the browser sends line breaks as CR LF.
                text = c.text.replace("\r\n", "\n").replace("\r", "\n")
                pairs.append((c.name, text.removeprefix("\n").replace("\n", "\r\n")))
            elif c.kind in ("checkbox", "radio"):
                if c.checked:
                    pairs.append((c.name, "on" if c.value is None else c.value))
            elif c.kind == "file":
                if self.enctype == "multipart/form-data":
                    pairs.append((c.name, (io.BytesIO(b""), "")))  # no file chosen: an empty part
            else:
                pairs.append((c.name, c.value or ""))
        filled = {name for name, value in pairs if isinstance(value, str) and value.strip()}
        return MultiDict(pairs), filled


class _Parser(HTMLParser):
    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.forms: list[BrowserForm] = []
        self._form: BrowserForm | None = None
        self._select: Control | None = None
        self._option: Option | None = None
        self._textarea: Control | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            action = urljoin(self.page, a.get("action") or self.page)
            parts = urlsplit(action)
            self._form = BrowserForm(self.page, parts.path + (f"?{parts.query}" if parts.query else ""),
                                     (a.get("method") or "get").upper(),
                                     (a.get("enctype") or "application/x-www-form-urlencoded").lower())
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        disabled = "disabled" in a
        if tag == "input":
            self._form.controls.append(Control("input", a.get("name") or "", (a.get("type") or "text").lower(),
                                               a.get("value"), "checked" in a, disabled))
        elif tag == "button":
            self._form.controls.append(Control("button", a.get("name") or "", (a.get("type") or "submit").lower(),
                                               a.get("value"), disabled=disabled))
        elif tag == "select":
            self._select = Control("select", a.get("name") or "", "select", disabled=disabled,
                                   multiple="multiple" in a)
            self._form.controls.append(self._select)
        elif tag == "option" and self._select is not None:
            self._option = Option(a.get("value"), selected="selected" in a, disabled=disabled)
            self._select.options.append(self._option)
        elif tag == "textarea":
            self._textarea = Control("textarea", a.get("name") or "", "textarea", disabled=disabled)
            self._form.controls.append(self._textarea)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.text += data
        elif self._option is not None:
            self._option.text += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = self._option = None
        elif tag == "option":
            self._option = None
        elif tag == "textarea":
            self._textarea = None


def browser_forms(page: str, html: str) -> list[BrowserForm]:
    parser = _Parser(page)
    parser.feed(html)
    parser.close()
    return parser.forms


# --- what the server made of it --------------------------------------------------------------

@pytest.fixture
def validated(monkeypatch) -> list:
    """Every WTForms form validated while the test runs (the app's requests included)."""
    seen: list = []
    original = wtforms.Form.validate

    def spy(self, *args, **kwargs):
        seen.append(self)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(wtforms.Form, "validate", spy)
    return seen


def _field_errors(form) -> list[tuple[str, list[str]]]:
    """(field name as posted, its errors) for every field, sub-forms and lists included."""
    found = []
    for f in form:
        if isinstance(f, wtforms.FormField):
            found += _field_errors(f.form)
        elif isinstance(f, wtforms.FieldList):
            for entry in f.entries:
                found += _field_errors(entry.form) if isinstance(entry, wtforms.FormField) else [(entry.name, entry.errors)]
        else:
            found.append((f.name, list(f.errors)))
    return found


def unprovoked_errors(forms: list, browser_form: BrowserForm, filled: set[str]) -> list[str]:
    """Errors the user did not cause: on a value the page rendered, or on a field it does not show."""
    problems = []
    for form in {id(f): f for f in forms}.values():
        for name, errors in _field_errors(form):
            if not errors:
                continue
            if name in filled:
                problems.append(f"{name}={_sent(browser_form, name)!r} (as rendered) refused: {errors}")
            elif name not in browser_form.names:
                problems.append(f"{name} (not on the page) refused: {errors}")
    return problems


def _sent(browser_form: BrowserForm, name: str):
    data, _ = browser_form.submission()
    return data.getlist(name)


def _flashed_errors(client) -> list[str]:
    with client.session_transaction() as session:
        flashes = session.pop("_flashes", [])
    return [str(message) for category, message in flashes if category == "error"]


def post_as_browser(client, form: BrowserForm):
    data, filled = form.submission()
    content_type = "multipart/form-data" if form.enctype == "multipart/form-data" else None
    return client.post(form.action, data=data, content_type=content_type), filled


# --- the cases ---------------------------------------------------------------------------------

PREFERENCE = ("seller", "buyer", "pp", "ppk", "bendahara", "agency_admin", "admin")


def _side(access) -> str:
    return "us" if access.kind == OWNER else "them"


def _personas_for(access) -> list[str]:
    if access.kind == PUBLIC_KIND:
        return [ANONYMOUS]
    if access.kind == SIGNED_IN_KIND:
        return [SIGNED_IN_PERSONA]
    if access.kind == LOGIN_STEP_KIND:
        return ["admin"]
    return [p for p in PREFERENCE if access.allows(p, _side(access))]


def form_page_rules() -> list:
    found = [rule for rule in COLLECTION_APP.url_map.iter_rules() if {"GET", "POST"} <= rule.methods]
    return sorted(found, key=lambda rule: (rule.endpoint, rule.rule))


def form_page_cases() -> list:
    cases = []
    for rule in form_page_rules():
        if rule.endpoint in NOT_COVERED:
            continue
        access = POLICY.get(rule.endpoint)
        personas_ = _personas_for(access) if access else ["?"]
        cases += [pytest.param(rule.endpoint, rule.rule, persona, id=f"{rule.endpoint}:{persona}")
                  for persona in personas_]
    return cases


def endpoint_of(adapter, form: BrowserForm) -> str | None:
    try:
        endpoint, _ = adapter.match(urlsplit(form.action).path, method=form.method)
    except HTTPException:
        return None
    return endpoint


def client_for(app, personas, world, persona: str, access):
    if access.kind == LOGIN_STEP_KIND:  # half-way through an administrator's login
        client = app.test_client()
        client.post_form("/masuk", {"identifier": world.logins["admin"], "password": TEST_PASSWORD})
        return client
    client = personas[persona]
    if persona in world.logins and client.get("/akun").status_code != 200:  # an earlier form signed out
        client.login(world.logins[persona], TEST_PASSWORD)
    return client


def _put_a_product_in_the_cart(app, client, world) -> None:
    """Open a product page and press its "add to cart" button as rendered."""
    rule = next(app.url_map.iter_rules("catalog.product"))
    url = url_for_side(rule, POLICY["catalog.product"], world["us"])
    adapter = app.url_map.bind("localhost")
    page = client.get(url, follow_redirects=True)  # to the address with the product's slug
    [form] = [f for f in browser_forms(page.request.path, page.get_data(as_text=True))
              if endpoint_of(adapter, f) == "cart.add"]
    response, _ = post_as_browser(client, form)
    assert response.status_code in REDIRECTS and not _flashed_errors(client)


def test_every_form_page_is_covered():
    """A page that cannot be checked is listed in NOT_COVERED with its reason; every other one
    is classified in route_policy.py, which says who opens it."""
    endpoints = {rule.endpoint for rule in form_page_rules()}
    assert len(endpoints) >= 20
    assert not set(NOT_COVERED) - endpoints, "NOT_COVERED lists pages that are gone"
    assert SAVES_UNCHANGED <= endpoints
    unclassified = sorted(e for e in endpoints - set(NOT_COVERED) if e not in POLICY)
    assert not unclassified, f"classify these form pages in tests/security/route_policy.py: {unclassified}"
    kinds = {e: POLICY[e].kind for e in endpoints if e in POLICY}
    assert not {e for e, kind in kinds.items() if kind in (DEV_KIND, WEBHOOK_KIND, STATIC_KIND)}


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize(("endpoint", "pattern", "persona"), form_page_cases())
def test_form_page_accepts_what_it_renders(app, world, personas, validated, endpoint, pattern, persona, language):
    access = POLICY[endpoint]
    rule = next(r for r in app.url_map.iter_rules(endpoint) if r.rule == pattern)
    client = client_for(app, personas, world, persona, access)
    client.get(f"/bahasa/{language}")  # the page rendered, and its form read back, in this language
    try:
        _accepts_what_it_renders(app, world, client, access, rule, endpoint, persona, validated, language)
    finally:
        client.get("/bahasa/id")


def _accepts_what_it_renders(app, world, client, access, rule, endpoint, persona, validated, language):
    if endpoint in NEEDS_A_CART:
        _put_a_product_in_the_cart(app, client, world)
    url = url_for_side(rule, access, world[_side(access)])
    page = client.get(url)
    assert page.status_code == 200, f"GET {url} as {persona}: {page.status_code} {page.location or ''}"
    html = page.get_data(as_text=True)
    assert f'<html lang="{language}"' in html or "<html" not in html, f"GET {url} as {persona}: not in {language}"
    adapter = app.url_map.bind("localhost")
    forms = [f for f in browser_forms(url, html)
             if f.method == "POST" and endpoint_of(adapter, f) == endpoint]
    if not forms and language != "id":
        pytest.skip("a one-time form: the Indonesian case of this page already used it")
    assert forms, f"GET {url} as {persona} shows no form posting back to {endpoint}"

    problems = []
    for form in forms:
        validated.clear()
        response, filled = post_as_browser(client, form)
        label = f"POST {form.action} as {persona}"
        if response.status_code >= 500:
            problems.append(f"{label}: {response.status_code}")
            continue
        problems += [f"{label}: {p}" for p in unprovoked_errors(validated, form, filled)]
        flashed = _flashed_errors(client)
        if endpoint in SAVES_UNCHANGED:
            if response.status_code not in REDIRECTS or urlsplit(response.location).path == "/masuk" or flashed:
                shown = [e for f in validated for _, errors in _field_errors(f) for e in errors]
                problems.append(f"{label}: saving the record unchanged failed ({response.status_code}, "
                                f"errors {shown + flashed + [str(e) for f in validated for e in f.form_errors]})")
    assert not problems, "\n".join(problems)


# --- forms that post to an action elsewhere ------------------------------------------------------

@pytest.fixture(scope="module")
def action_forms(app, world, personas) -> list[tuple[str, str, BrowserForm]]:
    """(endpoint, persona, form) for every form with fields to fill in that a page shows and that
    posts to a POST-only action (a quantity, a reason, a price …), once per endpoint and persona."""
    adapter = app.url_map.bind("localhost")
    pages = {rule.endpoint for rule in form_page_rules()}
    for persona in ("buyer", "pp"):  # so that the cart page shows its quantity forms
        _put_a_product_in_the_cart(app, personas[persona], world)
    found: dict[tuple[str, str], BrowserForm] = {}
    for persona in (ANONYMOUS, *PREFERENCE):
        for rule in sorted(COLLECTION_APP.url_map.iter_rules(), key=lambda r: (r.endpoint, r.rule)):
            access = POLICY.get(rule.endpoint)
            if ("GET" not in rule.methods or access is None or access.kind in (STATIC_KIND, DEV_KIND)
                    or not access.allows(persona, _side(access))):
                continue
            url = url_for_side(rule, access, world[_side(access)])
            response = personas[persona].get(url)
            if response.mimetype != "text/html":
                continue
            for form in browser_forms(url, response.get_data(as_text=True)):
                endpoint = endpoint_of(adapter, form) if form.method == "POST" else None
                if endpoint and endpoint not in pages and form.editable:
                    found.setdefault((endpoint, persona), form)
    return [(endpoint, persona, form) for (endpoint, persona), form in sorted(found.items())]


def test_action_forms_accept_what_they_render(app, world, personas, validated, action_forms):
    assert len({endpoint for endpoint, _, _ in action_forms}) >= 5
    problems = []
    for endpoint, persona, form in action_forms:
        client = client_for(app, personas, world, persona, POLICY[endpoint])
        validated.clear()
        response, filled = post_as_browser(client, form)
        label = f"POST {form.action} ({endpoint}, shown on {form.page}) as {persona}"
        if response.status_code >= 500:
            problems.append(f"{label}: {response.status_code}")
        problems += [f"{label}: {p}" for p in unprovoked_errors(validated, form, filled)]
        _flashed_errors(client)
    assert not problems, "\n".join(problems)
