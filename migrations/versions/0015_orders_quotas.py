"""quotas: an ASN without `active_from` owes from the day they were registered

Until this revision such an ASN was taken to owe the monthly minimum in every month, also the
months before they were created or imported, and a closed month frozen since then keeps that
shortfall. The months whose frozen rows hold such an obligation are thawed (their marker in
quota_frozen_months removed, as editing a policy does), so the next look computes and freezes
them again by the rule. No schema change.

Revision ID: 0015
Revises: 0014
"""
from datetime import date, datetime, timedelta, timezone

from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

JAKARTA = timezone(timedelta(hours=7))  # Asia/Jakarta keeps UTC+7 all year


def _month_registered(created_at) -> date:
    if isinstance(created_at, str):  # SQLite hands back the stored text
        created_at = datetime.fromisoformat(created_at)
    if created_at.tzinfo is None:
        created_at = created_at.replace(tzinfo=timezone.utc)
    return created_at.astimezone(JAKARTA).date().replace(day=1)


def _as_date(value) -> date:
    return date.fromisoformat(value[:10]) if isinstance(value, str) else value


def upgrade():
    bind = op.get_bind()
    rows = bind.execute(sa.text(
        "SELECT DISTINCT qm.month, a.created_at FROM quota_months qm "
        "JOIN quota_frozen_months f ON f.month = qm.month "
        "JOIN asn_profiles a ON a.user_id = qm.user_id "
        "WHERE qm.minimum_amount IS NOT NULL AND a.active_from IS NULL"
    )).all()
    # The registration month itself too: it is now pro-rated from the day of registration.
    months = sorted({_as_date(month) for month, created_at in rows if _as_date(month) <= _month_registered(created_at)})
    for month in months:
        bind.execute(sa.text("DELETE FROM quota_frozen_months WHERE month = :month"), {"month": month})


def downgrade():
    pass  # thawed months are frozen again on the next look; nothing to undo
