"""What insights read: views per product since a day, per month of a shop, and products left in carts."""
from datetime import date, datetime, timedelta, timezone

from bebeli.cart.models import CartLine
from bebeli.extensions import db
from bebeli.pageviews.models import ProductViewsDaily
from bebeli.pageviews.queries import LeftInCarts, left_in_carts, views_by_product, views_by_shop_month
from tests.factories import AsnFactory, ProductFactory, ShopFactory


def _views(product, day: date, views: int) -> None:
    db.session.add(ProductViewsDaily(product_id=product.id, day=day, views=views))


def test_views_by_product_and_by_month_count_only_the_shop_s_own(ctx):
    shop, other_shop = ShopFactory(), ShopFactory()
    kopi, teh, never = (ProductFactory(shop=shop) for _ in range(3))
    stranger = ProductFactory(shop=other_shop)
    _views(kopi, date(2026, 10, 31), 5)
    _views(kopi, date(2026, 11, 1), 2)
    _views(kopi, date(2026, 11, 30), 3)
    _views(teh, date(2026, 12, 3), 4)
    _views(stranger, date(2026, 11, 15), 100)
    db.session.commit()

    assert views_by_product(shop.id, date(2026, 11, 1)) == {kopi.id: 5, teh.id: 4}
    assert views_by_product(shop.id, date(2026, 1, 1)) == {kopi.id: 10, teh.id: 4}
    assert views_by_product(shop.id, date(2026, 12, 4)) == {}
    assert never.id not in views_by_product(shop.id, date(2026, 1, 1))
    assert views_by_shop_month(shop.id) == [(date(2026, 10, 1), 5), (date(2026, 11, 1), 5), (date(2026, 12, 1), 4)]
    assert views_by_shop_month(other_shop.id) == [(date(2026, 11, 1), 100)]


def test_left_in_carts_counts_carts_now_and_those_older_than_the_threshold(ctx):
    now = datetime(2026, 12, 3, 10, 0, tzinfo=timezone.utc)
    shop = ShopFactory()
    kopi, teh, unsold = (ProductFactory(shop=shop, name=name) for name in ("Kopi", "Teh", "Gula"))
    stranger = ProductFactory()
    buyers = [AsnFactory().user for _ in range(3)]
    for buyer, product, age in ((buyers[0], kopi, 10), (buyers[1], kopi, 8), (buyers[2], kopi, 1),
                                (buyers[0], teh, 2), (buyers[1], stranger, 30)):
        db.session.add(CartLine(buyer_id=buyer.id, product_id=product.id, quantity=1, price_seen_amount=25_000,
                                created_at=now - timedelta(days=age)))
    db.session.commit()

    assert left_in_carts(shop.id, 7, now=now) == [LeftInCarts(kopi.id, "Kopi", 3, 2), LeftInCarts(teh.id, "Teh", 1, 0)]
    # "More than a day": the line added exactly a day ago is not yet left.
    assert left_in_carts(shop.id, 1, now=now) == [LeftInCarts(kopi.id, "Kopi", 3, 2), LeftInCarts(teh.id, "Teh", 1, 1)]
    assert left_in_carts(shop.id, 30, now=now)[0] == LeftInCarts(kopi.id, "Kopi", 3, 0)
    assert unsold.id not in {row.product_id for row in left_in_carts(shop.id, now=now)}
    assert left_in_carts(ShopFactory().id, now=now) == []
