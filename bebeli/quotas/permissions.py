"""Who sees which quota figures: admins everything, agency admins their own agencies."""
from __future__ import annotations

from sqlalchemy import select

from bebeli.auth.permissions import can_manage_agency, can_manage_asn, managed_agency_ids
from bebeli.directory.models import AsnProfile
from bebeli.quotas.models import QuotaExemption
from bebeli.quotas.obligations import EVERYONE, Scope


def quota_scope_for(user) -> Scope:
    """The one rule limiting dashboard figures, drill-downs and exports to a user's agencies."""
    agency_ids = managed_agency_ids(user)
    return EVERYONE if agency_ids is None else Scope(frozenset(agency_ids))


def can_view_agency_quota(user, agency) -> bool:
    return can_manage_agency(user, agency.id)


def can_view_asn_quota(user, asn) -> bool:
    return can_manage_asn(user, asn)


def can_manage_exemption(user, exemption) -> bool:
    return can_manage_asn(user, exemption.asn)


def exemptions_for(user):
    """Exemptions of the ASN a monitor may see, newest first."""
    scope = quota_scope_for(user)
    stmt = (select(QuotaExemption).join(AsnProfile, AsnProfile.id == QuotaExemption.asn_id)
            .order_by(QuotaExemption.starts_on.desc(), QuotaExemption.id.desc()))
    return stmt if scope.agency_ids is None else stmt.where(AsnProfile.agency_id.in_(scope.agency_ids))
