"""The directory's rules: which agencies and ASN a person sees, and the verbs that create,
change and (de)activate ASN and agencies. The field rules they share with the forms and the
importer are in directory/normalize.py.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, fields
from datetime import date
from enum import Enum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy.orm import contains_eager

from bebeli.audit.services import record
from bebeli.auth.models import Role, User
from bebeli.auth.services import create_user
from bebeli.dates import jakarta_today
from bebeli.directory.models import Agency, AgencyKind, AsnProfile, Echelon
from bebeli.directory.normalize import clean_text
from bebeli.directory.permissions import (
    can_change_login_email,
    can_edit_agencies,
    can_manage_agency,
    managed_agency_ids,
)
from bebeli.errors import Conflict, NotAllowed, ValidationFailed
from bebeli.extensions import db

# ---------------------------------------------------------------------------------------------
# What each person sees
# ---------------------------------------------------------------------------------------------

def scope_of(actor) -> set[int] | None:
    """Agency ids `actor` manages; None means all. No actor is the command line, which runs
    with the server operator's full authority."""
    return None if actor is None else managed_agency_ids(actor)


def asn_for(user) -> sa.Select:
    """ASN profiles `user` may see, with their accounts loaded."""
    stmt = db.select(AsnProfile).join(AsnProfile.user).options(contains_eager(AsnProfile.user))
    scope = scope_of(user)
    if scope is not None:
        stmt = stmt.where(AsnProfile.agency_id.in_(scope))
    return stmt


def agencies_for(user) -> sa.Select:
    stmt = db.select(Agency)
    scope = scope_of(user)
    if scope is not None:
        stmt = stmt.where(Agency.id.in_(scope))
    return stmt


def _like(column, text: str):
    return column.icontains(text, autoescape=True)


@dataclass(frozen=True)
class AsnFilters:
    q: str = ""
    agency_id: int | None = None
    echelon: Echelon | None = None
    status: str = "aktif"  # aktif | nonaktif | semua
    kind: str = ""         # "" | pns | pppk


def search_asn(user, filters: AsnFilters) -> sa.Select:
    stmt = asn_for(user)
    q = clean_text(filters.q)
    if q:
        conditions = [_like(User.name, q), _like(User.email, q)]
        digits = re.sub(r"[\s.\-]", "", q)
        if digits.isdigit():
            conditions.append(AsnProfile.nip.contains(digits))
        stmt = stmt.where(sa.or_(*conditions))
    if filters.agency_id:
        stmt = stmt.where(AsnProfile.agency_id == filters.agency_id)
    if filters.echelon:
        stmt = stmt.where(AsnProfile.echelon == filters.echelon)
    if filters.status in ("aktif", "nonaktif"):
        stmt = stmt.where(AsnProfile.is_active.is_(filters.status == "aktif"))
    if filters.kind in ("pns", "pppk"):
        stmt = stmt.where(AsnProfile.is_pppk.is_(filters.kind == "pppk"))
    return stmt.order_by(User.name, AsnProfile.id)


def search_agencies(user, *, q: str = "", kind: AgencyKind | None = None, status: str = "aktif") -> sa.Select:
    stmt = agencies_for(user)
    q = clean_text(q)
    if q:
        stmt = stmt.where(sa.or_(_like(Agency.code, q), _like(Agency.name, q)))
    if kind:
        stmt = stmt.where(Agency.kind == kind)
    if status in ("aktif", "nonaktif"):
        stmt = stmt.where(Agency.is_active.is_(status == "aktif"))
    return stmt.order_by(Agency.name, Agency.id)


def asn_counts(user) -> dict[str, int]:
    """Head counts over the ASN `user` sees, for the top of the directory."""
    stmt = db.select(
        sa.func.count(AsnProfile.id).filter(AsnProfile.is_active).label("active"),
        sa.func.count(AsnProfile.id).filter(AsnProfile.is_active, AsnProfile.is_pppk).label("pppk"),
        sa.func.count(AsnProfile.id).filter(sa.not_(AsnProfile.is_active)).label("inactive"),
    )
    scope = scope_of(user)
    if scope is not None:
        stmt = stmt.where(AsnProfile.agency_id.in_(scope))
    return db.session.execute(stmt).one()._asdict()


