"""payment status events: every move of an order's payment status, with who and why

Revision ID: 0016
Revises: 0015
"""
from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'payment_status_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('order_id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('from_status', sa.String(length=24), nullable=False),
        sa.Column('to_status', sa.String(length=24), nullable=False),
        sa.Column('reason', sa.String(length=40), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('actor_kind', sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_payment_status_events_actor_id_users'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_payment_status_events_order_id_orders'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_status_events')),
    )
    with op.batch_alter_table('payment_status_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_status_events_order_id'), ['order_id'], unique=False)


def downgrade():
    with op.batch_alter_table('payment_status_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_status_events_order_id'))
    op.drop_table('payment_status_events')
