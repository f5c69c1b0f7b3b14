"""Named permission rules, used by views (decorators, load-or-404) and templates alike."""
from __future__ import annotations

from functools import wraps
from typing import Callable, TypeVar

from flask import abort
from flask_login import current_user

from bebeli.auth.models import Role
from bebeli.extensions import db, login_manager
from bebeli.ids import parse_id

T = TypeVar("T")

# Who may buy: an ASN for themselves, a Pejabat Pengadaan for their agency.
BUYER_ROLES = (Role.BUYER.value, Role.PP.value)


def role_required(*roles: Role | str):
    """Allow the view to users holding any of `roles`; others get 403, anonymous go to login."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_roles = tuple(Role(r) for r in roles)
        return wrapped

    return decorator


def signed_in(user) -> bool:
    """A real account is signed in (not None, not the anonymous user)."""
    return bool(user and user.is_authenticated)


def is_admin(user) -> bool:
    return signed_in(user) and user.has_role(Role.ADMIN)


def managed_agency_ids(user) -> set[int] | None:
    """Agencies whose directory `user` may manage: None means all (admin)."""
    if is_admin(user):
        return None
    if signed_in(user):
        return user.agency_ids(Role.AGENCY_ADMIN)
    return set()


def can_manage_agency(user, agency_id: int | None) -> bool:
    scope = managed_agency_ids(user)
    return scope is None or (agency_id is not None and agency_id in scope)


def can_manage_asn(user, asn) -> bool:
    return can_manage_agency(user, asn.agency_id)


def get_or_404(model: type[T], ident, check: Callable[[object, T], bool] | None = None) -> T:
    """Load a row by primary key; 404 when absent or when `check(current_user, row)` fails,
    so other people's objects are indistinguishable from missing ones."""
    ident = parse_id(ident)  # malformed, or beyond what an id column holds: no such row
    obj = db.session.get(model, ident) if ident is not None else None
    if obj is None or (check is not None and not check(current_user, obj)):
        abort(404)
    return obj


TEMPLATE_RULES = {
    "is_admin": is_admin,
    "can_manage_agency": can_manage_agency,
    "can_manage_asn": can_manage_asn,
}
