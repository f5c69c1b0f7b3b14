"""Templates query nothing: what a page shows from the database is computed by its view and
passed in; template globals and context processors only format or check loaded objects."""
import re
from datetime import date
from pathlib import Path
from types import SimpleNamespace

from flask import render_template
from flask_login import login_user

from bebeli.extensions import db
from tests.factories import AsnFactory, ProductFactory
from tests.orders.factories import fill_cart
from tests.quotas.factories import policy

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"

# Every callable a template can reach that the app itself defines. Each formats a value or
# checks objects the view already loaded (roles come with the signed-in user); none runs SQL.
# Data a page needs from the database is computed by its view and passed in: do not add a
# query here, pass its result to the template instead.
FORMATTERS_AND_CHECKS = {
    "actor_label", "agency_status_label", "channel_label", "order_status_badge", "order_status_label",
    "payment_status_label", "endpoint_exists", "nav_links", "url_for",
    "is_admin", "can_manage_agency", "can_manage_asn", "can_edit_agencies", "owns_shop",
    "is_pp_of", "is_ppk_of", "is_treasurer_of", "is_seller_of", "can_set_up_procurement",
}
# Template globals that once ran queries from inside a template.
REMOVED = {"quota_progress_for", "quota_room_for", "quota_history_for", "procurement_admin_panel"}


def _template_names(app) -> dict:
    """Everything a template sees by name: the Jinja globals and every context processor's
    entries, the app's and each blueprint's."""
    names = dict(app.jinja_env.globals)
    for processors in app.template_context_processors.values():
        for processor in processors:
            names.update(processor())
    return names


def test_context_processors_and_globals_run_no_query(app, ctx, statements):
    user = AsnFactory().user
    db.session.flush()
    with app.test_request_context("/"):
        login_user(user)
        user.roles, user.asn  # loaded with the user on every signed-in request
        statements.clear()
        names = _template_names(app)
        names["nav_links"]()
        assert statements == []
    ours = {name for name, value in names.items()
            if callable(value) and getattr(value, "__module__", "").startswith("bebeli")}
    assert ours <= FORMATTERS_AND_CHECKS, f"new template callables: {sorted(ours - FORMATTERS_AND_CHECKS)}"
    assert not REMOVED & names.keys()
    # Queries are named <things>_for(...): none is a template global, none is called by a template.
    assert not [name for name in names if name.endswith("_for") and name != "url_for"]
    calls = {(path.relative_to(TEMPLATES).as_posix(), call) for path in TEMPLATES.rglob("*.html")
             for call in re.findall(r"\b(\w+_for)\s*\(", path.read_text()) if call != "url_for"}
    assert calls == set()


def test_quota_and_procurement_partials_render_from_the_data_given(app, ctx, statements):
    user = AsnFactory().user
    db.session.flush()
    progress = {"month": date(2026, 11, 1), "minimum": 50_000, "counted": 20_000, "reserved": 5_000,
                "left": 30_000, "days_left": 3, "ceiling": 100_000, "room": 75_000}
    history = [{"month": date(2026, 10, 1), "counted": 65_000, "minimum": 50_000, "shortfall": 0}]
    panel = SimpleNamespace(fiscal_year=2026, spent_amount=1_500_000, agencies_meeting_target=1,
                            agencies_with_budget=2, splits=[], self_dealing=[])
    with app.test_request_context("/"):
        login_user(user)
        user.roles, user.asn
        statements.clear()
        home = render_template("quotas/_asn_progress.html", quota_progress=progress, quota_history=history)
        room = render_template("quotas/_ceiling_room.html", quota_room=progress)
        admin = render_template("procurement/_admin_panel.html", panel=panel)
        assert statements == []
    assert 'data-testid="quota-counted">Rp\u00a020.000' in home and "Rp\u00a065.000" in home
    assert 'data-testid="quota-room"' in room and "Rp\u00a075.000" in room
    assert 'data-testid="procurement-panel"' in admin and "Rp\u00a01.500.000" in admin


def test_checkout_shows_the_ceiling_room(client, ctx):
    policy(minimum_kind="none", ceiling_amount=100_000)
    buyer = AsnFactory().user
    fill_cart(buyer, (ProductFactory(price_amount=30_000), 1))
    client.login(buyer)
    html = client.get("/keranjang/checkout").get_data(as_text=True)
    assert 'data-testid="quota-room"' in html and "sisa yang masih bisa dibelanjakan Rp\u00a0100.000" in html
