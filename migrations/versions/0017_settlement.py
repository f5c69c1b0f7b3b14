"""settlement: the shop ledger, its running balances, payout batches and payouts; the platform
fee rate frozen on each order line (0 for lines placed before)

Revision ID: 0017
Revises: 0016
"""
from alembic import op
import sqlalchemy as sa


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('payout_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('period_key', sa.String(length=20), nullable=True),
    sa.Column('status', sa.Enum('open', 'closed', name='batchstatus', native_enum=False, length=20), nullable=False),
    sa.Column('total_amount', sa.BigInteger(), nullable=False),
    sa.Column('payout_count', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_payout_batches_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payout_batches')),
    sa.UniqueConstraint('number', name=op.f('uq_payout_batches_number')),
    sa.UniqueConstraint('period_key', name=op.f('uq_payout_batches_period_key'))
    )
    with op.batch_alter_table('payout_batches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payout_batches_status'), ['status'], unique=False)

    op.create_table('payouts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('bank_name', sa.String(length=60), nullable=False),
    sa.Column('bank_code', sa.String(length=10), nullable=True),
    sa.Column('account_number', sa.String(length=20), nullable=False),
    sa.Column('account_name', sa.String(length=120), nullable=False),
    sa.Column('reference', sa.String(length=40), nullable=False),
    sa.Column('status', sa.Enum('pending', 'paid', 'returned', name='payoutstatus', native_enum=False, length=20), nullable=False),
    sa.Column('bank_reference', sa.String(length=80), nullable=True),
    sa.Column('paid_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('returned_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('return_reason', sa.Text(), nullable=True),
    sa.Column('marked_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_payouts_amount_positive')),
    sa.ForeignKeyConstraint(['batch_id'], ['payout_batches.id'], name=op.f('fk_payouts_batch_id_payout_batches'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['marked_by_id'], ['users.id'], name=op.f('fk_payouts_marked_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_payouts_shop_id_shops'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payouts')),
    sa.UniqueConstraint('reference', name=op.f('uq_payouts_reference'))
    )
    with op.batch_alter_table('payouts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payouts_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payouts_shop_id'), ['shop_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payouts_status'), ['status'], unique=False)

    op.create_table('shop_balances',
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('balance_amount', sa.BigInteger(), nullable=False),
    sa.Column('entry_count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_shop_balances_shop_id_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('shop_id', name=op.f('pk_shop_balances'))
    )
    op.create_table('ledger_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('sale', 'fee', 'refund', 'payout', 'payout_returned', 'adjustment', 'outside_sale', 'outside_paid', name='entrykind', native_enum=False, length=20), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('available_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('seller_order_id', sa.Integer(), nullable=True),
    sa.Column('payout_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('amount <> 0', name=op.f('ck_ledger_entries_amount_not_zero')),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_ledger_entries_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_ledger_entries_order_id_orders'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['payout_id'], ['payouts.id'], name=op.f('fk_ledger_entries_payout_id_payouts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['seller_order_id'], ['seller_orders.id'], name=op.f('fk_ledger_entries_seller_order_id_seller_orders'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_ledger_entries_shop_id_shops'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_entries')),
    sa.UniqueConstraint('key', name=op.f('uq_ledger_entries_key'))
    )
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_entries_order_id'), ['order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_entries_payout_id'), ['payout_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_entries_seller_order_id'), ['seller_order_id'], unique=False)
        batch_op.create_index('ix_ledger_entries_shop_at', ['shop_id', 'at'], unique=False)
        batch_op.create_index('ix_ledger_entries_shop_available', ['shop_id', 'available_at'], unique=False)

    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('platform_fee_bp', sa.Integer(), nullable=False, server_default=sa.text('0')))



def downgrade():
    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.drop_column('platform_fee_bp')

    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_ledger_entries_shop_available')
        batch_op.drop_index('ix_ledger_entries_shop_at')
        batch_op.drop_index(batch_op.f('ix_ledger_entries_seller_order_id'))
        batch_op.drop_index(batch_op.f('ix_ledger_entries_payout_id'))
        batch_op.drop_index(batch_op.f('ix_ledger_entries_order_id'))

    op.drop_table('ledger_entries')
    op.drop_table('shop_balances')
    with op.batch_alter_table('payouts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payouts_status'))
        batch_op.drop_index(batch_op.f('ix_payouts_shop_id'))
        batch_op.drop_index(batch_op.f('ix_payouts_batch_id'))

    op.drop_table('payouts')
    with op.batch_alter_table('payout_batches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payout_batches_status'))

    op.drop_table('payout_batches')
