"""quotas: policies, rank tables, exemptions, the ledger and its summaries

Revision ID: 0011
Revises: 0010
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('quota_policies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('applies_to_all', sa.Boolean(), nullable=False),
    sa.Column('minimum_kind', sa.Enum('by_rank', 'tpp_percent', 'none', name='minimumkind', native_enum=False, length=20), nullable=False),
    sa.Column('tpp_basis_points', sa.Integer(), nullable=True),
    sa.Column('ceiling_amount', sa.BigInteger(), nullable=True),
    sa.Column('agency_target_amount', sa.BigInteger(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('agency_target_amount IS NULL OR agency_target_amount > 0', name=op.f('ck_quota_policies_target_positive')),
    sa.CheckConstraint('ceiling_amount IS NULL OR ceiling_amount > 0', name=op.f('ck_quota_policies_ceiling_positive')),
    sa.CheckConstraint('tpp_basis_points IS NULL OR (tpp_basis_points > 0 AND tpp_basis_points <= 10000)', name=op.f('ck_quota_policies_tpp_basis_points_range')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_quota_policies_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quota_policies'))
    )
    with op.batch_alter_table('quota_policies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quota_policies_effective_from'), ['effective_from'], unique=False)

    op.create_table('quota_rank_amounts',
    sa.Column('policy_id', sa.Integer(), nullable=False),
    sa.Column('echelon', sa.Enum('staf', 'iv', 'iii', 'ii', 'i', name='echelon', native_enum=False, length=20), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('amount >= 0', name=op.f('ck_quota_rank_amounts_amount_not_negative')),
    sa.ForeignKeyConstraint(['policy_id'], ['quota_policies.id'], name=op.f('fk_quota_rank_amounts_policy_id_quota_policies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('policy_id', 'echelon', name=op.f('pk_quota_rank_amounts'))
    )

    op.create_table('quota_policy_agencies',
    sa.Column('policy_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_quota_policy_agencies_agency_id_agencies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['policy_id'], ['quota_policies.id'], name=op.f('fk_quota_policy_agencies_policy_id_quota_policies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('policy_id', 'agency_id', name=op.f('pk_quota_policy_agencies'))
    )
    with op.batch_alter_table('quota_policy_agencies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quota_policy_agencies_agency_id'), ['agency_id'], unique=False)

    op.create_table('quota_exemptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('asn_id', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('reason', sa.Enum('leave', 'transfer', 'sick', 'other', name='exemptionreason', native_enum=False, length=20), nullable=False),
    sa.Column('note', sa.String(length=255), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('ends_on >= starts_on', name=op.f('ck_quota_exemptions_dates_ordered')),
    sa.ForeignKeyConstraint(['asn_id'], ['asn_profiles.id'], name=op.f('fk_quota_exemptions_asn_id_asn_profiles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_quota_exemptions_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quota_exemptions'))
    )
    with op.batch_alter_table('quota_exemptions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quota_exemptions_asn_id'), ['asn_id'], unique=False)

    op.create_table('quota_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=True),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('seller_order_id', sa.Integer(), nullable=False),
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.Enum('purchase', 'reduction', name='entrykind', native_enum=False, length=20), nullable=False),
    sa.Column('reason', sa.String(length=24), nullable=True),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_quota_entries_agency_id_agencies'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_quota_entries_category_id_categories'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_quota_entries_order_id_orders'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['seller_order_id'], ['seller_orders.id'], name=op.f('fk_quota_entries_seller_order_id_seller_orders'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_quota_entries_shop_id_shops'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_quota_entries_user_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quota_entries'))
    )
    with op.batch_alter_table('quota_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quota_entries_order_id'), ['order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_quota_entries_seller_order_id'), ['seller_order_id'], unique=False)
        batch_op.create_index('ix_quota_entries_user_month', ['user_id', 'month'], unique=False)

    op.create_table('quota_months',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('counted_amount', sa.BigInteger(), nullable=False),
    sa.Column('reserved_amount', sa.BigInteger(), nullable=False),
    sa.Column('minimum_amount', sa.BigInteger(), nullable=True),
    sa.Column('agency_id', sa.Integer(), nullable=True),
    sa.Column('policy_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('counted_amount >= 0 AND reserved_amount >= 0', name=op.f('ck_quota_months_amounts_not_negative')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_quota_months_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'month', name=op.f('pk_quota_months'))
    )
    with op.batch_alter_table('quota_months', schema=None) as batch_op:
        batch_op.create_index('ix_quota_months_agency_month', ['agency_id', 'month'], unique=False)
        batch_op.create_index('ix_quota_months_month', ['month'], unique=False)

    op.create_table('quota_frozen_months',
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('frozen_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('month', name=op.f('pk_quota_frozen_months'))
    )

    op.create_table('quota_agency_months',
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('obligated', sa.Integer(), nullable=False),
    sa.Column('attained', sa.Integer(), nullable=False),
    sa.Column('counted_amount', sa.BigInteger(), nullable=False),
    sa.Column('shortfall_amount', sa.BigInteger(), nullable=False),
    sa.Column('target_amount', sa.BigInteger(), nullable=True),
    sa.PrimaryKeyConstraint('month', 'agency_id', name=op.f('pk_quota_agency_months'))
    )

    op.create_table('quota_holds',
    sa.Column('seller_order_id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('amount >= 0', name=op.f('ck_quota_holds_amount_not_negative')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_quota_holds_order_id_orders'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['seller_order_id'], ['seller_orders.id'], name=op.f('fk_quota_holds_seller_order_id_seller_orders'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_quota_holds_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('seller_order_id', name=op.f('pk_quota_holds'))
    )
    with op.batch_alter_table('quota_holds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quota_holds_order_id'), ['order_id'], unique=False)

    op.create_table('quota_spend',
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('month', 'agency_id', 'shop_id', 'category_id', name=op.f('pk_quota_spend'))
    )
    with op.batch_alter_table('quota_spend', schema=None) as batch_op:
        batch_op.create_index('ix_quota_spend_agency_month', ['agency_id', 'month'], unique=False)

    op.create_table('quota_reminders',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('shortfall_amount', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_quota_reminders_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'month', name=op.f('pk_quota_reminders'))
    )


def downgrade():
    op.drop_table('quota_reminders')
    op.drop_table('quota_spend')
    op.drop_table('quota_holds')
    op.drop_table('quota_agency_months')
    op.drop_table('quota_frozen_months')
    op.drop_table('quota_months')
    op.drop_table('quota_entries')
    op.drop_table('quota_exemptions')
    op.drop_table('quota_policy_agencies')
    op.drop_table('quota_rank_amounts')
    op.drop_table('quota_policies')
