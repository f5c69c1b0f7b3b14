"""The growth page over summaries written by real orders (tests/insights/world.py): personal
and agency purchases, a complaint refund, items refused at receipt, a rejected part. Its
months are fixed (October and November 2026), so the figures count whichever of them fall in
the page's trailing 12 months."""
from __future__ import annotations

import pytest

from bebeli.dates import jakarta_today, month_start
from bebeli.extensions import db
from bebeli.quotas.obligations import last_months
from tests.factories import admin
from tests.growth.tables import page_table
from tests.insights.world import NOV, OCT, build


@pytest.fixture
def ctx(data_app):
    """Inside a request context: the order services format translated messages."""
    with data_app.test_request_context():
        yield
        db.session.rollback()


def in_window(per_month: dict) -> int:
    window = last_months(month_start(jakarta_today()), 12)
    return sum(amount for month, amount in per_month.items() if month in window)


def rp(amount: int) -> str:
    return "Rp\u00a0" + f"{amount:,}".replace(",", ".")


def test_sales_follow_the_orders_after_refunds_refusals_and_rejections(client, ctx):
    world = build()
    # Shop A: October 55.000 less a 5.000 refund; November 10.000 (one of two refused) + 0
    # (rejected) + 50.000 (agency). Shop B: 7.000 in November.
    a1 = in_window({OCT: 27_273, NOV: 10_000 + 50_000})
    a2 = in_window({OCT: 22_727})
    b1 = in_window({NOV: 7_000})
    client.login(admin())
    html = client.get("/admin/pertumbuhan").get_data(as_text=True)
    kecamatan = page_table(html, "penjualan-kecamatan")["tbody"]
    assert kecamatan[0][:2] == ["Cikarang Utara", rp(a1 + a2 + b1)]
    categories = {row[0]: row[1] for row in page_table(html, "penjualan-kategori")["tbody"]}
    expected = {p.category.name: rp(v) for p, v in ((world.a1, a1), (world.a2, a2), (world.b1, b1)) if v}
    assert categories == expected
    top = {row[1]: row[3] for row in page_table(html, "toko-teratas")["tbody"]}
    assert top == {s.name: rp(v) for s, v in ((world.shop, a1 + a2), (world.other_shop, b1)) if v}
