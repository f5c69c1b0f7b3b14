"""`flask seed-demo`: one account per role, a catalog worth clicking through, orders in several
states, and a second run that changes nothing."""
import sqlalchemy as sa

from bebeli.auth.models import Role, RoleAssignment, User
from bebeli.catalog.models import Product, ProductImage, ProductStatus
from bebeli.extensions import db
from bebeli.orders.models import FulfilmentStatus, Order, SellerOrder
from bebeli.sellers.models import Shop, ShopStatus


def _count(stmt) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery()))


def _snapshot() -> dict:
    return {table: _count(sa.select(model)) for table, model in
            (("users", User), ("shops", Shop), ("products", Product), ("images", ProductImage), ("orders", Order))}


def test_seed_demo_loads_every_role_a_catalog_and_orders_once(app, ctx):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "Bebeli-Demo-2026" in result.output

    roles = set(db.session.scalars(sa.select(RoleAssignment.role).distinct()))
    assert roles >= {Role.ADMIN, Role.AGENCY_ADMIN, Role.BUYER, Role.SELLER, Role.PP, Role.PPK, Role.TREASURER}
    verified = db.session.scalars(sa.select(Shop).where(Shop.status == ShopStatus.VERIFIED)).all()
    assert len(verified) >= 6 and len({shop.kecamatan for shop in verified}) >= 4
    assert _count(sa.select(Shop).where(Shop.status == ShopStatus.PENDING)) == 1
    published = _count(sa.select(Product).where(Product.status == ProductStatus.PUBLISHED))
    assert 50 <= published <= 80
    assert _count(sa.select(ProductImage)) >= published  # every listing has a generated image

    statuses = {(so.shop.owner.email, so.status) for so in db.session.scalars(sa.select(SellerOrder))}
    assert ("seller@bebeli.test", FulfilmentStatus.PAID) in statuses  # the demo seller has one to accept
    assert {status for _, status in statuses} >= {FulfilmentStatus.PAID, FulfilmentStatus.SHIPPED,
                                                  FulfilmentStatus.COMPLETED, FulfilmentStatus.AWAITING_PAYMENT}

    before = _snapshot()
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0, again.output
    db.session.expire_all()
    assert _snapshot() == before
