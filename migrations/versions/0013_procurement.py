"""procurement: budget lines, agency purchases, price offers, treasurer payments

Revision ID: 0013
Revises: 0012
"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('agency_budgets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('goods_services_amount', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('goods_services_amount > 0', name=op.f('ck_agency_budgets_amount_positive')),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_agency_budgets_agency_id_agencies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agency_budgets')),
    sa.UniqueConstraint('agency_id', 'fiscal_year', name='uq_agency_budgets_agency_year')
    )
    op.create_table('budget_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('pagu_amount', sa.BigInteger(), nullable=False),
    sa.Column('used_amount', sa.BigInteger(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('pagu_amount > 0', name=op.f('ck_budget_lines_pagu_positive')),
    sa.CheckConstraint('used_amount >= 0 AND used_amount <= pagu_amount', name=op.f('ck_budget_lines_used_within_pagu')),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_budget_lines_agency_id_agencies'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_lines')),
    sa.UniqueConstraint('agency_id', 'fiscal_year', 'code', name='uq_budget_lines_agency_year_code')
    )
    with op.batch_alter_table('budget_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_budget_lines_agency_id'), ['agency_id'], unique=False)

    op.create_table('official_declarations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('nik', sa.String(length=16), nullable=True),
    sa.Column('phone', sa.String(length=15), nullable=True),
    sa.Column('bank_account_number', sa.String(length=20), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_official_declarations_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_official_declarations')),
    sa.UniqueConstraint('user_id', name=op.f('uq_official_declarations_user_id'))
    )
    with op.batch_alter_table('official_declarations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_official_declarations_bank_account_number'), ['bank_account_number'], unique=False)
        batch_op.create_index(batch_op.f('ix_official_declarations_nik'), ['nik'], unique=False)
        batch_op.create_index(batch_op.f('ix_official_declarations_phone'), ['phone'], unique=False)

    op.create_table('agency_purchases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('seller_order_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('budget_line_id', sa.Integer(), nullable=False),
    sa.Column('pp_id', sa.Integer(), nullable=False),
    sa.Column('ppk_id', sa.Integer(), nullable=False),
    sa.Column('stage', sa.Enum('awaiting_approval', 'returned', 'approved', 'received', 'paid', 'cancelled', name='stage', native_enum=False, length=20), nullable=False),
    sa.Column('return_note', sa.Text(), nullable=True),
    sa.Column('charged_amount', sa.BigInteger(), nullable=False),
    sa.Column('sp_number', sa.String(length=40), nullable=True),
    sa.Column('sp_date', sa.Date(), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('bast_number', sa.String(length=40), nullable=True),
    sa.Column('bast_date', sa.Date(), nullable=True),
    sa.Column('bast_note', sa.Text(), nullable=True),
    sa.Column('invoice_number', sa.String(length=40), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('dpp_amount', sa.BigInteger(), nullable=False),
    sa.Column('ppn_amount', sa.BigInteger(), nullable=False),
    sa.Column('ppn_rate_bp', sa.Integer(), nullable=False),
    sa.Column('delivery_amount', sa.BigInteger(), nullable=False),
    sa.Column('pph22_amount', sa.BigInteger(), nullable=False),
    sa.Column('pph22_rate_bp', sa.Integer(), nullable=False),
    sa.Column('ppn_withheld_amount', sa.BigInteger(), nullable=False),
    sa.Column('net_amount', sa.BigInteger(), nullable=False),
    sa.Column('paid_amount', sa.BigInteger(), nullable=False),
    sa.Column('paid_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('charged_amount >= 0', name=op.f('ck_agency_purchases_charged_not_negative')),
    sa.CheckConstraint('paid_amount >= 0', name=op.f('ck_agency_purchases_paid_not_negative')),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_agency_purchases_agency_id_agencies'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['budget_line_id'], ['budget_lines.id'], name=op.f('fk_agency_purchases_budget_line_id_budget_lines'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_agency_purchases_order_id_orders'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['pp_id'], ['users.id'], name=op.f('fk_agency_purchases_pp_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['ppk_id'], ['users.id'], name=op.f('fk_agency_purchases_ppk_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['seller_order_id'], ['seller_orders.id'], name=op.f('fk_agency_purchases_seller_order_id_seller_orders'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_agency_purchases_shop_id_shops'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agency_purchases')),
    sa.UniqueConstraint('bast_number', name=op.f('uq_agency_purchases_bast_number')),
    sa.UniqueConstraint('invoice_number', name=op.f('uq_agency_purchases_invoice_number')),
    sa.UniqueConstraint('seller_order_id', name=op.f('uq_agency_purchases_seller_order_id')),
    sa.UniqueConstraint('sp_number', name=op.f('uq_agency_purchases_sp_number'))
    )
    with op.batch_alter_table('agency_purchases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agency_purchases_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_agency_purchases_approved_at'), ['approved_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_agency_purchases_budget_line_id'), ['budget_line_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_agency_purchases_order_id'), ['order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_agency_purchases_paid_at'), ['paid_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_agency_purchases_pp_id'), ['pp_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_agency_purchases_ppk_id'), ['ppk_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_agency_purchases_shop_id'), ['shop_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_agency_purchases_stage'), ['stage'], unique=False)

    op.create_table('agency_payments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('purchase_id', sa.Integer(), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=False),
    sa.Column('reference', sa.String(length=80), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_agency_payments_amount_positive')),
    sa.ForeignKeyConstraint(['purchase_id'], ['agency_purchases.id'], name=op.f('fk_agency_payments_purchase_id_agency_purchases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_agency_payments_recorded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agency_payments'))
    )
    with op.batch_alter_table('agency_payments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agency_payments_purchase_id'), ['purchase_id'], unique=False)

    op.create_table('price_offers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('purchase_id', sa.Integer(), nullable=False),
    sa.Column('order_line_id', sa.Integer(), nullable=False),
    sa.Column('side', sa.Enum('buyer', 'seller', name='offerside', native_enum=False, length=20), nullable=False),
    sa.Column('unit_price_amount', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'accepted', 'countered', 'declined', name='offerstatus', native_enum=False, length=20), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('responded_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('unit_price_amount > 0', name=op.f('ck_price_offers_price_positive')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_price_offers_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['order_line_id'], ['order_lines.id'], name=op.f('fk_price_offers_order_line_id_order_lines'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['purchase_id'], ['agency_purchases.id'], name=op.f('fk_price_offers_purchase_id_agency_purchases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_price_offers'))
    )
    with op.batch_alter_table('price_offers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_price_offers_order_line_id'), ['order_line_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_price_offers_purchase_id'), ['purchase_id'], unique=False)



def downgrade():
    with op.batch_alter_table('price_offers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_price_offers_purchase_id'))
        batch_op.drop_index(batch_op.f('ix_price_offers_order_line_id'))

    op.drop_table('price_offers')
    with op.batch_alter_table('agency_payments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agency_payments_purchase_id'))

    op.drop_table('agency_payments')
    with op.batch_alter_table('agency_purchases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agency_purchases_stage'))
        batch_op.drop_index(batch_op.f('ix_agency_purchases_shop_id'))
        batch_op.drop_index(batch_op.f('ix_agency_purchases_ppk_id'))
        batch_op.drop_index(batch_op.f('ix_agency_purchases_pp_id'))
        batch_op.drop_index(batch_op.f('ix_agency_purchases_paid_at'))
        batch_op.drop_index(batch_op.f('ix_agency_purchases_order_id'))
        batch_op.drop_index(batch_op.f('ix_agency_purchases_budget_line_id'))
        batch_op.drop_index(batch_op.f('ix_agency_purchases_approved_at'))
        batch_op.drop_index(batch_op.f('ix_agency_purchases_agency_id'))

    op.drop_table('agency_purchases')
    with op.batch_alter_table('official_declarations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_official_declarations_phone'))
        batch_op.drop_index(batch_op.f('ix_official_declarations_nik'))
        batch_op.drop_index(batch_op.f('ix_official_declarations_bank_account_number'))

    op.drop_table('official_declarations')
    with op.batch_alter_table('budget_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_budget_lines_agency_id'))

    op.drop_table('budget_lines')
    op.drop_table('agency_budgets')
