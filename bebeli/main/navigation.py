"""Where each role lands, and the navigation each role sees.

Modules add their links here by endpoint; a link is shown only when its endpoint is
registered, so a feature that is not built yet never appears in the menu.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, request, url_for
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


@dataclass(frozen=True)
class NavLink:
    endpoint: str
    label: object
    roles: tuple[Role, ...] = ()  # empty: everyone (signed in or not)
    anonymous_only: bool = False


NAV_LINKS: list[NavLink] = [
    NavLink("main.home", _l("Beranda")),
    NavLink("catalog.search", _l("Katalog")),
    NavLink("cart.view", _l("Keranjang"), (Role.BUYER, Role.PP)),
    NavLink("orders.index", _l("Pesanan Saya"), (Role.BUYER, Role.PP)),
    NavLink("sellers.dashboard", _l("Toko Saya"), (Role.SELLER,)),
    NavLink("orders.seller_index", _l("Pesanan Masuk"), (Role.SELLER,)),
    NavLink("procurement.inbox", _l("Pengadaan"), (Role.PP, Role.PPK, Role.TREASURER, Role.SELLER, Role.AGENCY_ADMIN)),
    NavLink("directory.asn_list", _l("Direktori ASN"), (Role.ADMIN, Role.AGENCY_ADMIN)),
    NavLink("quotas.dashboard", _l("Pemantauan"), (Role.ADMIN, Role.AGENCY_ADMIN)),
    NavLink("admin.dashboard", _l("Admin"), (Role.ADMIN,)),
    NavLink("notifications.index", _l("Notifikasi"), tuple(Role)),
    NavLink("sellers.register", _l("Daftar UMKM"), anonymous_only=True),
]


def _registered(endpoint: str) -> bool:
    return endpoint in current_app.view_functions


def home_url_for(user) -> str:
    for role, endpoint in ROLE_HOMES:
        if user.has_role(role) and _registered(endpoint):
            return url_for(endpoint)
    return url_for("main.home")


def nav_links_for(user) -> list[dict]:
    links = []
    signed_in = bool(user and user.is_authenticated)
    for link in NAV_LINKS:
        if not _registered(link.endpoint):
            continue
        if link.anonymous_only and signed_in:
            continue
        if link.roles and not (signed_in and user.has_role(*link.roles)):
            continue
        href = url_for(link.endpoint)
        active = request.endpoint == link.endpoint or (
            href != "/" and request.path.startswith(href)
        )
        links.append({"href": href, "label": link.label, "active": active})
    return links
