"""Who may see and do what in the agency channel. Used by views and templates alike."""
from __future__ import annotations

from bebeli.auth.models import Role
from bebeli.auth.permissions import can_manage_agency, is_admin, signed_in
from bebeli.procurement.models import AgencyPurchase
from bebeli.sellers.permissions import is_seller_of

# The agency's procurement officials: Pejabat Pengadaan, PPK and Bendahara.
OFFICIAL_ROLES = (Role.PP, Role.PPK, Role.TREASURER)


def official_agency_ids(user) -> set[int]:
    """Agencies in which `user` is PP, PPK or Bendahara."""
    if not signed_in(user):
        return set()
    return set().union(*(user.agency_ids(role) for role in OFFICIAL_ROLES))


def can_set_up(user, agency_id: int | None) -> bool:
    """Budget lines and officials: the admin, or the agency's own administrator."""
    return signed_in(user) and can_manage_agency(user, agency_id)


def is_pp_of(user, purchase: AgencyPurchase) -> bool:
    return signed_in(user) and purchase.agency_id in user.agency_ids(Role.PP)


def is_ppk_of(user, purchase: AgencyPurchase) -> bool:
    """Only the PPK the PP named acts on a purchase, and only while still PPK there."""
    return signed_in(user) and purchase.ppk_id == user.id and purchase.agency_id in user.agency_ids(Role.PPK)


def is_treasurer_of(user, purchase: AgencyPurchase) -> bool:
    return signed_in(user) and purchase.agency_id in user.agency_ids(Role.TREASURER)


def can_view_purchase(user, purchase: AgencyPurchase) -> bool:
    return signed_in(user) and (
        is_admin(user)
        or purchase.agency_id in official_agency_ids(user)
        or purchase.agency_id in user.agency_ids(Role.AGENCY_ADMIN)
        or is_seller_of(user, purchase)
    )


TEMPLATE_RULES = {
    "is_pp_of": is_pp_of,
    "is_ppk_of": is_ppk_of,
    "is_treasurer_of": is_treasurer_of,
    "is_seller_of": is_seller_of,
    "can_set_up_procurement": can_set_up,
}
