"""UMKM onboarding and verification: registration, profile changes, the status workflow,
duplicate detection and certificates.

Status moves only along `TRANSITIONS`; each move is audited and mailed to the seller.
Only a verified shop can publish, and only a verified shop's products are shown to buyers.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from bebeli.audit.services import record
from bebeli.auth.models import Role, User
from bebeli.auth.services import create_user
from bebeli.catalog.search import reindex_products
from bebeli.catalog.text import slugify
from bebeli.dates import jakarta_today
from bebeli.db import utcnow
from bebeli.errors import InvalidTransition, NotAllowed, ValidationFailed
from bebeli.extensions import db
from bebeli.identity import IdentityError, parse_nik
from bebeli.images import ImageRejected, check_image, process_image
from bebeli.mail.services import send_mail
from bebeli.regions import find_kecamatan, is_local_regency_code
from bebeli.sellers.models import CertificateKind, Shop, ShopCertificate, ShopStatus
from bebeli.storage import get_storage, new_key

CERTIFICATE_LABELS = {
    CertificateKind.HALAL: _l("Halal"),
    CertificateKind.PIRT: _l("PIRT"),
    CertificateKind.BPOM: _l("BPOM"),
    CertificateKind.SNI: _l("SNI"),
}
STATUS_LABELS = {
    ShopStatus.PENDING: _l("Menunggu verifikasi"),
    ShopStatus.VERIFIED: _l("Terverifikasi"),
    ShopStatus.REJECTED: _l("Ditolak"),
    ShopStatus.SUSPENDED: _l("Ditangguhkan"),
}

# (from, to) → the audited action name. Anything else raises InvalidTransition.
TRANSITIONS = {
    (ShopStatus.PENDING, ShopStatus.VERIFIED): "approved",
    (ShopStatus.PENDING, ShopStatus.REJECTED): "rejected",
    (ShopStatus.REJECTED, ShopStatus.PENDING): "resubmitted",
    (ShopStatus.VERIFIED, ShopStatus.SUSPENDED): "suspended",
    (ShopStatus.SUSPENDED, ShopStatus.VERIFIED): "reinstated",
}
REASON_REQUIRED = {ShopStatus.REJECTED, ShopStatus.SUSPENDED}
MAX_REASON_LENGTH = 1000

# Fields that identify the business and where its money goes: fixed once verified, so a
# verified shop cannot quietly become someone else or redirect payouts.
IDENTITY_FIELDS = ("owner_name", "nik", "nib", "npwp", "is_pkp", "bank_name", "bank_account_number",
                   "bank_account_name")
DUPLICATE_FIELDS = {
    "nik": _l("NIK"),
    "nib": _l("NIB"),
    "phone": _l("Nomor WhatsApp"),
    "bank_account_number": _l("Nomor rekening"),
}


@dataclass
class ShopProfile:
    """What a seller fills in about the shop (already normalised by the form)."""

    name: str
    owner_name: str
    nik: str
    nib: str
    npwp: str | None
    is_pkp: bool
    address: str
    kecamatan: str
    kelurahan: str | None
    outside_area: str | None  # free text when the address is outside the region
    phone: str
    bank_name: str
    bank_account_number: str
    bank_account_name: str
    description: str | None = None
    offers_pickup: bool = True
    offers_delivery: bool = True
    delivery_fee_amount: int = 0


@dataclass
class CertificateInput:
    kind: CertificateKind
    number: str
    expires_on: date | None
    document: bytes | None = None


@dataclass(frozen=True)
class DuplicateMatch:
    shop: Shop
    fields: tuple[str, ...]

    @property
    def labels(self) -> list[str]:
        return [str(DUPLICATE_FIELDS[f]) for f in self.fields]


# ---------------------------------------------------------------------------- queries

def shop_for_owner(user) -> Shop | None:
    if not (user and user.is_authenticated):
        return None
    return db.session.scalar(db.select(Shop).where(Shop.owner_id == user.id).order_by(Shop.id).limit(1))


def shops_for_admin(*, status: ShopStatus | None = None, local: bool | None = None,
                    expired_certificates: bool = False, text: str | None = None) -> sa.Select:
    """The admin's shop list; the queue (pending) oldest submission first, others by name."""
    stmt = db.select(Shop)
    if status is not None:
        stmt = stmt.where(Shop.status == status)
    if local is not None:
        stmt = stmt.where(Shop.is_local.is_(local))
    if expired_certificates:
        stmt = stmt.where(Shop.id.in_(
            db.select(ShopCertificate.shop_id).where(ShopCertificate.expires_on < jakarta_today())
        ))
    if text:
        pattern = f"%{text.strip()}%"
        stmt = stmt.where(sa.or_(Shop.name.ilike(pattern), Shop.owner_name.ilike(pattern),
                                 Shop.nib == text.strip(), Shop.nik == text.strip()))
    if status == ShopStatus.PENDING:
        return stmt.order_by(Shop.submitted_at.asc().nulls_last(), Shop.id)
    return stmt.order_by(Shop.name, Shop.id)