def active_asn_counts(agency_ids) -> dict[int, int]:
    rows = db.session.execute(
        db.select(AsnProfile.agency_id, sa.func.count(AsnProfile.id))
        .where(AsnProfile.agency_id.in_(list(agency_ids)), AsnProfile.is_active)
        .group_by(AsnProfile.agency_id)
    )
    return dict(rows.all())


def assignable_agencies(user) -> list[Agency]:
    """Active agencies `user` may put an ASN in (choices of the ASN form)."""
    return db.session.scalars(agencies_for(user).where(Agency.is_active).order_by(Agency.name)).all()


# ---------------------------------------------------------------------------------------------
# ASN
# ---------------------------------------------------------------------------------------------

@dataclass
class AsnData:
    """An ASN as typed into the form, already normalised by the field rules."""

    nip: str
    name: str
    email: str
    agency_id: int
    is_pppk: bool = False
    rank: str | None = None
    echelon: Echelon = Echelon.STAF
    position: str | None = None
    tpp_amount: int | None = None
    active_from: date | None = None


USER_FIELDS = ("name", "email")


def _json_value(value):
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    return value


def changes_between(old: dict, new: dict) -> dict:
    """{field: [old, new]} for the fields of `new` whose value differs, JSON-ready for audit."""
    return {
        key: [_json_value(old.get(key)), _json_value(value)]
        for key, value in new.items()
        if _json_value(old.get(key)) != _json_value(value)
    }


def _snapshot(asn: AsnProfile) -> dict:
    return {f.name: getattr(asn.user if f.name in USER_FIELDS else asn, f.name) for f in fields(AsnData)}


def _require_target_agency(actor, agency_id: int) -> Agency:
    agency = db.session.get(Agency, agency_id)
    if agency is None or not agency.is_active:
        raise ValidationFailed(_l("Pilih perangkat daerah yang aktif."), field="agency_id")
    if not can_manage_agency(actor, agency_id):
        raise NotAllowed(_l("Anda hanya dapat mengelola ASN perangkat daerah Anda."), field="agency_id")
    return agency


def _ensure_nip_free(nip: str, *, exclude_id: int | None = None) -> None:
    stmt = db.select(AsnProfile.id).where(AsnProfile.nip == nip)
    if exclude_id is not None:
        stmt = stmt.where(AsnProfile.id != exclude_id)
    if db.session.scalar(stmt) is not None:
        raise ValidationFailed(_l("NIP ini sudah terdaftar."), field="nip")


def create_asn(data: AsnData, *, actor) -> AsnProfile:
    """A new ASN gets a buyer account without a usable password: the person activates it
    through "Lupa kata sandi" with their NIP or email."""
    _require_target_agency(actor, data.agency_id)
    _ensure_nip_free(data.nip)
    user = create_user(email=data.email, name=data.name, roles=[Role.BUYER], actor=actor)
    fields = {k: v for k, v in asdict(data).items() if k not in USER_FIELDS}
    asn = AsnProfile(user=user, **fields)
    db.session.add(asn)
    db.session.flush()
    record("directory.asn_created", actor=actor, obj=asn, nip=asn.nip, agency_id=asn.agency_id)
    return asn


def update_asn(asn: AsnProfile, data: AsnData, *, actor) -> dict:
    """Apply the form; returns the audited changes ({} when nothing changed)."""
    if not can_manage_agency(actor, asn.agency_id):
        raise NotAllowed()
    if data.agency_id != asn.agency_id:
        _require_target_agency(actor, data.agency_id)
    if data.nip != asn.nip:
        _ensure_nip_free(data.nip, exclude_id=asn.id)
    if data.email != asn.user.email:
        if not can_change_login_email(actor, [a.role for a in asn.user.roles]):
            raise NotAllowed(_l("Email akun ini hanya dapat diubah administrator, karena akun ini juga "
                                "memiliki peran lain."), field="email")
        if db.session.scalar(db.select(User.id).where(User.email == data.email, User.id != asn.user_id)):
            raise ValidationFailed(_l("Email sudah dipakai akun lain."), field="email")
    changes = changes_between(_snapshot(asn), asdict(data))
    for key in changes:
        setattr(asn.user if key in USER_FIELDS else asn, key, getattr(data, key))
    if changes:
        db.session.flush()
        record("directory.asn_updated", actor=actor, obj=asn, changes=changes)
    return changes


def activity_until(was_active: bool, now_active: bool, current_until: date | None, today: date) -> date | None:
    """`active_until` after a status change: the day someone leaves is kept for pro-rating
    monthly obligations; reactivation clears it."""
    if was_active and not now_active:
        return today
    if now_active and not was_active:
        return None
    return current_until


