"""Rules written once: each has one home, and where a rule has both an SQL form and a Python
form, the two agree."""
import itertools

import pytest
import sqlalchemy as sa

from bebeli.catalog.models import Product, ProductStatus
from bebeli.catalog.queries import is_orderable, orderable
from bebeli.extensions import db
from bebeli.sellers.models import ShopStatus
from tests.factories import ProductFactory, ShopFactory


def test_orderable_sql_and_predicate_agree_on_every_combination(ctx):
    """Every product status × taken down or not × every shop status: the rows the SQL
    condition selects are exactly those the predicate accepts."""
    combos = list(itertools.product(ProductStatus, (False, True), ShopStatus))
    shops = {status: ShopFactory(status=status) for status in ShopStatus}
    made = {}
    for product_status, taken_down, shop_status in combos:
        product = ProductFactory(shop=shops[shop_status], status=product_status, taken_down=taken_down)
        made[product.id] = (product_status, taken_down, shop_status)
    db.session.flush()
    db.session.expire_all()

    by_sql = set(db.session.scalars(sa.select(Product.id).where(*orderable())))
    by_predicate = {product.id for product in db.session.scalars(sa.select(Product)) if is_orderable(product)}

    assert by_sql == by_predicate
    assert {made[i] for i in by_sql} == {(ProductStatus.PUBLISHED, False, ShopStatus.VERIFIED)}
    assert len(made) == len(combos)


def test_stock_take_refuses_a_product_whose_shop_is_no_longer_verified(ctx):
    """The checkout's conditional UPDATE carries the same condition, shop check included."""
    product = ProductFactory(stock=5)
    db.session.flush()
    product.shop.status = ShopStatus.SUSPENDED
    db.session.flush()
    result = db.session.execute(
        sa.update(Product).where(Product.id == product.id, *orderable())
        .values(stock=Product.stock - 1).execution_options(synchronize_session=False)
    )
    assert result.rowcount == 0


@pytest.mark.parametrize("bp,kwargs,text", [
    (8530, {}, "85,3%"), (8500, {}, "85%"), (8555, {}, "85,6%"), (None, {}, "–"),
    (1100, {"places": 2}, "11%"), (1150, {"places": 2}, "11,5%"), (1225, {"places": 2}, "12,25%"),
    (150, {"sign": False}, "1,5"), (250, {"places": 2, "sign": False, "none": ""}, "2,5"),
    (None, {"places": 2, "sign": False, "none": ""}, ""),
])
def test_one_percent_format(bp, kwargs, text):
    from bebeli.money import percent

    assert percent(bp, **kwargs) == text