def duplicates_for(shops: list[Shop]) -> dict[int, list[DuplicateMatch]]:
    """Other shops sharing a NIK, NIB, phone or bank account with each of `shops` (one query)."""
    if not shops:
        return {}
    values = {f: {getattr(s, f) for s in shops if getattr(s, f)} for f in DUPLICATE_FIELDS}
    clauses = [getattr(Shop, f).in_(v) for f, v in values.items() if v]
    others = db.session.scalars(db.select(Shop).where(sa.or_(*clauses)).order_by(Shop.id)).all()
    found: dict[int, list[DuplicateMatch]] = {}
    for shop in shops:
        for other in others:
            if other.id == shop.id:
                continue
            fields = tuple(f for f in DUPLICATE_FIELDS if getattr(shop, f) and getattr(shop, f) == getattr(other, f))
            if fields:
                found.setdefault(shop.id, []).append(DuplicateMatch(other, fields))
    return found


def identity_locked(shop: Shop) -> bool:
    """IDENTITY_FIELDS are fixed once the shop is verified (and while it is suspended)."""
    return shop.status in (ShopStatus.VERIFIED, ShopStatus.SUSPENDED)


def valid_certificates(shop: Shop, day: date | None = None) -> list[ShopCertificate]:
    day = day or jakarta_today()
    return [c for c in shop.certificates if c.is_valid_on(day)]


def expired_certificates(shop: Shop, day: date | None = None) -> list[ShopCertificate]:
    day = day or jakarta_today()
    return [c for c in shop.certificates if not c.is_valid_on(day)]


# ---------------------------------------------------------------------------- helpers

def is_local(nik: str, kecamatan: str | None) -> bool:
    """Local when the owner's NIK was issued in the region or the shop's kecamatan is in it."""
    try:
        regency = parse_nik(nik).regency_code
    except IdentityError:
        regency = None
    return is_local_regency_code(regency) or find_kecamatan(kecamatan) is not None


def _unique_shop_slug(name: str) -> str:
    base = slugify(name, 120)
    taken = db.session.scalar(db.select(Shop.id).where(Shop.slug == base))
    return base if taken is None else f"{base}-{secrets.token_hex(3)}"


def _apply_address(shop: Shop, profile: ShopProfile) -> None:
    if profile.outside_area:
        shop.kecamatan, shop.kelurahan, shop.regency, shop.postal_code = profile.outside_area, None, None, None
        return
    kecamatan = find_kecamatan(profile.kecamatan)
    kelurahan = kecamatan.find_kelurahan(profile.kelurahan) if kecamatan else None
    if kecamatan is None or kelurahan is None:
        raise ValidationFailed(_l("Pilih kecamatan dan kelurahan dari daftar."), field="kelurahan")
    shop.kecamatan, shop.kelurahan = kecamatan.name, kelurahan.name
    shop.regency, shop.postal_code = kecamatan.regency, kelurahan.postal_code


