"""Only the Dinas's administrators see the growth page and its exports: an agency admin, a
seller and an ASN buyer are refused, visitors sent to the login page."""
from __future__ import annotations

import pytest

from tests.factories import AgencyFactory, AsnFactory, admin, agency_admin

URLS = ["/admin/pertumbuhan", "/admin/pertumbuhan/ekspor/toko-teratas.csv",
        "/admin/pertumbuhan/ekspor/kecamatan.xlsx"]


def test_admin_reaches_the_page_from_the_admin_dashboard(client, town):
    client.login(admin())
    dashboard = client.get("/admin/").get_data(as_text=True)
    assert 'href="/admin/pertumbuhan"' in dashboard and "Pertumbuhan UMKM" in dashboard
    for url in URLS:
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("who", ["agency_admin", "seller", "asn"])
def test_others_are_refused(client, town, who):
    account = {
        "agency_admin": lambda: agency_admin(AgencyFactory()),
        "seller": lambda: town["a"].owner,
        "asn": lambda: AsnFactory().user,
    }[who]()
    client.login(account)
    for url in URLS:
        response = client.get(url)
        assert response.status_code == 403, (who, url)
        assert "Toko Cempaka" not in response.get_data(as_text=True)
    assert "/admin/pertumbuhan" not in client.get("/").get_data(as_text=True)


def test_visitors_are_sent_to_the_login_page(client, town):
    for url in URLS:
        response = client.get(url)
        assert response.status_code == 302 and "/masuk" in response.location


def test_the_page_stands_before_any_shop_sold(client, ctx):
    client.login(admin())
    html = client.get("/admin/pertumbuhan").get_data(as_text=True)
    assert 'data-testid="stat-shops">0<' in html and 'data-testid="stat-gini">–<' in html
    assert client.get("/admin/pertumbuhan/ekspor/toko-teratas.xlsx").status_code == 200
