"""The verification workflow: approve, reject with a reason, resubmit, suspend, reinstate."""
import pytest

from bebeli.audit.models import AuditEvent
from bebeli.auth.models import Role
from bebeli.catalog.search import search_products
from bebeli.extensions import db
from bebeli.mail.models import OutboundEmail
from bebeli.sellers.models import ShopStatus
from tests.catalog.helpers import indexed_product
from tests.factories import AgencyFactory, ShopFactory, UserFactory, admin, agency_admin


def _actions(shop_id):
    return [e.action for e in db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.object_type == "shops", AuditEvent.object_id == str(shop_id))
        .order_by(AuditEvent.id))]


def _set_status(client, shop, status, reason=None):
    data = {"reason": reason} if reason is not None else {}
    return client.post_form(f"/toko/admin/{shop.id}/status/{status}", data, page=f"/toko/admin/{shop.id}")


def test_admin_approves_a_pending_shop_which_may_then_publish(client, other_client, ctx):
    shop = ShopFactory(status=ShopStatus.PENDING)
    product = indexed_product(shop=shop, name="Keripik Tempe Renyah", status="draft", published_at=None)
    reviewer = admin()
    client.login(reviewer)
    queue = client.get("/toko/admin/verifikasi").get_data(as_text=True)
    assert shop.name in queue

    assert _set_status(client, shop, "verified").status_code == 302
    db.session.refresh(shop)
    assert shop.status == ShopStatus.VERIFIED and shop.verified_by_id == reviewer.id and shop.verified_at
    assert _actions(shop.id)[-1] == "sellers.approved"
    mail = db.session.scalar(db.select(OutboundEmail).where(OutboundEmail.to == shop.owner.email))
    assert "terverifikasi" in mail.body

    other_client.login(shop.owner)
    other_client.post_form(f"/toko/produk/{product.id}/status/published", page=f"/toko/produk/{product.id}")
    assert [p.id for p in search_products("keripik tempe").items] == [product.id]


def test_reject_needs_a_reason_the_seller_sees_it_corrects_and_resubmits(client, other_client, ctx):
    shop = ShopFactory(status=ShopStatus.PENDING, nib="1111111111111")
    client.login(admin())
    page = client.get(f"/toko/admin/{shop.id}")
    assert _set_status(client, shop, "rejected", reason="").status_code == 302
    db.session.refresh(shop)
    assert shop.status == ShopStatus.PENDING  # refused: no reason given
    _set_status(client, shop, "rejected", reason="NIB tidak cocok dengan data OSS.")
    db.session.refresh(shop)
    assert shop.status == ShopStatus.REJECTED and shop.status_reason == "NIB tidak cocok dengan data OSS."

    other_client.login(shop.owner)
    dashboard = other_client.get("/toko/").get_data(as_text=True)
    assert "NIB tidak cocok dengan data OSS." in dashboard and "Ajukan ulang" in dashboard
    # While rejected the identity fields are open for correction.
    form = other_client.get("/toko/profil").get_data(as_text=True)
    assert 'name="nib"' in form
    data = {"name": shop.name, "owner_name": shop.owner_name, "nik": shop.nik, "nib": "2222222222222",
            "address": shop.address, "kecamatan": "Cikarang Utara", "kelurahan": "Karangasih", "phone": shop.phone,
            "bank_name": "Bank BJB", "bank_account_number": shop.bank_account_number,
            "bank_account_name": shop.owner_name, "offers_pickup": "y", "delivery_fee": "0"}
    assert other_client.post_form("/toko/profil", data).status_code == 302
    other_client.post_form("/toko/ajukan-ulang", page="/toko/")
    db.session.refresh(shop)
    assert shop.nib == "2222222222222" and shop.status == ShopStatus.PENDING and shop.status_reason is None
    assert _actions(shop.id)[-3:] == ["sellers.rejected", "sellers.profile_updated", "sellers.resubmitted"]
    assert page.status_code == 200


