"""Integrity flags at their boundaries: package splitting and self-dealing."""
from datetime import timedelta

import pytest

from bebeli.extensions import db
from bebeli.orders.models import Order
from bebeli.procurement import flags, services
from bebeli.procurement.officials import declare
from tests.factories import CategoryFactory, ProductFactory, ShopFactory, UserFactory
from tests.procurement.factories import BudgetLineFactory, agency_order, team



@pytest.fixture
def shop_setup(ctx):
    t = team()
    line = BudgetLineFactory(agency=t.agency, pagu_amount=500_000_000)
    shop = ShopFactory(is_pkp=False, delivery_fee_amount=0)
    category = CategoryFactory()
    product = ProductFactory(shop=shop, category=category, price_amount=1_000, stock=1_000_000)
    return t, line, shop, product


def buy(t, line, product, amount, *, days_ago: float = 0):
    """An agency purchase of `amount` rupiah of `product` (priced Rp 1.000; any rest in a
    Rp 1 product of the same shop and category), placed `days_ago`."""
    items = [(product, amount // 1_000)] if amount >= 1_000 else []
    if amount % 1_000:
        items.append((ProductFactory(shop=product.shop, category=product.category, price_amount=1), amount % 1_000))
    [purchase] = agency_order(t, line, items)
    order = db.session.get(Order, purchase.order_id)
    order.created_at = order.created_at - timedelta(days=days_ago)
    db.session.commit()
    return purchase


def pph22_flags():
    return [f for f in flags.splitting_flags() if f.kind == "pph22"]


def test_sum_at_the_threshold_is_not_flagged_one_rupiah_more_is(shop_setup):
    t, line, shop, product = shop_setup
    buy(t, line, product, 1_000_000, days_ago=3)
    second = buy(t, line, product, 1_000_000, days_ago=1)
    assert pph22_flags() == []                                  # 2.000.000 is not above the limit
    third = buy(t, line, product, 1)
    [flag] = pph22_flags()
    assert flag.total_amount == 2_000_001 and len(flag.purchases) == 3
    assert {p.id for p in flag.purchases} >= {second.id, third.id}


def test_window_boundary(shop_setup, data_app):
    t, line, shop, product = shop_setup
    window = timedelta(days=data_app.config["SPLIT_WINDOW_DAYS"])
    first, second = buy(t, line, product, 1_500_000), buy(t, line, product, 1_500_000)
    start = db.session.get(Order, first.order_id).created_at - 2 * window
    db.session.get(Order, first.order_id).created_at = start
    db.session.get(Order, second.order_id).created_at = start + window
    db.session.commit()
    assert len(pph22_flags()) == 1                              # exactly the window apart: flagged
    db.session.get(Order, second.order_id).created_at = start + window + timedelta(seconds=1)
    db.session.commit()
    assert pph22_flags() == []                                  # one second more: not


def test_pieces_above_the_threshold_alone_are_not_splitting(shop_setup):
    t, line, shop, product = shop_setup
    buy(t, line, product, 2_500_000)
    buy(t, line, product, 2_500_000)
    assert pph22_flags() == []


def test_other_category_other_seller_and_cancelled_orders_do_not_add_up(shop_setup):
    t, line, shop, product = shop_setup
    buy(t, line, product, 1_500_000)
    buy(t, line, ProductFactory(shop=shop, price_amount=1_000, stock=10_000), 1_500_000)   # other category
    buy(t, line, ProductFactory(category=product.category, price_amount=1_000, stock=10_000), 1_500_000)
    cancelled = buy(t, line, product, 1_500_000)
    services.cancel_purchase(cancelled, t.pp, "batal")
    db.session.commit()
    assert pph22_flags() == []


def test_channel_limit_splitting(shop_setup, data_app):
    t, line, shop, product = shop_setup
    data_app.config["AGENCY_PACKAGE_LIMIT_AMOUNT"] = 5_000_000
    try:
        buy(t, line, product, 2_500_000)
        buy(t, line, product, 2_500_000)
        assert [f.kind for f in flags.splitting_flags()] == []
        buy(t, line, product, 1)
        assert [f.kind for f in flags.splitting_flags()] == ["channel"]
    finally:
        data_app.config["AGENCY_PACKAGE_LIMIT_AMOUNT"] = 200_000_000


def test_split_flags_appear_on_the_dashboard_and_monitoring_page(client, shop_setup):
    from tests.factories import admin

    t, line, shop, product = shop_setup
    first = buy(t, line, product, 1_200_000)
    second = buy(t, line, product, 1_200_000)
    boss = admin()
    client.login(boss)
    html = client.get("/pengadaan/pemantauan").get_data(as_text=True)
    assert 'data-testid="split-flag"' in html
    dashboard = client.get("/admin/").get_data(as_text=True).split('data-testid="procurement-panel"')[1]
    for purchase in (first, second):
        assert f"/pengadaan/pesanan/{purchase.id}" in html and f"/pengadaan/pesanan/{purchase.id}" in dashboard


def test_a_split_flag_names_the_pph22_due_on_the_sum_on_the_page_and_in_the_export(client, shop_setup):
    import csv
    import io

    from openpyxl import load_workbook

    from tests.factories import admin

    t, line, shop, product = shop_setup
    first = buy(t, line, product, 1_900_000, days_ago=2)
    second = buy(t, line, product, 1_900_000)
    assert (first.pph22_amount, second.pph22_amount) == (0, 0)     # each alone is under the limit
    [flag] = pph22_flags()
    assert flag.total_amount == 3_800_000 and flag.pph22_due_amount == 57_000   # 1,5% of Rp 3.800.000
    client.login(admin())
    html = client.get("/pengadaan/pemantauan").get_data(as_text=True).replace("\xa0", " ")
    card = html.split('data-testid="split-flag"')[1].split('data-testid="split-flag"')[0]
    assert "PPh 22 atas jumlahnya: Rp 57.000" in card
    assert "/pengadaan/pemantauan/pecah-paket.csv" in html and "/pengadaan/pemantauan/pecah-paket.xlsx" in html

    response = client.get("/pengadaan/pemantauan/pecah-paket.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    [row] = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert row["PPh 22 atas jumlahnya (Rp)"] == "57000" and row["Jumlah nilai tanpa PPN (Rp)"] == "3800000"
    assert row["Jumlah pesanan"] == "2" and row["Perangkat daerah"] == t.agency.name and row["Penjual"] == shop.name
    assert set(row["Pesanan"].split(", ")) == {first.seller_order.number, second.seller_order.number}

    workbook = load_workbook(io.BytesIO(client.get("/pengadaan/pemantauan/pecah-paket.xlsx").data))
    header, values = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert dict(zip(header, values))["PPh 22 atas jumlahnya (Rp)"] == 57_000


def test_the_split_export_shows_an_agency_admin_only_their_agency(client, shop_setup):
    from tests.factories import agency_admin

    t, line, shop, product = shop_setup
    buy(t, line, product, 1_900_000)
    buy(t, line, product, 1_900_000)
    other = team()
    client.login(agency_admin(other.agency))
    body = client.get("/pengadaan/pemantauan/pecah-paket.csv").get_data(as_text=True)
    assert body.lstrip("\ufeff").strip().count("\n") == 0             # the header only
    client.logout()
    client.login(agency_admin(t.agency))
    assert client.get("/pengadaan/pemantauan/pecah-paket.csv").get_data(as_text=True).count("57000") == 1


# --- self-dealing ---------------------------------------------------------------------------------

NIK = "3216015506900001"


@pytest.fixture
def dealing(ctx):
    t = team()
    line = BudgetLineFactory(agency=t.agency)
    owner = UserFactory(phone="6281234567890")
    shop = ShopFactory(owner=owner, nik=NIK, phone="6281299990000", bank_account_number="1234567890")
    product = ProductFactory(shop=shop, price_amount=10_000)
    return t, line, shop, product


def matches_for(purchase):
    return {(f.role, tuple(f.matches)) for f in flags.self_dealing_for([purchase])}


@pytest.mark.parametrize("declared,expected", [
    (dict(nik=NIK), {("pp", ("nik",))}),
    (dict(nik=NIK[:-1] + "2"), set()),                             # one digit off
    (dict(phone="6281299990000"), {("pp", ("phone",))}),           # the shop's phone
    (dict(phone="6281234567890"), {("pp", ("phone",))}),           # the owner's phone
    (dict(phone="6281299990001"), set()),
    (dict(bank_account_number="1234567890"), {("pp", ("bank_account",))}),
    (dict(bank_account_number="12345678901"), set()),
    (dict(), set()),                                               # nothing declared never matches
])
def test_self_dealing_boundaries(dealing, declared, expected):
    # Checkout refuses a tie it knows of (tests/security/test_appointments.py); the flags find
    # the ties that come to light afterwards, such as a declaration made after the order.
    t, line, shop, product = dealing
    [purchase] = agency_order(t, line, [(product, 1)])
    declare(t.pp, **{"nik": None, "phone": None, "bank_account_number": None, **declared}, actor=None)
    db.session.commit()
    assert matches_for(purchase) == expected


def test_account_phone_in_another_format_and_the_ppk(dealing):
    t, line, shop, product = dealing
    [purchase] = agency_order(t, line, [(product, 1)])
    t.ppk.phone = "0812-3456-7890"                                  # the owner's number, written locally
    db.session.commit()
    assert matches_for(purchase) == {("ppk", ("phone",))}


def test_empty_shop_bank_account_does_not_match_an_empty_declaration(ctx):
    t = team()
    shop = ShopFactory(bank_account_number=None)
    declare(t.pp, nik=None, phone=None, bank_account_number=None, actor=None)
    [purchase] = agency_order(t, BudgetLineFactory(agency=t.agency), [(ProductFactory(shop=shop), 1)])
    assert flags.self_dealing_for([purchase]) == []


def test_self_dealing_warning_on_the_approval_page_and_dashboard(client, dealing):
    from tests.factories import admin

    t, line, shop, product = dealing
    [purchase] = agency_order(t, line, [(product, 1)])
    declare(t.ppk, nik=NIK, phone=None, bank_account_number=None, actor=None)
    db.session.commit()
    client.login(t.ppk)
    assert 'data-testid="self-dealing"' in client.get(f"/pengadaan/pesanan/{purchase.id}").get_data(as_text=True)
    client.logout()
    client.login(shop.owner)                                        # the seller is not told
    assert 'data-testid="self-dealing"' not in client.get(f"/pengadaan/pesanan/{purchase.id}").get_data(as_text=True)
    client.logout()
    client.login(admin())
    assert 'data-testid="self-dealing-flag"' in client.get("/pengadaan/pemantauan").get_data(as_text=True)
