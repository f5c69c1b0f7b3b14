"""The agency's procurement officials: Pejabat Pengadaan, PPK and Bendahara.

The admin or the agency's own administrator appoints them. An official's declared NIK,
phone and bank account are kept to detect self-dealing with sellers.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from bebeli.audit.services import record
from bebeli.auth.models import Role, RoleAssignment, User
from bebeli.auth.services import create_user, grant_role, request_password_reset, revoke_role
from bebeli.errors import ValidationFailed
from bebeli.extensions import db
from bebeli.procurement.models import OfficialDeclaration

OFFICIAL_ROLES = (Role.PP, Role.PPK, Role.TREASURER)


def officials_of(agency_id: int, role: Role | None = None):
    """(user, role) pairs of an agency's procurement officials, by role then name."""
    roles = (role,) if role else OFFICIAL_ROLES
    stmt = (
        db.select(User, RoleAssignment.role)
        .join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(RoleAssignment.agency_id == agency_id, RoleAssignment.role.in_(roles))
        .order_by(RoleAssignment.role, User.name)
    )
    return db.session.execute(stmt).all()


def users_with_role(agency_id: int, role: Role) -> list[User]:
    return [user for user, _ in officials_of(agency_id, role) if user.is_active_account]


def holds(user, role: Role, agency_id: int) -> bool:
    return bool(user) and agency_id in user.agency_ids(role)


def declaration_of(user_id: int) -> OfficialDeclaration | None:
    return db.session.scalar(db.select(OfficialDeclaration).where(OfficialDeclaration.user_id == user_id))


def declarations_of(user_ids) -> dict[int, OfficialDeclaration]:
    """The declarations of several officials at once, by user id."""
    ids = set(user_ids)
    if not ids:
        return {}
    stmt = db.select(OfficialDeclaration).where(OfficialDeclaration.user_id.in_(ids))
    return {d.user_id: d for d in db.session.scalars(stmt)}


def declare(user: User, *, nik: str | None, phone: str | None, bank_account_number: str | None,
            actor) -> OfficialDeclaration:
    """Store the official's identifiers (already normalised to digits; blank means unknown)."""
    declaration = declaration_of(user.id)
    if declaration is None:
        declaration = OfficialDeclaration(user_id=user.id)
        db.session.add(declaration)
    declaration.nik = nik or None
    declaration.phone = phone or None
    declaration.bank_account_number = bank_account_number or None
    db.session.flush()
    record("procurement.declaration_updated", actor=actor, obj=user,
           fields=[k for k in ("nik", "phone", "bank_account_number") if getattr(declaration, k)])
    return declaration


def appoint_official(agency, *, email: str, name: str | None, role: Role | str, actor,
                     nik: str | None = None, phone: str | None = None,
                     bank_account_number: str | None = None) -> User:
    """Give `role` in `agency` to the account with `email`, creating it (and mailing an
    activation link) when it does not exist yet."""
    role = Role(role)
    if role not in OFFICIAL_ROLES:
        raise ValidationFailed(_l("Peran pengadaan tidak dikenal."), field="role")
    email = email.strip().lower()
    user = db.session.scalar(db.select(User).where(User.email == email))
    if user is None:
        if not (name or "").strip():
            raise ValidationFailed(_l("Akun baru: isi nama lengkap pejabat."), field="name")
        user = create_user(email=email, name=name, phone=phone, actor=actor)
        request_password_reset(email)
    grant_role(user, role, agency_id=agency.id, actor=actor)
    if nik or phone or bank_account_number:
        declare(user, nik=nik, phone=phone, bank_account_number=bank_account_number, actor=actor)
    record("procurement.official_appointed", actor=actor, obj=user, role=role.value, agency_id=agency.id)
    return user


def dismiss_official(agency, user: User, role: Role | str, *, actor) -> None:
    role = Role(role)
    if role not in OFFICIAL_ROLES:
        raise ValidationFailed(_l("Peran pengadaan tidak dikenal."))
    revoke_role(user, role, agency_id=agency.id, actor=actor)
    record("procurement.official_dismissed", actor=actor, obj=user, role=role.value, agency_id=agency.id)
