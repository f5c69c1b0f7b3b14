from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bebeli.db import TimestampMixin, utcnow
from bebeli.extensions import db


class AgencyKind(enum.StrEnum):
    SEKRETARIAT = "sekretariat"
    DINAS = "dinas"
    BADAN = "badan"
    INSPEKTORAT = "inspektorat"
    KECAMATAN = "kecamatan"
    KELURAHAN = "kelurahan"
    RSUD = "rsud"
    LAINNYA = "lainnya"


class Echelon(enum.StrEnum):
    """Structural level, the key of fixed-by-rank quota tables."""

    STAF = "staf"
    IV = "iv"
    III = "iii"
    II = "ii"
    I = "i"  # noqa: E741


def _enum(e):
    return sa.Enum(e, native_enum=False, length=20, values_callable=lambda x: [m.value for m in x])


class Agency(TimestampMixin, db.Model):
    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    name: Mapped[str] = mapped_column(sa.String(160), index=True)
    kind: Mapped[AgencyKind] = mapped_column(_enum(AgencyKind), default=AgencyKind.DINAS)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agencies.id", ondelete="SET NULL"), index=True)
    address: Mapped[str | None] = mapped_column(sa.String(255))
    kecamatan: Mapped[str | None] = mapped_column(sa.String(80))
    is_active: Mapped[bool] = mapped_column(default=True)

    parent: Mapped[Agency | None] = relationship(remote_side=[id], lazy="joined")

    def __repr__(self) -> str:
        return f"<Agency {self.code}>"


class AsnProfile(TimestampMixin, db.Model):
    """A civil servant (PNS or PPPK) who buys on BEBELI; one per user account."""

    __tablename__ = "asn_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    nip: Mapped[str] = mapped_column(sa.String(18), unique=True)
    is_pppk: Mapped[bool] = mapped_column(default=False)
    agency_id: Mapped[int] = mapped_column(sa.ForeignKey("agencies.id", ondelete="RESTRICT"), index=True)
    rank: Mapped[str | None] = mapped_column(sa.String(10))  # golongan/ruang, e.g. "III/a"
    echelon: Mapped[Echelon] = mapped_column(_enum(Echelon), default=Echelon.STAF)
    position: Mapped[str | None] = mapped_column(sa.String(160))  # jabatan
    tpp_amount: Mapped[int | None] = mapped_column(sa.BigInteger)  # monthly TPP, integer rupiah
    is_active: Mapped[bool] = mapped_column(default=True, index=True)
    # Used to pro-rate monthly obligations for people who join or leave mid-month.
    active_from: Mapped[date | None]
    active_until: Mapped[date | None]

    user = relationship("User", back_populates="asn", lazy="joined")
    agency: Mapped[Agency] = relationship(lazy="joined")

    __table_args__ = (
        sa.CheckConstraint("tpp_amount IS NULL OR tpp_amount >= 0", name="tpp_not_negative"),
        sa.CheckConstraint("length(nip) = 18", name="nip_18_digits"),
    )


class AsnImportBatch(db.Model):
    """An uploaded ASN file waiting for the admin's confirmation.

    The parsed cells and the validation result of every row live here (not on a local disk),
    so the preview and the confirmation may be served by different app servers. Batches
    expire; a confirmed batch keeps only its counts.
    """

    __tablename__ = "asn_import_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(sa.String(255))
    columns: Mapped[dict] = mapped_column(sa.JSON)  # {"used": [...], "ignored": [...]} header columns
    # [{"line", "cells", "action", "errors", "changed"}, ...]; None once confirmed
    rows: Mapped[list | None] = mapped_column(sa.JSON)
    total_count: Mapped[int] = mapped_column(default=0)
    invalid_count: Mapped[int] = mapped_column(default=0)
    new_count: Mapped[int] = mapped_column(default=0)
    updated_count: Mapped[int] = mapped_column(default=0)
    unchanged_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    confirmed_at: Mapped[datetime | None]

    @property
    def valid_count(self) -> int:
        return self.total_count - self.invalid_count