def _check_profile(profile: ShopProfile) -> None:
    if profile.is_pkp and not profile.npwp:
        raise ValidationFailed(_l("Pengusaha Kena Pajak (PKP) wajib mengisi NPWP."), field="npwp")
    if not (profile.offers_pickup or profile.offers_delivery):
        raise ValidationFailed(_l("Pilih minimal satu cara pengiriman."), field="offers_delivery")


def _store_image(data: bytes, visibility: str, folder: str, suffix: str) -> str:
    processed = process_image(data)
    key = new_key(visibility, folder, f"{suffix}.webp")
    get_storage().save(key, processed.display)
    return key


def _apply_profile(shop: Shop, profile: ShopProfile, *, identity: bool) -> None:
    fields = ["description", "address", "phone", "offers_pickup", "offers_delivery", "delivery_fee_amount"]
    if identity:
        fields += IDENTITY_FIELDS
    for name in fields:
        setattr(shop, name, getattr(profile, name))
    shop.name = profile.name.strip()
    _apply_address(shop, profile)
    shop.is_local = is_local(shop.nik, shop.kecamatan)


# ---------------------------------------------------------------------------- services

def register_shop(*, email: str, password: str, profile: ShopProfile, logo: bytes | None = None,
                  certificates: list[CertificateInput] = ()) -> Shop:
    """A new seller account and its shop, waiting in the verification queue."""
    _check_profile(profile)
    # Every file's header first: a bad last file costs no decoding of the others.
    uploads = [("logo", logo), *((f"{c.kind.value}_document", c.document) for c in certificates)]
    for field, upload in uploads:
        try:
            if upload:
                check_image(upload)
        except ImageRejected as error:
            raise ImageRejected(error.message, field=field) from None
    user = create_user(email=email, name=profile.owner_name, password=password, phone=profile.phone,
                       roles=[Role.SELLER], related=[profile.name, profile.nik, profile.nib])
    shop = Shop(owner=user, status=ShopStatus.PENDING, submitted_at=utcnow(), slug=_unique_shop_slug(profile.name))
    _apply_profile(shop, profile, identity=True)
    db.session.add(shop)
    db.session.flush()
    if logo:
        shop.logo_key = _store_image(logo, "public", f"shops/{shop.id}", "logo")
    for certificate in certificates:
        add_certificate(shop, certificate, actor=user)
    record("sellers.registered", actor=user, obj=shop, local=shop.is_local)
    send_mail(user.email, _l("Pendaftaran UMKM Anda kami terima"), "shop_registered", kind="shop_status",
              shop=shop)
    return shop


def update_shop_profile(shop: Shop, profile: ShopProfile, *, actor: User, logo: bytes | None = None) -> Shop:
    """Change what the seller may change. Identity and payout fields are fixed once verified
    (or while suspended); before that the seller corrects them freely."""
    _check_profile(profile)
    old_name = shop.name
    _apply_profile(shop, profile, identity=not identity_locked(shop))
    if logo:
        old_logo = shop.logo_key
        shop.logo_key = _store_image(logo, "public", f"shops/{shop.id}", "logo")
        if old_logo:
            get_storage().delete(old_logo)
    db.session.flush()
    if shop.name != old_name:
        from bebeli.catalog.models import Product

        reindex_products(Product.shop_id == shop.id)
    record("sellers.profile_updated", actor=actor, obj=shop)
    return shop


