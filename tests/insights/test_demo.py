"""`flask seed-demo` gives the demo seller twelve months of history, once, consistent with a
rebuild and with every invariant."""
import sqlalchemy as sa

from bebeli.dates import jakarta_today
from bebeli.extensions import db
from bebeli.insights import services
from bebeli.insights.ledger import rebuild
from bebeli.insights.models import InsightShopMonth
from bebeli.invariants import violations
from bebeli.orders.models import Order
from bebeli.pageviews.models import ProductViewsDaily
from bebeli.sellers.models import Shop


def _rows():
    db.session.expire_all()
    return sorted((r.shop_id, r.month, r.channel, r.agency_id, r.revenue_amount, r.orders, r.units)
                  for r in db.session.scalars(sa.select(InsightShopMonth)) if r.orders or r.revenue_amount)


def test_the_demo_seller_has_a_year_of_sales(app, ctx, client):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    orders = db.session.scalar(sa.select(sa.func.count()).select_from(Order))
    shop = db.session.scalar(sa.select(Shop).where(Shop.name == "Keripik Bu Sari"))
    sales = services.sales(shop, jakarta_today())
    with_sales = [r for r in sales["rows"] if r["revenue"] > 0]
    assert len(with_sales) >= 11 and sales["total"]["agency"] > 0 and len(sales["agencies"]) == 2
    assert with_sales[-2]["revenue"] > with_sales[0]["revenue"]  # growing
    assert violations() == []

    views = db.session.scalar(sa.select(sa.func.sum(ProductViewsDaily.views)))
    assert views > 0
    assert runner.invoke(args=["seed-demo"]).exit_code == 0  # a second run changes nothing
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Order)) == orders
    assert db.session.scalar(sa.select(sa.func.sum(ProductViewsDaily.views))) == views
    incremental = _rows()
    rebuild()
    db.session.commit()
    assert _rows() == incremental

    client.login("seller@bebeli.test", "Bebeli-Demo-2026")
    page = client.get("/toko/wawasan")
    assert page.status_code == 200
    assert 'data-testid="products-viewed"' in page.get_data(as_text=True)  # demo views, with conversion
