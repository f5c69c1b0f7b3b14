"""Agency procurement fixtures: an agency's officials, budget lines, and agency orders placed
through the real cart and checkout services."""
from __future__ import annotations

from dataclasses import dataclass

import factory

from bebeli.auth.models import Role, User
from bebeli.cart.services import add_to_cart, cart_key
from bebeli.dates import jakarta_today
from bebeli.directory.models import Agency
from bebeli.extensions import db
from bebeli.procurement.models import AgencyPurchase, BudgetLine
from bebeli import lifecycle
from bebeli.procurement import services
from bebeli.procurement.checkout import place_agency_order
from tests.factories import AgencyFactory, Base, ProductFactory, ShopFactory, UserFactory


@dataclass
class Team:
    agency: Agency
    pp: User
    ppk: User
    treasurer: User


def team(agency: Agency | None = None) -> Team:
    agency = agency or AgencyFactory(address="Jl. Teuku Umar No. 1, Cikarang Pusat")
    people = [UserFactory(roles=[role], roles__agency_id=agency.id) for role in (Role.PP, Role.PPK, Role.TREASURER)]
    return Team(agency, *people)


class BudgetLineFactory(Base):
    class Meta:
        model = BudgetLine

    agency = factory.SubFactory(AgencyFactory)
    fiscal_year = factory.LazyFunction(lambda: jakarta_today().year)
    code = factory.Sequence(lambda n: f"5.1.02.01.01.{n:04d}")
    name = factory.Sequence(lambda n: f"Belanja uji {n}")
    pagu_amount = 100_000_000
    used_amount = 0


def buying_setup(pagu_amount: int, *, is_pkp: bool, delivery_fee_amount: int, price_amount: int, stock: int):
    """(team, budget line, shop, product): an agency ready to buy one product from one shop."""
    t = team()
    line = BudgetLineFactory(agency=t.agency, pagu_amount=pagu_amount)
    shop = ShopFactory(is_pkp=is_pkp, delivery_fee_amount=delivery_fee_amount)
    product = ProductFactory(shop=shop, price_amount=price_amount, stock=stock)
    return t, line, shop, product


def agency_order(t: Team, line: BudgetLine, items, *, pp: User | None = None, methods=None) -> list[AgencyPurchase]:
    """Put `items` [(product, quantity)] in the PP's cart and check out as an agency purchase
    (`methods`: {shop id: FulfilmentMethod}; by default delivered)."""
    pp = pp or t.pp
    for product, quantity in items:
        add_to_cart(pp, product, quantity)
    order, created = place_agency_order(pp, agency_id=t.agency.id, budget_line_id=line.id, ppk_id=t.ppk.id,
                                        delivery_address="Kantor Dinas, Cikarang Pusat", note=None,
                                        idempotency_key=cart_key(pp), methods=methods)
    assert created
    db.session.commit()
    return list(db.session.scalars(db.select(AgencyPurchase).where(AgencyPurchase.order_id == order.id)
                                   .order_by(AgencyPurchase.id)))


def agency_paid(check_between=lambda: None):
    """An agency purchase through to the treasurer's payment, in two parts."""
    t, line, shop, product = buying_setup(20_000_000, is_pkp=False, delivery_fee_amount=0,
                                          price_amount=100_000, stock=50)
    [purchase] = agency_order(t, line, [(product, 5)])
    services.approve_purchase(purchase, t.ppk)
    services.accept_sp(purchase, shop.owner)
    lifecycle.ship_seller_order(purchase.seller_order, shop.owner, courier="Kurir toko", tracking_number=None)
    services.sign_bast(purchase, t.ppk, rejected={}, note=None)
    db.session.commit()
    due = purchase.outstanding_amount
    services.record_payment(purchase, t.treasurer, paid_on=jakarta_today(), reference="SP2D-1", amount=due - 1)
    db.session.commit()
    check_between()
    services.record_payment(purchase, t.treasurer, paid_on=jakarta_today(), reference="SP2D-2", amount=1)
    db.session.commit()
    purchase.team = t
    return purchase