def change_status(shop: Shop, to: ShopStatus, *, actor: User, reason: str | None = None) -> Shop:
    """Move a shop along the verification workflow; audited and mailed to the seller."""
    action = TRANSITIONS.get((shop.status, to))
    if action is None:
        raise InvalidTransition(_l("Status toko tidak dapat diubah dari %(a)s ke %(b)s.",
                                   a=STATUS_LABELS[shop.status], b=STATUS_LABELS[to]))
    reason = (reason or "").strip() or None
    if to in REASON_REQUIRED and not reason:
        raise ValidationFailed(_l("Tuliskan alasannya agar pelaku UMKM dapat menindaklanjuti."), field="reason")
    if reason and len(reason) > MAX_REASON_LENGTH:
        raise ValidationFailed(_l("Alasan paling panjang %(n)d karakter.", n=MAX_REASON_LENGTH), field="reason")
    from_status = shop.status
    shop.status = to
    shop.status_reason = reason
    if to == ShopStatus.VERIFIED and from_status == ShopStatus.PENDING:
        shop.verified_at, shop.verified_by_id = utcnow(), actor.id
    if to == ShopStatus.PENDING:
        shop.submitted_at = utcnow()
    record(f"sellers.{action}", actor=actor, obj=shop, from_status=from_status.value, to_status=to.value,
           reason=reason)
    send_mail(shop.owner.email, _l("Status toko %(name)s: %(status)s", name=shop.name, status=STATUS_LABELS[to]),
              "shop_status", kind="shop_status", shop=shop, action=action, reason=reason)
    return shop


def resubmit_shop(shop: Shop, *, actor: User) -> Shop:
    if shop.owner_id != actor.id:
        raise NotAllowed()
    return change_status(shop, ShopStatus.PENDING, actor=actor)


def add_certificate(shop: Shop, data: CertificateInput, *, actor: User) -> ShopCertificate:
    number = (data.number or "").strip()
    if not number:
        raise ValidationFailed(_l("Nomor sertifikat wajib diisi."), field="number")
    certificate = ShopCertificate(kind=data.kind, number=number[:60], expires_on=data.expires_on)
    if data.document:
        certificate.document_key = _store_image(data.document, "private", f"shops/{shop.id}", "certificate")
    shop.certificates.append(certificate)
    db.session.flush()
    record("sellers.certificate_added", actor=actor, obj=shop, kind=data.kind.value, number=certificate.number,
           expires_on=data.expires_on.isoformat() if data.expires_on else None)
    return certificate


def remove_certificate(certificate: ShopCertificate, *, actor: User) -> None:
    shop = certificate.shop
    record("sellers.certificate_removed", actor=actor, obj=shop, kind=certificate.kind.value,
           number=certificate.number)
    if certificate.document_key:
        get_storage().delete(certificate.document_key)
    shop.certificates.remove(certificate)
    db.session.flush()


def notify_expired_certificates(today: date | None = None) -> int:
    """Tell each seller (and the admins, in one summary) about certificates that expired
    since the last run; each certificate is reported once. Run daily (cron)."""
    today = today or jakarta_today()
    due = db.session.scalars(
        db.select(ShopCertificate).where(ShopCertificate.expires_on < today,
                                         ShopCertificate.expiry_notified_at.is_(None))
        .order_by(ShopCertificate.shop_id, ShopCertificate.id)
    ).all()
    if not due:
        return 0
    by_shop: dict[int, list[ShopCertificate]] = {}
    for certificate in due:
        by_shop.setdefault(certificate.shop_id, []).append(certificate)
        certificate.expiry_notified_at = utcnow()
    for certificates in by_shop.values():
        shop = certificates[0].shop
        send_mail(shop.owner.email, _l("Sertifikat toko %(name)s sudah kedaluwarsa", name=shop.name),
                  "certificate_expired", kind="certificate_expired", shop=shop, certificates=certificates,
                  labels=CERTIFICATE_LABELS)
        record("sellers.certificate_expired", obj=shop, kinds=[c.kind.value for c in certificates])
    admins = db.session.scalars(
        db.select(User).where(User.is_active_account.is_(True), User.roles.any(role=Role.ADMIN)).order_by(User.id)
    ).all()
    for admin in admins:
        send_mail(admin.email, ngettext("Sertifikat UMKM kedaluwarsa: %(num)d toko", "Sertifikat UMKM kedaluwarsa: %(num)d toko",
                                         len(by_shop)),
                  "certificates_expired_admin", kind="certificate_expired", certificates=due,
                  labels=CERTIFICATE_LABELS)
    return len(due)
