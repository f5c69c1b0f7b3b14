"""The low-stock threshold is set in the product form as rendered; the seller is mailed once
each time checkouts take the stock below it, and again only after it was restocked."""
import sqlalchemy as sa

from bebeli.extensions import db
from bebeli.mail.models import OutboundEmail
from tests.factories import AsnFactory, ProductFactory
from tests.pageforms import rendered_form
from tests.quotas.factories import checkout


def _mails(product):
    return db.session.scalars(sa.select(OutboundEmail).where(OutboundEmail.kind == "low_stock",
                                                             OutboundEmail.to == product.shop.owner.email)).all()


def _edit(client, product, **changes):
    url = f"/toko/produk/{product.id}"
    form = rendered_form(client.get(url).get_data(as_text=True), None)  # (the form posts to its own page)
    for name, value in changes.items():
        form.fill(name, str(value))
    response = client.post(url, data=form.data())
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]


def test_mailed_once_per_crossing(client, ctx):
    product = ProductFactory(stock=10, price_amount=5_000, name="Sambal roa")
    buyer = AsnFactory().user
    db.session.commit()
    client.login(product.shop.owner)
    _edit(client, product, low_stock_threshold=5)
    db.session.refresh(product)
    assert (product.low_stock_threshold, product.stock) == (5, 10)
    assert _mails(product) == []

    checkout(buyer, [(product, 6)])                # 10 → 4: below 5
    mails = _mails(product)
    assert len(mails) == 1 and "Sambal roa" in mails[0].subject and "tinggal 4" in mails[0].body
    checkout(buyer, [(product, 1)])                # 4 → 3: still below, no second mail
    assert len(_mails(product)) == 1

    _edit(client, product, stock=20)               # restocked: the alert is over
    assert len(_mails(product)) == 1
    checkout(buyer, [(product, 16)])               # 20 → 4: a new crossing
    assert len(_mails(product)) == 2


def test_dashboard_lists_products_below_their_threshold_only(client, ctx):
    product = ProductFactory(stock=3, low_stock_threshold=None)
    db.session.commit()
    client.login(product.shop.owner)
    assert 'data-testid="low-stock"' not in client.get("/toko/").get_data(as_text=True)
    _edit(client, product, low_stock_threshold=4)
    assert product.name in client.get("/toko/").get_data(as_text=True).split('data-testid="low-stock"')[1]


def test_a_negative_threshold_is_refused_as_rendered(client, ctx):
    product = ProductFactory(stock=3)
    db.session.commit()
    client.login(product.shop.owner)
    url = f"/toko/produk/{product.id}"
    form = rendered_form(client.get(url).get_data(as_text=True), None).fill("low_stock_threshold", "-1")
    response = client.post(url, data=form.data())
    assert response.status_code == 200  # the form again, with its error
    db.session.refresh(product)
    assert product.low_stock_threshold is None
