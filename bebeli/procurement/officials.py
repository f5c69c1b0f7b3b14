"""The agency's procurement officials: Pejabat Pengadaan, PPK and Bendahara.

The admin or the agency's own administrator appoints them, from the agency's own active ASN;
never themselves, an administrator, or anyone who owns or works for a shop on BEBELI (the
same ties are refused again at agency checkout). An official's declared NIK, phone and bank
account are kept to detect self-dealing with sellers; appointing adds to them, never erases.
"""
from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l

from bebeli.audit.services import record
from bebeli.auth.models import Role, RoleAssignment, User
from bebeli.auth.services import grant_role, revoke_role
from bebeli.errors import ValidationFailed
from bebeli.extensions import db
from bebeli.identity import IdentityError, normalize_phone
from bebeli.notifications.services import notify, request_context
from bebeli.procurement.models import OfficialDeclaration
from bebeli.procurement.permissions import OFFICIAL_ROLES
from bebeli.sellers.models import Shop

ROLE_LABELS = {
    Role.PP: _l("Pejabat Pengadaan"),
    Role.PPK: _l("Pejabat Pembuat Komitmen (PPK)"),
    Role.TREASURER: _l("Bendahara"),
}


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
    """Store the official's identifiers (already normalised to digits). A blank one keeps what
    was declared before: appointing someone never erases what they had declared."""
    declaration = declaration_of(user.id)
    if declaration is None:
        declaration = OfficialDeclaration(user_id=user.id)
        db.session.add(declaration)
    given = {"nik": nik, "phone": phone, "bank_account_number": bank_account_number}
    for name, value in given.items():
        if value:
            setattr(declaration, name, value)
    db.session.flush()
    record("procurement.declaration_updated", actor=actor, obj=user, fields=[k for k, v in given.items() if v])
    return declaration


# --- ties to shops (self-dealing) ---------------------------------------------------------------

def comparable_phone(value: str | None) -> str | None:
    """A phone number as stored for shops (62…), or its digits when it is not a mobile number."""
    if not value:
        return None
    try:
        return normalize_phone(value)
    except IdentityError:
        return "".join(ch for ch in value if ch.isdigit()) or None


def official_identifiers(user, declaration: OfficialDeclaration | None) -> dict[str, set[str]]:
    ids = {"nik": set(), "phone": set(), "bank_account": set()}
    for phone in (user.phone, declaration and declaration.phone):
        if comparable_phone(phone):
            ids["phone"].add(comparable_phone(phone))
    if declaration and declaration.nik:
        ids["nik"].add(declaration.nik)
    if declaration and declaration.bank_account_number:
        ids["bank_account"].add(declaration.bank_account_number)
    return ids


def shop_identifiers(shop) -> dict[str, set[str]]:
    phones = {comparable_phone(shop.phone), comparable_phone(shop.owner.phone)} - {None}
    return {
        "nik": {shop.nik} if shop.nik else set(),
        "phone": phones,
        "bank_account": {shop.bank_account_number} if shop.bank_account_number else set(),
    }


def shop_ties(user, declaration: OfficialDeclaration | None, shop) -> list[str]:
    """How `user` is tied to `shop`: "account" (owns it), or a NIK, phone or bank account the
    official declared (or the account's phone) that the shop or its owner also has, the
    marks of someone who owns the business or works in it. Empty when there is none."""
    found = ["account"] if user.id == shop.owner_id else []
    mine, theirs = official_identifiers(user, declaration), shop_identifiers(shop)
    found += [key for key in ("nik", "phone", "bank_account") if mine[key] & theirs[key]]
    return found


def _tied_to_any_shop(user, declaration: OfficialDeclaration | None) -> bool:
    """`shop_ties` against every shop at once (registered, pending or closed alike)."""
    if user.has_role(Role.SELLER):
        return True
    mine = official_identifiers(user, declaration)
    owners_by_phone = db.select(User.id).where(User.phone.in_(mine["phone"]))
    conditions = [Shop.owner_id == user.id]
    if mine["nik"]:
        conditions.append(Shop.nik.in_(mine["nik"]))
    if mine["bank_account"]:
        conditions.append(Shop.bank_account_number.in_(mine["bank_account"]))
    if mine["phone"]:
        conditions += [Shop.phone.in_(mine["phone"]), Shop.owner_id.in_(owners_by_phone)]
    return db.session.scalar(db.select(Shop.id).where(db.or_(*conditions)).limit(1)) is not None


