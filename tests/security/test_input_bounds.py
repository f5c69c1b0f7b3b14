"""Integers beyond what an id column holds are "not found" or a form error, never a 500: in the
path (the `id` URL converter), in the query string (ids, pages) and in form fields (hidden
product ids, chosen budget lines), on SQLite and PostgreSQL alike."""
from __future__ import annotations

import pytest
from werkzeug.routing import Map, Rule

from bebeli.cart.models import CartLine
from bebeli.extensions import db, limiter
from bebeli.ids import MAX_ID, IdConverter, bounded_int, page_arg, parse_id
from bebeli.procurement.models import AgencyPurchase
from tests.conftest import _empty_all_tables
from tests.factories import ProductFactory, UserFactory, admin
from tests.orders.factories import asn_buyer
from tests.procurement.factories import BudgetLineFactory, team
from tests.security.forms import forms_on
from tests.security.hostile import rendered_values

TOO_BIG = ["2147483648", "9223372036854775808", "99999999999999999999", "100000000000000000000"]


@pytest.fixture(autouse=True)
def _fresh_database(app):
    """Each test here builds its own data: empty the tables after it, as the rest of the suite
    does (this folder's conftest turns that off for the module-wide world of the other suites)."""
    yield
    with app.app_context():
        _empty_all_tables()
    limiter.reset()


def _form(client, page: str, action_part: str):
    html = client.get(page).get_data(as_text=True)
    return next(f for f in forms_on(page, html) if action_part in f.action)


def test_the_id_converter_matches_only_ids_a_column_can_hold():
    urls = Map([Rule("/produk/<id:product_id>", endpoint="product")], converters={"id": IdConverter}).bind("x")
    assert urls.match("/produk/1") == ("product", {"product_id": 1})
    assert urls.match(f"/produk/{MAX_ID}") == ("product", {"product_id": MAX_ID})
    for bad in ["0", "-1", "1.5", "١٢٣", " 1", *TOO_BIG]:
        with pytest.raises(Exception) as refused:
            urls.match(f"/produk/{bad}")
        assert getattr(refused.value, "code", None) == 404, bad


def test_bounded_numbers():
    assert parse_id("42") == 42 and parse_id(42) == 42 and parse_id(" 7 ") == 7
    for bad in (None, "", "0", "-1", "abc", "1e3", "١٢٣", True, str(MAX_ID + 1), "9" * 5000):
        assert parse_id(bad) is None, bad
    assert bounded_int("-3", -3, 10) == -3 and bounded_int("11", -3, 10) is None


def test_page_numbers_are_bounded(data_app):
    for raw, page in [("", 1), ("abc", 1), ("0", 1), ("-5", 1), ("3", 3), ("100000000000000000000", 100_000)]:
        with data_app.test_request_context(f"/?page={raw}"):
            assert page_arg() == page, raw


@pytest.mark.parametrize("value", TOO_BIG)
def test_out_of_range_ids_in_the_path_are_not_found(client, ctx, value):
    ProductFactory()
    assert client.get(f"/produk/{value}").status_code == 404
    assert client.get(f"/produk/{value}/keripik").status_code == 404
    client.login(admin())
    assert client.get(f"/pesanan/admin/{value}").status_code == 404
    assert client.get(f"/direktori/asn/{value}").status_code == 404


@pytest.mark.parametrize("value", TOO_BIG)
def test_out_of_range_ids_and_pages_in_the_query_string(client, ctx, value):
    client.login(admin())
    assert client.get(f"/admin/produk?toko={value}&page={value}").status_code == 200
    assert client.get(f"/admin/audit/?page={value}").status_code == 200
    assert client.get(f"/direktori/?agency_id={value}&page={value}").status_code == 200
    assert client.get(f"/kuota/?agency={value}").status_code == 404
    assert client.get(f"/kuota/ekspor/riwayat.csv?asn={value}").status_code == 404
    assert client.get(f"/pengadaan/?page={value}&tahap=x").status_code == 200
    assert client.get(f"/api/ocds/releases?after=2026-01-01T00:00:00%2B00:00_{value}_1").status_code == 400


@pytest.mark.parametrize("value", TOO_BIG)
def test_an_out_of_range_product_id_in_the_cart_form_is_refused(client, ctx, value):
    buyer = asn_buyer()
    product = ProductFactory(stock=5)
    client.login(buyer)
    page = f"/produk/{product.id}/{product.slug}"
    form = _form(client, page, "/keranjang/tambah")
    data = rendered_values(form)
    data.setlist("product_id", [value])
    data.add("csrf_token", client.csrf_token(page))
    response = client.post(form.action, data=data)
    assert response.status_code in (302, 400, 404)
    assert db.session.scalar(db.select(db.func.count()).select_from(CartLine)) == 0


@pytest.mark.parametrize("field", ["budget_line", "ppk"])
def test_an_out_of_range_choice_at_agency_checkout_is_a_form_error(client, ctx, field):
    officials = team()
    line = BudgetLineFactory(agency=officials.agency)
    product = ProductFactory(stock=5)
    client.login(officials.pp)
    page = f"/produk/{product.id}/{product.slug}"
    cart = _form(client, page, "/keranjang/tambah")
    client.post(cart.action, data={**rendered_values(cart).to_dict(), "csrf_token": client.csrf_token(page)})
    form = _form(client, "/pengadaan/checkout", "/pengadaan/checkout")
    data = rendered_values(form)
    assert data["budget_line"] == str(line.id)
    data.setlist(field, ["9223372036854775808"])
    data.add("csrf_token", client.csrf_token("/pengadaan/checkout"))
    response = client.post(form.action, data=data)
    assert response.status_code == 200   # the form again, with its error
    assert db.session.scalar(db.select(db.func.count()).select_from(AgencyPurchase)) == 0
    UserFactory()  # the session still works after the refusal
