"""orders: agency purchases get their own fulfilment states

Until this revision an agency order borrowed the personal channel's states: `paid` for "approved
by the PPK", `accepted` for "the seller accepted the Surat Pesanan" and `completed` from the
BAST on, before the treasurer had paid. Existing agency seller orders (and their timeline
entries) move to `approved`, `sp_accepted` and `received`; a part whose purchase the treasurer
has paid in full (stage `paid`) stays `completed`. The status column is a plain string
(native_enum=False, no CHECK constraint), so there is no schema change.

Revision ID: 0018
Revises: 0017
"""
from alembic import op
import sqlalchemy as sa


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

AGENCY_ORDERS = "SELECT id FROM orders WHERE channel = 'agency'"
# (old, new) for seller orders and their timeline entries
MOVES = (('paid', 'approved'), ('accepted', 'sp_accepted'))
UNPAID_PURCHASE = "SELECT seller_order_id FROM agency_purchases WHERE stage = 'received'"


def _move_rows(old: str, new: str, *, only_unpaid: bool = False) -> None:
    bind = op.get_bind()
    extra = f" AND id IN ({UNPAID_PURCHASE})" if only_unpaid else ""
    bind.execute(sa.text(f"UPDATE seller_orders SET status = :new WHERE status = :old "
                         f"AND order_id IN ({AGENCY_ORDERS}){extra}"), {"old": old, "new": new})
    extra = f" AND seller_order_id IN ({UNPAID_PURCHASE})" if only_unpaid else ""
    for column in ("from_status", "to_status"):
        bind.execute(sa.text(f"UPDATE order_events SET {column} = :new WHERE {column} = :old "
                             f"AND order_id IN ({AGENCY_ORDERS}){extra}"), {"old": old, "new": new})


def upgrade():
    for old, new in MOVES:
        _move_rows(old, new)
    # The BAST used to complete the order; now it leaves it waiting for the treasurer.
    _move_rows('completed', 'received', only_unpaid=True)


def downgrade():
    for old, new in MOVES:
        _move_rows(new, old)
    bind = op.get_bind()
    bind.execute(sa.text(f"UPDATE seller_orders SET status = 'completed' WHERE status = 'received' "
                         f"AND order_id IN ({AGENCY_ORDERS})"))
    for column in ("from_status", "to_status"):
        bind.execute(sa.text(f"UPDATE order_events SET {column} = 'completed' WHERE {column} = 'received' "
                             f"AND order_id IN ({AGENCY_ORDERS})"))