def refuse_shop_ties(pp, ppk, shops) -> None:
    """At agency checkout: neither the PP who orders nor the PPK who approves may be tied to a
    shop the order buys from."""
    declarations = declarations_of({pp.id, ppk.id})
    for shop in shops:
        if shop_ties(pp, declarations.get(pp.id), shop):
            raise ValidationFailed(_l(
                "Anda memiliki atau terkait dengan toko %(shop)s, sehingga tidak boleh membelinya untuk "
                "instansi. Hapus produk toko itu dari keranjang.", shop=shop.name))
        if shop_ties(ppk, declarations.get(ppk.id), shop):
            raise ValidationFailed(_l(
                "PPK yang dipilih memiliki atau terkait dengan toko %(shop)s; pilih PPK lain.", shop=shop.name),
                field="ppk")


# --- appointing and dismissing ------------------------------------------------------------------

def _refusal(agency, user: User | None, actor, declared: OfficialDeclaration):
    """Why `user` may not become an official of `agency`, or None. The same answer for an
    unknown email and for someone of another agency: the form tells nothing about them."""
    asn = user.asn if user is not None else None
    if asn is None or asn.agency_id != agency.id or not asn.is_active or not user.is_active_account:
        return _l("Pejabat harus ASN aktif di %(agency)s. Periksa emailnya, atau tambahkan dulu orang itu di "
                  "direktori ASN perangkat daerah ini.", agency=agency.name)
    if actor is not None and user.id == actor.id:
        return _l("Anda tidak dapat menetapkan diri sendiri sebagai pejabat pengadaan.")
    if user.has_role(Role.ADMIN, Role.AGENCY_ADMIN):
        return _l("Administrator tidak dapat merangkap sebagai pejabat pengadaan.")
    if any(agency_id != agency.id for role in OFFICIAL_ROLES for agency_id in user.agency_ids(role)):
        return _l("Orang ini masih menjadi pejabat pengadaan di perangkat daerah lain.")
    if _tied_to_any_shop(user, declared):
        return _l("Orang ini memiliki atau terkait dengan toko di BEBELI (akun, NIK, telepon, atau rekening yang "
                  "sama), sehingga tidak dapat menjadi pejabat pengadaan.")
    return None


def appoint_official(agency, *, email: str, role: Role | str, actor, nik: str | None = None,
                     phone: str | None = None, bank_account_number: str | None = None) -> User:
    """Give `role` in `agency` to the active ASN of that agency whose account has `email`, and
    tell them by mail. Refused for anyone else: another agency's people, administrators, the
    appointer, and whoever owns or works for a shop."""
    role = Role(role)
    if role not in OFFICIAL_ROLES:
        raise ValidationFailed(_l("Peran pengadaan tidak dikenal."), field="role")
    user = db.session.scalar(db.select(User).where(User.email == email.strip().lower()))
    existing = declaration_of(user.id) if user is not None else None
    # What the official's identifiers will be: the new ones, else those declared before.
    declared = OfficialDeclaration(
        nik=nik or (existing and existing.nik), phone=phone or (existing and existing.phone),
        bank_account_number=bank_account_number or (existing and existing.bank_account_number))
    refusal = _refusal(agency, user, actor, declared)
    if refusal is not None:
        raise ValidationFailed(refusal, field="email")
    newly = agency.id not in user.agency_ids(role)
    grant_role(user, role, agency_id=agency.id, actor=actor)
    if nik or phone or bank_account_number:
        declare(user, nik=nik, phone=phone, bank_account_number=bank_account_number, actor=actor)
    record("procurement.official_appointed", actor=actor, obj=user, role=role.value, agency_id=agency.id)
    if newly:
        _tell_appointed(user, role, agency)
    return user


def _tell_appointed(user: User, role: Role, agency) -> None:
    with request_context():
        link = url_for("procurement.inbox")
    message = _l("Anda ditetapkan sebagai %(role)s di %(agency)s. Tugas pengadaan Anda ada di halaman Pengadaan "
                 "BEBELI. Jika ini keliru, hubungi administrator perangkat daerah Anda.",
                 role=ROLE_LABELS[role], agency=agency.name)
    notify(user, str(message), subject=str(_l("Penetapan %(role)s", role=ROLE_LABELS[role])), link=link,
           kind="procurement")


def dismiss_official(agency, user: User, role: Role | str, *, actor) -> None:
    role = Role(role)
    if role not in OFFICIAL_ROLES or agency.id not in user.agency_ids(role):
        raise ValidationFailed(_l("Peran pengadaan tidak dikenal."))
    revoke_role(user, role, agency_id=agency.id, actor=actor)
    record("procurement.official_dismissed", actor=actor, obj=user, role=role.value, agency_id=agency.id)
