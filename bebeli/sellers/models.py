from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bebeli.db import RatingSummaryMixin, TimestampMixin
from bebeli.extensions import db


def _enum(e, length=20):
    return sa.Enum(e, native_enum=False, length=length, values_callable=lambda x: [m.value for m in x])


class ShopStatus(enum.StrEnum):
    PENDING = "pending"      # waiting in the verification queue
    VERIFIED = "verified"    # may publish products
    REJECTED = "rejected"    # seller sees the reason, corrects and resubmits
    SUSPENDED = "suspended"  # hidden from buyers until reinstated


class CertificateKind(enum.StrEnum):
    HALAL = "halal"
    PIRT = "pirt"
    BPOM = "bpom"
    SNI = "sni"


class Shop(RatingSummaryMixin, TimestampMixin, db.Model):
    """A UMKM's shop profile; owned by one seller account."""

    __tablename__ = "shops"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    slug: Mapped[str] = mapped_column(sa.String(140), unique=True)
    description: Mapped[str | None] = mapped_column(sa.Text)
    owner_name: Mapped[str] = mapped_column(sa.String(120))
    nik: Mapped[str] = mapped_column(sa.String(16), index=True)
    nib: Mapped[str] = mapped_column(sa.String(13), index=True)
    npwp: Mapped[str | None] = mapped_column(sa.String(16))
    is_pkp: Mapped[bool] = mapped_column(default=False)  # VAT-registered: charges PPN
    address: Mapped[str] = mapped_column(sa.String(255))
    kecamatan: Mapped[str] = mapped_column(sa.String(80), index=True)
    kelurahan: Mapped[str | None] = mapped_column(sa.String(80))
    regency: Mapped[str | None] = mapped_column(sa.String(80))
    postal_code: Mapped[str | None] = mapped_column(sa.String(5))
    phone: Mapped[str] = mapped_column(sa.String(15), index=True)  # WhatsApp, normalised 62…
    bank_name: Mapped[str | None] = mapped_column(sa.String(60))
    bank_account_number: Mapped[str | None] = mapped_column(sa.String(20), index=True)
    bank_account_name: Mapped[str | None] = mapped_column(sa.String(120))
    logo_key: Mapped[str | None] = mapped_column(sa.String(255))
    is_local: Mapped[bool] = mapped_column(default=False, index=True)
    status: Mapped[ShopStatus] = mapped_column(_enum(ShopStatus), default=ShopStatus.PENDING, index=True)
    status_reason: Mapped[str | None] = mapped_column(sa.Text)
    # A sanction confirmed by an administrator hides the shop's offers from buyers until then
    # (bebeli.sanctions); the catalog's visibility rule reads it, so the hide lifts by itself.
    offers_hidden_until: Mapped[datetime | None]
    # When the shop last entered the verification queue (registration or resubmission).
    submitted_at: Mapped[datetime | None]
    verified_at: Mapped[datetime | None]
    verified_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    # Fulfilment options and the flat delivery fee charged per seller order (integer rupiah).
    offers_pickup: Mapped[bool] = mapped_column(default=True)
    offers_delivery: Mapped[bool] = mapped_column(default=True)
    delivery_fee_amount: Mapped[int] = mapped_column(sa.BigInteger, default=0)

    owner = relationship("User", foreign_keys=[owner_id])
    certificates: Mapped[list[ShopCertificate]] = relationship(
        back_populates="shop", cascade="all, delete-orphan", order_by="ShopCertificate.id"
    )

    __table_args__ = (
        sa.CheckConstraint("delivery_fee_amount >= 0", name="delivery_fee_not_negative"),
    )

    @property
    def is_visible(self) -> bool:
        return self.status == ShopStatus.VERIFIED

    def __repr__(self) -> str:
        return f"<Shop {self.id} {self.name}>"


class ShopCertificate(db.Model):
    __tablename__ = "shop_certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(sa.ForeignKey("shops.id", ondelete="CASCADE"), index=True)
    kind: Mapped[CertificateKind] = mapped_column(_enum(CertificateKind))
    number: Mapped[str] = mapped_column(sa.String(60))
    expires_on: Mapped[date | None]
    document_key: Mapped[str | None] = mapped_column(sa.String(255))
    # Set once the seller and the admins were told it expired; cleared when the date changes.
    expiry_notified_at: Mapped[datetime | None]

    shop: Mapped[Shop] = relationship(back_populates="certificates")

    def is_valid_on(self, day: date) -> bool:
        return self.expires_on is None or self.expires_on >= day
