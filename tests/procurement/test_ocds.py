"""Agency purchases published as OCDS 1.1 releases at each step (Surat Pesanan, BAST, each
payment, cancellation), validated against the official release package schema, read from disk
(never fetched)."""
import json
from datetime import timedelta

import pytest

from bebeli.dates import jakarta_today
from bebeli.extensions import db
from bebeli import lifecycle
from bebeli.procurement import services
from tests.factories import ProductFactory, ShopFactory
from tests.procurement.factories import BudgetLineFactory, agency_order, team
from tests.procurement.ocds_schema import package_validator, schema_errors

FEED = "/api/ocds/releases"


@pytest.fixture(scope="module")
def validator():
    return package_validator()


def approved_purchase(*, pkp: bool = True, shipped: bool = False):
    """Six items at Rp 500.000 from one shop; the PPK has signed the Surat Pesanan."""
    t = team()
    shop = ShopFactory(is_pkp=pkp, delivery_fee_amount=15_000)
    [purchase] = agency_order(t, BudgetLineFactory(agency=t.agency),
                              [(ProductFactory(shop=shop, price_amount=500_000), 6)])
    services.approve_purchase(purchase, t.ppk)
    if shipped:
        services.accept_sp(purchase, shop.owner)
        lifecycle.ship_seller_order(purchase.seller_order, shop.owner, courier="Kurir toko", tracking_number=None)
    db.session.commit()
    return t, purchase


def received_purchase(*, rejected: int = 0, pkp: bool = True):
    t, purchase = approved_purchase(pkp=pkp, shipped=True)
    services.sign_bast(purchase, t.ppk, rejected={purchase.seller_order.lines[0].id: rejected}, note="rusak")
    db.session.commit()
    return t, purchase


def pay(t, purchase, amount: int | None = None, reference: str = "SP2D-00012/LS/2026"):
    services.record_payment(purchase, t.treasurer, paid_on=jakarta_today(), reference=reference,
                            amount=purchase.outstanding_amount if amount is None else amount)
    db.session.commit()


def paid_purchase(*, rejected: int = 0, pkp: bool = True):
    t, purchase = received_purchase(rejected=rejected, pkp=pkp)
    pay(t, purchase)
    return purchase


def feed(client, validator, **query) -> list[dict]:
    """The releases of one page of the feed, after checking the package against the schema."""
    response = client.get(FEED, query_string=query)
    assert response.status_code == 200 and response.mimetype == "application/json", response.status_code
    package = response.get_json()
    assert not schema_errors(validator, package)
    return package["releases"]


def test_a_purchase_is_published_at_each_step_and_earlier_releases_never_change(client, ctx, validator):
    assert client.get(FEED).status_code == 204  # nothing signed yet
    t, purchase = approved_purchase()
    ocid = f"ocds-bebeli-{purchase.sp_number}"

    # The Surat Pesanan signed: the award and the contract, at the Surat Pesanan's value.
    [signed] = feed(client, validator)
    assert signed["ocid"] == ocid and signed["id"] == f"{ocid}-sp" and signed["tag"] == ["award", "contract"]
    [award], [contract] = signed["awards"], signed["contracts"]
    # 6 × Rp 500.000 = 3.000.000 + PPN 330.000 + delivery 15.000
    assert award["status"] == "active" and award["value"] == {"amount": 3_345_000, "currency": "IDR"}
    assert award["suppliers"] == [{"id": f"NIB-{purchase.shop.nib}", "name": purchase.shop.name}]
    assert contract["status"] == "active" and contract["id"] == purchase.sp_number
    assert contract["awardID"] == award["id"] and contract["value"] == award["value"]
    assert contract["items"][0]["quantity"] == 6 and "implementation" not in contract
    assert signed["buyer"] == {"id": f"OPD-{purchase.agency.code}", "name": purchase.agency.name}

    services.accept_sp(purchase, purchase.shop.owner)
    lifecycle.ship_seller_order(purchase.seller_order, purchase.shop.owner, courier="Kurir toko", tracking_number=None)
    db.session.commit()
    assert feed(client, validator) == [signed]  # accepting and shipping publish nothing new

    # The BAST refuses one item: the contract is amended to what was accepted.
    services.sign_bast(purchase, t.ppk, rejected={purchase.seller_order.lines[0].id: 1}, note="rusak")
    db.session.commit()
    first, bast = feed(client, validator)
    assert first == signed
    assert bast["id"] == f"{ocid}-bast" and bast["tag"] == ["implementation", "contractAmendment"]
    [contract] = bast["contracts"]
    # 5 × Rp 500.000 = 2.500.000 + PPN 275.000 + delivery 15.000
    assert contract["value"]["amount"] == 2_790_000 and contract["items"][0]["quantity"] == 5
    assert contract["amendments"][0]["amendsReleaseID"] == signed["id"]
    assert contract["implementation"]["milestones"][0]["status"] == "met"
    assert "transactions" not in contract["implementation"]
    assert bast["awards"] == signed["awards"]  # the award stays as awarded

    # The treasurer pays in two parts: each payment is published with the transactions so far.
    pay(t, purchase, amount=1_000_000, reference="SP2D-0001/2026")
    *before, part = feed(client, validator)
    assert before == [signed, bast]
    assert part["tag"] == ["implementation"] and part["contracts"][0]["status"] == "active"
    [transaction] = part["contracts"][0]["implementation"]["transactions"]
    assert transaction["value"] == {"amount": 1_000_000, "currency": "IDR"} and transaction["source"] == "SP2D"
    assert transaction["payee"]["id"] == f"NIB-{purchase.shop.nib}"

    pay(t, purchase, reference="Transfer 778")
    *before, last = feed(client, validator)
    assert before == [signed, bast, part]
    assert last["tag"] == ["implementation", "contractTermination"]
    [contract] = last["contracts"]
    assert contract["status"] == "terminated"
    assert [tr["value"]["amount"] for tr in contract["implementation"]["transactions"]] == [1_000_000, purchase.net_amount - 1_000_000]
    assert len({r["id"] for r in (signed, bast, part, last)}) == 4
    assert [r["date"] for r in (signed, bast, part, last)] == sorted(r["date"] for r in (signed, bast, part, last))

    text = client.get(FEED).get_data(as_text=True)
    for private in (purchase.shop.nik, purchase.shop.phone, purchase.shop.bank_account_number):
        assert private not in text