def set_asn_active(asn: AsnProfile, active: bool, *, actor) -> bool:
    """(De)activate an ASN; returns False when it was already so. The account itself stays
    usable so the person can still follow up earlier orders; other modules read is_active."""
    if not can_manage_agency(actor, asn.agency_id):
        raise NotAllowed()
    if asn.is_active == active:
        return False
    if active and not asn.agency.is_active:
        raise Conflict(_l("Perangkat daerah ASN ini tidak aktif; pindahkan ASN ke perangkat daerah yang aktif "
                          "terlebih dahulu."))
    asn.active_until = activity_until(asn.is_active, active, asn.active_until, jakarta_today())
    asn.is_active = active
    record("directory.asn_activated" if active else "directory.asn_deactivated", actor=actor, obj=asn,
           nip=asn.nip)
    return True


# ---------------------------------------------------------------------------------------------
# Agencies
# ---------------------------------------------------------------------------------------------

@dataclass
class AgencyData:
    code: str
    name: str
    kind: AgencyKind = AgencyKind.DINAS
    parent_id: int | None = None
    address: str | None = None
    kecamatan: str | None = None


def _require_agency_editor(actor) -> None:
    if not can_edit_agencies(actor):
        raise NotAllowed(_l("Hanya administrator yang dapat mengubah daftar perangkat daerah."))


def _check_agency(data: AgencyData, agency: Agency | None) -> None:
    taken = db.select(Agency.id).where(Agency.code == data.code)
    if agency is not None:
        taken = taken.where(Agency.id != agency.id)
    if db.session.scalar(taken) is not None:
        raise ValidationFailed(_l("Kode perangkat daerah ini sudah dipakai."), field="code")
    if data.parent_id is None:
        return
    parent = db.session.get(Agency, data.parent_id)
    if parent is None or not parent.is_active:
        raise ValidationFailed(_l("Pilih induk yang aktif."), field="parent_id")
    # Walk up from the new parent: meeting the agency itself would make a loop.
    seen = set()
    while parent is not None and parent.id not in seen:
        if agency is not None and parent.id == agency.id:
            raise ValidationFailed(_l("Induk tidak boleh perangkat daerah ini sendiri atau bawahannya."),
                                   field="parent_id")
        seen.add(parent.id)
        parent = parent.parent


def create_agency(data: AgencyData, *, actor) -> Agency:
    _require_agency_editor(actor)
    _check_agency(data, None)
    agency = Agency(**asdict(data))
    db.session.add(agency)
    db.session.flush()
    record("directory.agency_created", actor=actor, obj=agency, code=agency.code)
    return agency


def update_agency(agency: Agency, data: AgencyData, *, actor) -> dict:
    _require_agency_editor(actor)
    _check_agency(data, agency)
    new = asdict(data)
    changes = changes_between({key: getattr(agency, key) for key in new}, new)
    for key in changes:
        setattr(agency, key, new[key])
    if changes:
        db.session.flush()
        record("directory.agency_updated", actor=actor, obj=agency, changes=changes)
    return changes


def set_agency_active(agency: Agency, active: bool, *, actor) -> bool:
    """Deactivating is refused while the agency still has active ASN or active sub-agencies:
    they would be left pointing at an agency nobody can choose any more."""
    _require_agency_editor(actor)
    if agency.is_active == active:
        return False
    if not active:
        staff = active_asn_counts([agency.id]).get(agency.id, 0)
        if staff:
            raise Conflict(ngettext("Masih ada %(num)d ASN aktif di perangkat daerah ini; pindahkan atau "
                                   "nonaktifkan mereka terlebih dahulu.",
                                   "Masih ada %(num)d ASN aktif di perangkat daerah ini; pindahkan atau "
                                   "nonaktifkan mereka terlebih dahulu.", staff))
        children = db.session.scalar(
            db.select(sa.func.count(Agency.id)).where(Agency.parent_id == agency.id, Agency.is_active))
        if children:
            raise Conflict(ngettext("Masih ada %(num)d perangkat daerah bawahan yang aktif.",
                                   "Masih ada %(num)d perangkat daerah bawahan yang aktif.", children))
    agency.is_active = active
    record("directory.agency_activated" if active else "directory.agency_deactivated", actor=actor, obj=agency,
           code=agency.code)
    return True