def test_suspension_hides_every_product_until_reinstated(client, ctx):
    shop = ShopFactory()
    product = indexed_product(shop=shop, name="Batik Cap Teratai")
    client.login(admin())
    assert [p.id for p in search_products("batik").items] == [product.id]
    _set_status(client, shop, "suspended", reason="Laporan produk palsu sedang diperiksa.")
    db.session.expire_all()
    assert search_products("batik").items == []
    assert client.get(f"/produk/{product.id}/{product.slug}").status_code == 200  # admins still see it
    client.logout()
    assert client.get(f"/produk/{product.id}/{product.slug}").status_code == 404
    assert client.get(f"/umkm/{shop.slug}").status_code == 404
    client.login(admin())
    _set_status(client, shop, "verified")
    db.session.expire_all()
    assert [p.id for p in search_products("batik").items] == [product.id]
    assert _actions(shop.id)[-2:] == ["sellers.suspended", "sellers.reinstated"]


@pytest.mark.parametrize("status,target", [
    (ShopStatus.VERIFIED, "verified"), (ShopStatus.PENDING, "suspended"), (ShopStatus.REJECTED, "verified"),
])
def test_illegal_moves_are_refused_with_a_message(client, ctx, status, target):
    shop = ShopFactory(status=status)
    client.login(admin())
    response = _set_status(client, shop, target, reason="alasan apa pun")
    assert response.status_code == 302
    assert "tidak dapat diubah" in client.get(response.location).get_data(as_text=True)
    db.session.refresh(shop)
    assert shop.status == status and _actions(shop.id) == []


def test_only_admins_reach_the_queue_and_decide(client, ctx):
    shop = ShopFactory(status=ShopStatus.PENDING)
    for user in (UserFactory(roles=[Role.SELLER]), UserFactory(roles=[Role.BUYER]), agency_admin(AgencyFactory())):
        client.login(user)
        assert client.get("/toko/admin/verifikasi").status_code == 403
        assert client.get(f"/toko/admin/{shop.id}").status_code == 403
        assert _set_status(client, shop, "verified").status_code == 403
        client.logout()
    db.session.refresh(shop)
    assert shop.status == ShopStatus.PENDING


def test_queue_filters_non_local_shops(client, ctx):
    ShopFactory(name="Toko Bekasi", is_local=True, status=ShopStatus.PENDING)
    ShopFactory(name="Toko Jakarta", is_local=False, status=ShopStatus.PENDING)
    client.login(admin())
    page = client.get("/toko/admin/verifikasi?status=pending&lokal=tidak").get_data(as_text=True)
    assert "Toko Jakarta" in page and "Toko Bekasi" not in page
    page = client.get("/toko/admin/verifikasi?status=semua").get_data(as_text=True)
    assert "Toko Jakarta" in page and "Toko Bekasi" in page


def test_a_verified_shop_keeps_its_identity_and_a_new_name_reaches_search(client, ctx):
    shop = ShopFactory(name="Toko Lama")
    product = indexed_product(shop=shop, name="Sambal Roa")
    client.login(shop.owner)
    page = client.get("/toko/profil").get_data(as_text=True)
    assert 'name="nik"' not in page and 'name="bank_account_number"' not in page
    data = {"name": "Dapur Cakalang", "address": shop.address, "kecamatan": "Setu", "kelurahan": "Cibening",
            "phone": shop.phone, "offers_delivery": "y", "delivery_fee": "15.000",
            "nik": "3175076108750007", "bank_account_number": "999999999"}  # ignored: locked fields
    assert client.post_form("/toko/profil", data).status_code == 302
    db.session.refresh(shop)
    assert shop.name == "Dapur Cakalang" and shop.kecamatan == "Setu" and shop.delivery_fee_amount == 15_000
    assert shop.nik != "3175076108750007" and shop.bank_account_number != "999999999"
    assert [p.id for p in search_products("cakalang").items] == [product.id]