def test_a_surat_pesanan_the_seller_rejects_is_published_cancelled(client, ctx, validator):
    t, purchase = approved_purchase()
    services.reject_sp(purchase, purchase.shop.owner, "Stok habis")
    db.session.commit()
    signed, cancelled = feed(client, validator)
    assert signed["tag"] == ["award", "contract"] and signed["awards"][0]["status"] == "active"
    assert cancelled["tag"] == ["awardCancellation", "contractUpdate"]
    assert cancelled["awards"][0]["status"] == "cancelled" and cancelled["contracts"][0]["status"] == "cancelled"
    other = team()
    agency_order(other, BudgetLineFactory(agency=other.agency), [(ProductFactory(), 1)])  # not signed: unpublished
    assert len(feed(client, validator)) == 2


def test_a_full_bast_is_not_an_amendment_and_the_validator_bites(client, ctx, validator):
    paid_purchase(pkp=False)
    response = client.get(FEED)
    package = response.get_json()
    signed, bast, paid = package["releases"]
    assert bast["tag"] == ["implementation"] and "amendments" not in bast["contracts"][0]
    assert paid["tag"] == ["implementation", "contractTermination"]
    assert package["publishedDate"] == paid["date"]
    broken = json.loads(json.dumps(package))
    broken["releases"][0]["tag"], broken["releases"][1]["date"] = ["paid"], "23/11/2026"
    assert len(list(validator.iter_errors(broken))) == 2            # the validator checks values and formats


def test_since_filters_and_bad_input_is_a_json_error(client, ctx, validator):
    purchase = paid_purchase()
    last = purchase.payments[-1].recorded_at
    nothing = client.get(FEED, query_string={"since": (last + timedelta(seconds=1)).isoformat()})
    assert nothing.status_code == 204 and nothing.data == b""  # a package needs one release at least
    assert [r["id"] for r in feed(client, validator, since=last.isoformat())] == [
        f"ocds-bebeli-{purchase.sp_number}-bayar-{purchase.payments[-1].id}"]
    earlier = (purchase.approved_at - timedelta(days=1)).date().isoformat()
    assert len(feed(client, validator, since=earlier)) == 3
    bad = client.get(FEED, query_string={"since": "kemarin"})
    assert bad.status_code == 400 and bad.get_json()["error"] == "invalid_since"


def test_the_feed_pages_by_cursor_without_gaps_or_repeats(app, client, ctx, validator, monkeypatch):
    monkeypatch.setitem(app.config, "OCDS_PAGE_SIZE", 2)
    paid = paid_purchase()                       # three releases: SP, BAST, payment
    t, signed = approved_purchase()              # one: SP
    seen, url = [], FEED
    while url:
        response = client.get(url)
        assert response.status_code == 200 and not list(validator.iter_errors(response.get_json()))
        seen += [r["id"] for r in response.get_json()["releases"]]
        link = response.headers.get("Link")
        url = link.split(">")[0].lstrip("<") if link else None
    expected = [f"ocds-bebeli-{paid.sp_number}-{s}" for s in ("sp", "bast", f"bayar-{paid.payments[0].id}")]
    assert sorted(seen) == sorted(expected + [f"ocds-bebeli-{signed.sp_number}-sp"]) and len(seen) == 4

    # A harvester that stopped after the first page continues there and also finds what is new.
    first = client.get(FEED)
    next_url = first.headers["Link"].split(">")[0].lstrip("<")
    services.reject_sp(signed, signed.shop.owner, "Stok habis")
    db.session.commit()
    rest = []
    while next_url:
        response = client.get(next_url)
        rest += [r["id"] for r in response.get_json()["releases"]]
        link = response.headers.get("Link")
        next_url = link.split(">")[0].lstrip("<") if link else None
    assert [r["id"] for r in first.get_json()["releases"]] + rest == seen + [f"ocds-bebeli-{signed.sp_number}-batal"]
    bad = client.get(FEED, query_string={"after": "x_1"})
    assert bad.status_code == 400 and bad.get_json()["error"] == "invalid_after"
