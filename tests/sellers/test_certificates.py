"""Certificates: badges while valid, a flag when expired (mailed once), private documents."""
import io
from datetime import date, timedelta

from bebeli.auth.models import Role
from bebeli.extensions import db
from bebeli.mail.models import OutboundEmail
from bebeli.sellers.models import CertificateKind, ShopCertificate
from bebeli.sellers.services import notify_expired_certificates
from tests.catalog.helpers import image_bytes, indexed_product
from tests.factories import ShopFactory, UserFactory, admin

TODAY = date.today()


def ctx_request():
    """Mail renders as in a request (the daily command sets one up the same way)."""
    from flask import current_app

    return current_app.test_request_context()


def _certificate(shop, kind, expires_on, **kw):
    certificate = ShopCertificate(shop=shop, kind=kind, number=f"NO-{kind.value}", expires_on=expires_on, **kw)
    db.session.add(certificate)
    db.session.commit()
    return certificate


def test_only_valid_certificates_show_as_badges_on_products(client, ctx):
    shop = ShopFactory()
    _certificate(shop, CertificateKind.HALAL, TODAY + timedelta(days=30))
    _certificate(shop, CertificateKind.BPOM, TODAY - timedelta(days=1))
    _certificate(shop, CertificateKind.SNI, None)  # no end date: always valid
    product = indexed_product(shop=shop, name="Abon Sapi")
    for page in (client.get("/katalog?q=abon"), client.get(f"/produk/{product.id}/{product.slug}")):
        html = page.get_data(as_text=True)
        assert ">Halal" in html and ">SNI" in html and ">BPOM" not in html


def test_expired_certificates_are_reported_once_to_the_seller_and_the_admins(client, ctx):
    reviewer = admin()
    shop = ShopFactory()
    expired = _certificate(shop, CertificateKind.HALAL, TODAY - timedelta(days=2))
    _certificate(shop, CertificateKind.PIRT, TODAY + timedelta(days=2))
    with ctx_request():
        assert notify_expired_certificates() == 1
        db.session.commit()
    to_seller = db.session.scalar(db.select(OutboundEmail).where(OutboundEmail.to == shop.owner.email))
    to_admin = db.session.scalar(db.select(OutboundEmail).where(OutboundEmail.to == reviewer.email))
    assert "Halal NO-halal" in to_seller.body and shop.name in to_admin.body
    with ctx_request():
        assert notify_expired_certificates() == 0  # nothing new to report
    db.session.refresh(expired)
    assert expired.expiry_notified_at is not None
    # Both sides see the flag on screen too.
    client.login(shop.owner)
    assert 'data-testid="expired-certificates"' in client.get("/toko/").get_data(as_text=True)
    client.logout()
    client.login(reviewer)
    page = client.get("/toko/admin/verifikasi?status=semua&sertifikat=y").get_data(as_text=True)
    assert shop.name in page


def test_the_daily_command_reports_expired_certificates(app, ctx):
    _certificate(ShopFactory(), CertificateKind.PIRT, TODAY - timedelta(days=1))
    result = app.test_cli_runner().invoke(args=["notify-expired-certificates"])
    assert result.exit_code == 0 and "1 expired certificate(s) reported" in result.output


def test_seller_adds_and_removes_a_certificate_with_a_private_document(client, other_client, ctx):
    shop = ShopFactory()
    client.login(shop.owner)
    data = {"kind": "bpom", "number": "MD 123456789", "expires_on": "2031-05-01",
            "document": (io.BytesIO(image_bytes("PNG")), "bpom.png")}
    response = client.post_form("/toko/sertifikat", data, page="/toko/profil", content_type="multipart/form-data")
    assert response.status_code == 302
    [certificate] = db.session.scalars(db.select(ShopCertificate).where(ShopCertificate.shop_id == shop.id)).all()
    document = f"/toko/sertifikat/{certificate.id}/dokumen"
    response = client.get(document)
    assert response.status_code == 200 and response.mimetype == "image/webp"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["Content-Security-Policy"].strip() == "default-src 'none'; sandbox"
    assert client.get(f"/media/{certificate.document_key}").status_code == 404  # never public

    other_client.login(admin())
    assert other_client.get(document).status_code == 200
    other_client.logout()
    other_client.login(UserFactory(roles=[Role.BUYER]))
    assert other_client.get(document).status_code == 403
    other_client.logout()
    assert other_client.get(document).status_code == 302  # to the login page

    client.post_form(f"/toko/sertifikat/{certificate.id}/hapus", page="/toko/profil")
    assert db.session.scalar(db.select(db.func.count(ShopCertificate.id))) == 0
