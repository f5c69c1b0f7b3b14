"""Who may do what in the directory.

Admins manage every agency and ASN; an agency admin manages the ASN of the agencies named
in their `agency_admin` role assignments and nothing else. The agency-scope rules live in
bebeli.auth.permissions (the login and navigation use them too) and are re-exported here.
"""
from __future__ import annotations

from bebeli.auth.models import Role
from bebeli.auth.permissions import can_manage_agency, can_manage_asn, is_admin, managed_agency_ids, signed_in

__all__ = [
    "MANAGER_ROLES", "TEMPLATE_RULES", "can_change_login_email", "can_edit_agencies", "can_manage_agency",
    "can_manage_asn", "can_use_import_batch", "managed_agency_ids",
]

# Who manages the directory (each within their scope): the web screens and the import command.
MANAGER_ROLES = (Role.ADMIN.value, Role.AGENCY_ADMIN.value)


def can_edit_agencies(user) -> bool:
    """Creating, editing and deactivating agencies shapes everyone's scope: admins only."""
    return is_admin(user)


def can_change_login_email(actor, account_roles) -> bool:
    """The email is the login and the password-reset address: whoever changes it can take
    the account over. Agency admins may change it only on plain ASN accounts, never on an
    account that also holds another role (an admin, a seller, another agency's official)."""
    return is_admin(actor) or {Role(r) for r in account_roles} <= {Role.BUYER}


def can_use_import_batch(user, batch) -> bool:
    """A preview belongs to the person who uploaded it."""
    return signed_in(user) and batch.created_by_id == user.id


TEMPLATE_RULES = {
    "can_edit_agencies": can_edit_agencies,
}
