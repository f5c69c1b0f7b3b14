"""Demo quota policy: the fixed-by-echelon minimums many regencies use, with a ceiling."""
from __future__ import annotations

from datetime import date

from bebeli.auth.models import User
from bebeli.directory.models import Echelon
from bebeli.extensions import db
from bebeli.quotas.models import MinimumKind, QuotaPolicy
from bebeli.quotas.services import save_policy

POLICY_NAME = "Gerakan Bekasi Berani Beli"
RANK_AMOUNTS = {Echelon.STAF: 50_000, Echelon.IV: 75_000, Echelon.III: 150_000, Echelon.II: 200_000,
                Echelon.I: 250_000}


def seed(accounts: list, password: str) -> None:
    if db.session.scalar(db.select(QuotaPolicy.id).where(QuotaPolicy.name == POLICY_NAME)):
        return
    admin = db.session.scalar(db.select(User).where(User.email == "admin@bebeli.test"))
    save_policy(
        None, actor=admin, name=POLICY_NAME, effective_from=date(2024, 1, 1), minimum_kind=MinimumKind.BY_RANK,
        rank_amounts=RANK_AMOUNTS, tpp_basis_points=None, ceiling_amount=2_000_000,
        agency_target_amount=5_000_000, applies_to_all=True, agency_ids=[],
        note="Contoh: belanja minimum bulanan ASN pada UMKM lokal menurut eselon.",
    )
