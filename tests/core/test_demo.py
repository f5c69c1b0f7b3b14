"""`flask seed-demo`: one account per role, a catalog worth clicking through, orders in several
states, and a second run that changes nothing."""
import sqlalchemy as sa

from bebeli.auth.models import Role, RoleAssignment, User
from bebeli.catalog.models import Product, ProductImage, ProductStatus
from bebeli.extensions import db
from bebeli.orders.models import FulfilmentStatus, Order, SellerOrder
from bebeli.procurement.models import AgencyPurchase, Stage
from bebeli.sellers.models import Shop, ShopStatus
from tests.procurement.ocds_schema import package_validator, schema_errors


def _count(stmt) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery()))


def _snapshot() -> dict:
    return {table: _count(sa.select(model)) for table, model in
            (("users", User), ("shops", Shop), ("products", Product), ("images", ProductImage), ("orders", Order),
             ("agency purchases", AgencyPurchase))}


def test_seed_demo_loads_every_role_a_catalog_and_orders_once(app, ctx, client):
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

    # One agency purchase taken through every step, so the open-data feed has something to show.
    [purchase] = db.session.scalars(sa.select(AgencyPurchase)).all()
    assert purchase.stage == Stage.PAID and purchase.pph22_amount > 0 and purchase.paid_amount == purchase.net_amount
    feed = client.get("/api/ocds/releases")
    assert feed.status_code == 200, feed.status_code
    package = feed.get_json()
    assert not schema_errors(package_validator(), package)
    assert [r["tag"][0] for r in package["releases"]] == ["award", "implementation", "implementation"]
    assert package["releases"][-1]["contracts"][0]["status"] == "terminated"

    before = _snapshot()
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0, again.output
    db.session.expire_all()
    assert _snapshot() == before
