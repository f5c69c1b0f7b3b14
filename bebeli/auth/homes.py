"""Where each role lands after signing in, and how each role is named on screen."""
from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l

from bebeli.auth.models import Role

ROLE_LABELS = {
    Role.BUYER.value: _l("ASN pembeli"),
    Role.SELLER.value: _l("Pelaku UMKM"),
    Role.ADMIN.value: _l("Administrator"),
    Role.AGENCY_ADMIN.value: _l("Operator perangkat daerah"),
    Role.PP.value: _l("Pejabat Pengadaan"),
    Role.PPK.value: _l("PPK"),
    Role.TREASURER.value: _l("Bendahara"),
}

# First match wins: the most specific role's home comes first.
ROLE_HOMES: list[tuple[Role, str]] = [
    (Role.ADMIN, "admin.dashboard"),
    (Role.AGENCY_ADMIN, "directory.asn_list"),
    (Role.SELLER, "sellers.dashboard"),
    (Role.PPK, "procurement.inbox"),
    (Role.PP, "procurement.inbox"),
    (Role.TREASURER, "procurement.inbox"),
    (Role.BUYER, "main.home"),
]


def home_url_for(user) -> str:
    for role, endpoint in ROLE_HOMES:
        if user.has_role(role):
            return url_for(endpoint)
    return url_for("main.home")
