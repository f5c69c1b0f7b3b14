from __future__ import annotations

import enum
import secrets
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bebeli.db import TimestampMixin, utcnow
from bebeli.extensions import db


class Role(enum.StrEnum):
    BUYER = "buyer"                # ASN buying personally
    SELLER = "seller"              # UMKM owner
    ADMIN = "admin"                # Dinas Koperasi dan UKM
    AGENCY_ADMIN = "agency_admin"  # operator of one OPD
    PP = "pp"                      # Pejabat Pengadaan of an agency
    PPK = "ppk"                    # Pejabat Pembuat Komitmen of an agency
    TREASURER = "bendahara"        # Bendahara of an agency

    @property
    def agency_scoped(self) -> bool:
        return self in AGENCY_ROLES


AGENCY_ROLES = frozenset({Role.AGENCY_ADMIN, Role.PP, Role.PPK, Role.TREASURER})


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    phone: Mapped[str | None] = mapped_column(sa.String(20))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    # The account's session version: Flask-Login's id is this token (in the session and the
    # remember-me cookie alike), so rotating it (bebeli.auth.services.end_sessions: at logout,
    # "log out everywhere", a password change or reset) ends every session and remember-me
    # cookie of the account, copies included, on their next request.
    session_token: Mapped[str] = mapped_column(sa.String(64), unique=True, default=new_session_token)
    # When the token last rotated: the shared frame (bebeli.auth.frame) stops trusting
    # snapshots written before it, as it never loads the account to see the new token.
    sessions_ended_at: Mapped[datetime | None] = mapped_column(index=True)
    is_active_account: Mapped[bool] = mapped_column("is_active", default=True)
    locale: Mapped[str | None] = mapped_column(sa.String(5))
    last_login_at: Mapped[datetime | None]
    password_changed_at: Mapped[datetime | None]
    # Two-step login (bebeli.auth.totp): the authenticator secret, encrypted; the time it was
    # confirmed; the last 30-second step whose code was accepted (a code works only once).
    totp_secret: Mapped[str | None] = mapped_column(sa.String(255))
    totp_enabled_at: Mapped[datetime | None]
    totp_last_used_step: Mapped[int | None] = mapped_column(sa.BigInteger)

    roles: Mapped[list[RoleAssignment]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )
    asn = relationship("AsnProfile", back_populates="user", uselist=False)

    def get_id(self) -> str:
        return self.session_token

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.is_active_account

    def has_role(self, *roles: Role | str) -> bool:
        wanted = {Role(r) for r in roles}
        return any(a.role in wanted for a in self.roles)

    def agency_ids(self, role: Role | str) -> set[int]:
        role = Role(role)
        return {a.agency_id for a in self.roles if a.role == role and a.agency_id is not None}

    @property
    def role_names(self) -> list[str]:
        return sorted({a.role.value for a in self.roles})

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class RoleAssignment(db.Model):
    """One role of a user; agency-scoped roles name their agency."""

    __tablename__ = "role_assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(sa.Enum(Role, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]))
    agency_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agencies.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="roles")
    agency = relationship("Agency", lazy="joined")

    __table_args__ = (
        # NULL agency ids are distinct in a plain unique constraint; coalesce makes them equal.
        sa.Index(
            "uq_role_assignments_user_role_agency",
            "user_id", "role", sa.text("coalesce(agency_id, 0)"),
            unique=True,
        ),
    )


class LoginThrottle(db.Model):
    """Failed logins per account (or per unknown identifier, so lockout reveals nothing)."""

    __tablename__ = "login_throttles"

    key: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class RecoveryCode(db.Model):
    """A single-use code for two-step login when the authenticator is lost; only a hash is kept."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64))
    used_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (sa.UniqueConstraint("user_id", "code_hash"),)
