"""Public UMKM registration: one form creates the seller account and a pending shop."""
import io

import pytest

from bebeli.audit.models import AuditEvent
from bebeli.auth.models import Role, User
from bebeli.extensions import db
from bebeli.mail.models import OutboundEmail
from bebeli.sellers.models import CertificateKind, Shop, ShopStatus
from tests.catalog.helpers import image_bytes
from tests.factories import ShopFactory, UserFactory
from tests.sellers.helpers import registration_data


def _shop_by_name(name):
    return db.session.scalar(db.select(Shop).where(Shop.name == name))


def test_registration_creates_a_seller_and_a_pending_local_shop(client, ctx):
    data = registration_data(
        logo=(io.BytesIO(image_bytes("PNG")), "logo.png"),
        halal_number="ID32110000123", halal_expires_on="2030-01-31",
        halal_document=(io.BytesIO(image_bytes("JPEG")), "halal.jpg"),
    )
    response = client.post_form("/toko/daftar", data, content_type="multipart/form-data")
    assert response.status_code == 302 and response.location.endswith("/toko/")

    shop = _shop_by_name("Keripik Maju Jaya")
    assert shop.status == ShopStatus.PENDING and shop.submitted_at is not None
    assert shop.owner.has_role(Role.SELLER) and shop.owner.email == "umkm.baru@contoh.id"
    # Formatted input is stored as digits: 15-digit NPWP gets its leading 0, phone becomes 62…
    assert shop.npwp == "0012345678901234" and shop.phone == "6281234567890"
    assert (shop.kecamatan, shop.kelurahan, shop.regency) == ("Cikarang Utara", "Karangasih", "Kabupaten Bekasi")
    assert shop.postal_code and shop.is_local and shop.delivery_fee_amount == 10_000
    assert shop.logo_key.startswith("public/shops/") and client.get(f"/media/{shop.logo_key}").status_code == 200
    [halal] = shop.certificates
    assert halal.kind == CertificateKind.HALAL and halal.document_key.startswith("private/")
    assert db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "sellers.registered"))
    assert db.session.scalar(db.select(OutboundEmail).where(OutboundEmail.to == "umkm.baru@contoh.id"))
    # The new seller is signed in and sees the shop waiting for verification.
    page = client.get("/toko/").get_data(as_text=True)
    assert "Menunggu verifikasi" in page and "Keripik Maju Jaya" in page


@pytest.mark.parametrize("field,value,message", [
    ("nik", "3216094506", "NIK harus 16 digit."),
    ("nib", "123456789012", "NIB harus 13 digit."),
    ("npwp", "12345678901234", "NPWP harus 15 atau 16 digit."),
    ("phone", "0212345678", "nomor seluler Indonesia"),
    ("bank_account_number", "12ab", "hanya boleh berisi angka"),
    ("kelurahan", "Setiamekar", "Pilih kelurahan/desa dari daftar."),  # a kelurahan of another kecamatan
    ("kecamatan", "Menteng", "Bukan pilihan yang tersedia."),
    ("confirm", "lain-lain-123", "Kata sandi tidak sama."),
])
def test_invalid_fields_are_reported_and_nothing_is_saved(client, ctx, field, value, message):
    response = client.post_form("/toko/daftar", registration_data(**{field: value}))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Shop.id))) == 0
    assert db.session.scalar(db.select(db.func.count(User.id))) == 0


def test_pkp_needs_an_npwp_and_a_weak_password_is_refused(client, ctx):
    page = client.post_form("/toko/daftar", registration_data(npwp="", is_pkp="y")).get_data(as_text=True)
    assert "wajib mengisi NPWP" in page
    page = client.post_form("/toko/daftar", registration_data(password="1234567890", confirm="1234567890"))
    assert "tidak boleh hanya berisi angka" in page.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(User.id))) == 0


def test_a_registered_email_is_refused(client, ctx):
    UserFactory(email="umkm.baru@contoh.id")
    page = client.post_form("/toko/daftar", registration_data()).get_data(as_text=True)
    assert "Email sudah terdaftar." in page
    assert db.session.scalar(db.select(db.func.count(Shop.id))) == 0


def test_a_logo_that_is_not_an_image_is_refused_beside_the_field(client, ctx):
    data = registration_data(logo=(io.BytesIO(b"<?php echo 1; ?>"), "logo.jpg"))
    page = client.post_form("/toko/daftar", data, content_type="multipart/form-data").get_data(as_text=True)
    assert "bukan gambar JPEG, PNG, atau WebP" in page
    assert db.session.scalar(db.select(db.func.count(User.id))) == 0


@pytest.mark.parametrize("nik,local", [("3175076108750007", False), ("3216064707880002", True)])
def test_outside_the_region_a_shop_is_local_only_by_the_owners_nik(client, ctx, nik, local):
    data = registration_data(nik=nik, kecamatan="luar-wilayah", kelurahan="", outside_area="Duren Sawit, Jakarta Timur")
    assert client.post_form("/toko/daftar", data).status_code == 302
    shop = _shop_by_name("Keripik Maju Jaya")
    assert shop.kecamatan == "Duren Sawit, Jakarta Timur" and shop.kelurahan is None
    assert shop.is_local is local


def test_outside_the_region_needs_the_area_written(client, ctx):
    data = registration_data(kecamatan="luar-wilayah", kelurahan="", outside_area="")
    page = client.post_form("/toko/daftar", data).get_data(as_text=True)
    assert "Tuliskan kecamatan dan kabupaten/kota" in page


def test_kelurahan_options_follow_the_kecamatan(client):
    options = client.get("/toko/wilayah/kelurahan?parent=Cikarang Utara").get_json()
    assert {"value": "Karangasih", "label": "Karangasih"} in options and len(options) == 11
    assert client.get("/toko/wilayah/kelurahan?parent=Menteng").get_json() == []
    # The registration page points its kelurahan select at this endpoint.
    page = client.get("/toko/daftar").get_data(as_text=True)
    assert 'data-source="/toko/wilayah/kelurahan"' in page and 'data-parent="kecamatan"' in page


def test_a_signed_in_user_is_sent_home(client, ctx):
    client.login(UserFactory(roles=[Role.BUYER]))
    assert client.get("/toko/daftar").status_code == 302


def test_duplicates_are_flagged_in_the_queue_with_the_matching_shop(client, ctx):
    ShopFactory(name="Toko Lama", nik="3216094506900012", bank_account_number="0123456789")
    ShopFactory(name="Toko Lain", phone="6281234567890")
    assert client.post_form("/toko/daftar", registration_data()).status_code == 302
    client.logout()
    client.login(UserFactory(roles=[Role.ADMIN]))
    page = client.get("/toko/admin/verifikasi").get_data(as_text=True)
    assert "Duplikat NIK, Nomor rekening dengan Toko Lama" in page
    assert "Duplikat Nomor WhatsApp dengan Toko Lain" in page
    shop = _shop_by_name("Keripik Maju Jaya")
    detail = client.get(f"/toko/admin/{shop.id}").get_data(as_text=True)
    assert 'data-testid="duplicates"' in detail and "Toko Lama" in detail


def test_a_certificate_needs_its_number(client, ctx):
    page = client.post_form("/toko/daftar", registration_data(bpom_expires_on="2030-01-01")).get_data(as_text=True)
    assert "Isi nomor sertifikat." in page
    assert db.session.scalar(db.select(db.func.count(Shop.id))) == 0
