"""Cart and checkout limits at their edges: CART_MAX_LINES lines and CART_MAX_QUANTITY of one
product fit, one more does not; a quantity of exactly the minimum order or exactly the stock is
fine, one short or one over is not; an order just under the largest amount one payment may carry
is placed, one of exactly that amount is refused."""
import pytest

from bebeli.cart.services import add_to_cart, cart_key, line_problem, set_quantity
from bebeli.errors import OutOfStock, ValidationFailed
from bebeli.extensions import db
from bebeli.money import MAX_AMOUNT
from bebeli.orders.models import FulfilmentMethod
from bebeli.lifecycle import place_order, same_choice_for_every_shop
from tests.factories import ProductFactory, ShopFactory
from tests.orders.factories import asn_buyer


def test_a_cart_holds_exactly_cart_max_lines(ctx, data_app):
    limit = data_app.config["CART_MAX_LINES"]
    buyer, shop = asn_buyer(), ShopFactory()
    products = [ProductFactory(shop=shop) for _ in range(limit + 1)]
    for product in products[:limit]:
        add_to_cart(buyer, product, 1)
    db.session.commit()
    with pytest.raises(ValidationFailed):
        add_to_cart(buyer, products[limit], 1)
    assert add_to_cart(buyer, products[0], 1).quantity == 2   # a full cart still takes more of what it holds


@pytest.mark.parametrize("quantity,allowed", [(0, False), (1, True), (9_999, True), (10_000, False)])
def test_one_line_holds_up_to_cart_max_quantity(ctx, config, quantity, allowed):
    config("CART_MAX_QUANTITY", 9_999)
    buyer, product = asn_buyer(), ProductFactory(stock=20_000)
    if allowed:
        assert add_to_cart(buyer, product, quantity).quantity == quantity
        assert set_quantity(buyer, product.id, quantity).quantity == quantity
    else:
        with pytest.raises(ValidationFailed):
            add_to_cart(buyer, product, quantity)


@pytest.mark.parametrize("more,allowed", [(1, True), (2, False)])
def test_adding_to_a_line_counts_what_it_holds(ctx, config, more, allowed):
    config("CART_MAX_QUANTITY", 9_999)
    buyer, product = asn_buyer(), ProductFactory(stock=20_000)
    add_to_cart(buyer, product, 9_998)
    if allowed:
        assert add_to_cart(buyer, product, more).quantity == 9_999
    else:
        with pytest.raises(ValidationFailed):
            add_to_cart(buyer, product, more)


@pytest.mark.parametrize("quantity,allowed", [(9, False), (10, True), (11, True)])
def test_at_least_the_minimum_order(ctx, quantity, allowed):
    buyer, product = asn_buyer(), ProductFactory(min_order_qty=10, stock=100)
    if allowed:
        assert add_to_cart(buyer, product, quantity).quantity == quantity
    else:
        with pytest.raises(ValidationFailed):
            add_to_cart(buyer, product, quantity)


@pytest.mark.parametrize("quantity,allowed", [(4, True), (5, True), (6, False)])
def test_at_most_the_stock(ctx, quantity, allowed):
    buyer, product = asn_buyer(), ProductFactory(stock=5)
    if allowed:
        assert add_to_cart(buyer, product, quantity).quantity == quantity
    else:
        with pytest.raises(OutOfStock):
            add_to_cart(buyer, product, quantity)


@pytest.mark.parametrize("stock,minimum,problem", [
    (6, 1, None), (5, 1, None), (4, 1, "stock_short"), (0, 1, "out_of_stock"),
    (10, 5, None), (10, 6, "below_minimum"),
])
def test_what_the_cart_reports_when_the_catalog_changed(ctx, stock, minimum, problem):
    buyer, product = asn_buyer(), ProductFactory(stock=10)
    line = add_to_cart(buyer, product, 5)
    product.stock, product.min_order_qty = stock, minimum
    assert line_problem(line)[0] == problem


@pytest.mark.parametrize("total,allowed", [(MAX_AMOUNT - 1, True), (MAX_AMOUNT, False)])
def test_one_order_stays_below_the_largest_payment(ctx, total, allowed):
    buyer = asn_buyer()
    product = ProductFactory(shop=ShopFactory(is_pkp=False, delivery_fee_amount=0), price_amount=total, stock=1)
    add_to_cart(buyer, product, 1)
    choices = same_choice_for_every_shop(buyer, FulfilmentMethod.PICKUP)
    if allowed:
        order, created = place_order(buyer, choices, idempotency_key=cart_key(buyer))
        assert created and order.total_amount == total
    else:
        with pytest.raises(ValidationFailed):
            place_order(buyer, choices, idempotency_key=cart_key(buyer))
