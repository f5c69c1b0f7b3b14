"""Completed agency purchases published as OCDS 1.1 releases, validated against the official
release package schema, read from disk (never fetched)."""
import json
import os
from datetime import timedelta
from pathlib import Path

import pytest
from jsonschema import Draft4Validator
from referencing import Registry
from referencing.jsonschema import DRAFT4

from bebeli.dates import jakarta_today
from bebeli.extensions import db
from bebeli.orders import services as orders
from bebeli.procurement import services
from tests.factories import ProductFactory, ShopFactory
from tests.procurement.factories import BudgetLineFactory, agency_order, team

SCHEMA_DIR = Path(os.environ.get("OCDS_SCHEMA_DIR") or Path(__file__).resolve().parents[3] / "shared/data/ocds")


@pytest.fixture(scope="module")
def validator():
    package_path, release_path = SCHEMA_DIR / "release-package-schema.json", SCHEMA_DIR / "release-schema.json"
    if not (package_path.is_file() and release_path.is_file()):
        pytest.skip(f"OCDS schemas not found in {SCHEMA_DIR} (set OCDS_SCHEMA_DIR to the folder holding "
                    "release-package-schema.json and release-schema.json)")
    package, release = (json.loads(p.read_text()) for p in (package_path, release_path))
    # The package schema refers to the release schema by its URL: serve that URL from the file.
    registry = Registry().with_resources([(schema["id"], DRAFT4.create_resource(schema))
                                          for schema in (package, release)])
    return Draft4Validator(package, registry=registry, format_checker=Draft4Validator.FORMAT_CHECKER)


def paid_purchase(*, rejected: int = 0, pkp: bool = True):
    t = team()
    shop = ShopFactory(is_pkp=pkp, delivery_fee_amount=15_000)
    [purchase] = agency_order(t, BudgetLineFactory(agency=t.agency),
                              [(ProductFactory(shop=shop, price_amount=500_000), 6)])
    services.approve_purchase(purchase, t.ppk)
    services.accept_sp(purchase, shop.owner)
    orders.ship_seller_order(purchase.seller_order, shop.owner, courier="Kurir toko", tracking_number=None)
    services.sign_bast(purchase, t.ppk, rejected={purchase.seller_order.lines[0].id: rejected}, note="rusak")
    services.record_payment(purchase, t.treasurer, paid_on=jakarta_today(), reference="SP2D-00012/LS/2026",
                            amount=purchase.net_amount)
    db.session.commit()
    return purchase


def test_releases_validate_and_describe_the_purchase(client, ctx, validator):
    first, second = paid_purchase(rejected=1), paid_purchase(pkp=False)
    other = team()
    agency_order(other, BudgetLineFactory(agency=other.agency), [(ProductFactory(), 1)])  # unpaid: not published
    response = client.get("/api/ocds/releases")
    assert response.status_code == 200 and response.mimetype == "application/json"
    package = response.get_json()
    errors = sorted(validator.iter_errors(package), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]
    broken = json.loads(json.dumps(package))
    broken["releases"][0]["tag"], broken["releases"][1]["date"] = ["paid"], "23/11/2026"
    assert len(list(validator.iter_errors(broken))) == 2            # the validator checks values and formats

    assert [r["ocid"] for r in package["releases"]] == [f"ocds-bebeli-{p.sp_number}" for p in (first, second)]
    release = package["releases"][0]
    assert release["buyer"] == {"id": f"OPD-{first.agency.code}", "name": first.agency.name}
    [award], [contract] = release["awards"], release["contracts"]
    # 5 of 6 accepted at Rp 500.000 = 2.500.000 + PPN 275.000 + delivery 15.000
    assert award["value"] == {"amount": 2_790_000, "currency": "IDR"} == contract["value"]
    assert award["suppliers"] == [{"id": f"NIB-{first.shop.nib}", "name": first.shop.name}]
    assert contract["awardID"] == award["id"] and contract["id"] == first.sp_number
    assert contract["items"][0]["quantity"] == 5
    [transaction] = contract["implementation"]["transactions"]
    assert transaction["value"] == {"amount": first.net_amount, "currency": "IDR"}
    assert transaction["payee"]["id"] == f"NIB-{first.shop.nib}"

    text = response.get_data(as_text=True)
    for private in (first.shop.nik, first.shop.phone, first.shop.bank_account_number):
        assert private not in text


def test_since_filters_and_bad_input_is_a_json_error(client, ctx, validator):
    purchase = paid_purchase()
    later = (purchase.paid_at + timedelta(seconds=1)).isoformat()
    nothing = client.get("/api/ocds/releases", query_string={"since": later})
    assert nothing.status_code == 204 and nothing.data == b""  # a package needs one release at least
    earlier = (purchase.paid_at - timedelta(days=1)).date().isoformat()
    package = client.get("/api/ocds/releases", query_string={"since": earlier}).get_json()
    assert len(package["releases"]) == 1 and not list(validator.iter_errors(package))
    bad = client.get("/api/ocds/releases", query_string={"since": "kemarin"})
    assert bad.status_code == 400 and bad.get_json()["error"] == "invalid_since"


def test_the_feed_pages_by_cursor_without_gaps_or_repeats(app, client, ctx, validator, monkeypatch):
    monkeypatch.setitem(app.config, "OCDS_PAGE_SIZE", 2)
    purchases = [paid_purchase() for _ in range(3)]
    first = client.get("/api/ocds/releases")
    assert first.status_code == 200 and not list(validator.iter_errors(first.get_json()))
    assert 'rel="next"' in first.headers["Link"]
    next_url = first.headers["Link"].split(">")[0].lstrip("<")
    second = client.get(next_url)
    assert second.status_code == 200 and "Link" not in second.headers
    assert not list(validator.iter_errors(second.get_json()))
    ocids = [r["ocid"] for page in (first, second) for r in page.get_json()["releases"]]
    assert ocids == [f"ocds-bebeli-{p.sp_number}" for p in purchases]

    newer = paid_purchase()  # paid after the harvester's last page: the same link now finds it
    third = client.get(next_url)
    assert [r["ocid"] for r in third.get_json()["releases"]] == [f"ocds-bebeli-{p.sp_number}" for p in (purchases[2], newer)]
    bad = client.get("/api/ocds/releases", query_string={"after": "x_1"})
    assert bad.status_code == 400 and bad.get_json()["error"] == "invalid_after"
