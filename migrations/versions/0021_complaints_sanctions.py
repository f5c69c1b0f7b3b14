"""complaints and their photos, payout holds of seller orders under complaint, sanctions on shops
and the end of a shop's offers hide

Revision ID: 0021
Revises: 0019
"""
from alembic import op
import sqlalchemy as sa


revision = '0021'
down_revision = '0019'
branch_labels = None
depends_on = None

REMEDIES = ('replacement', 'partial_refund', 'full_refund', 'contest')


def upgrade():
    op.create_table('complaints',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seller_order_id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('buyer_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('wrong_item', 'damaged', 'not_received', 'not_as_described', name='complaintkind',
                              native_enum=False, length=20), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('awaiting_seller', 'awaiting_buyer', 'escalated', 'resolved', name='complaintstatus',
                                native_enum=False, length=20), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('offer', sa.Enum(*REMEDIES, name='remedy', native_enum=False, length=20), nullable=True),
    sa.Column('offer_amount', sa.BigInteger(), nullable=True),
    sa.Column('offer_note', sa.Text(), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('escalated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('escalation_note', sa.Text(), nullable=True),
    sa.Column('outcome', sa.Enum(*REMEDIES, name='remedy', native_enum=False, length=20), nullable=True),
    sa.Column('outcome_amount', sa.BigInteger(), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('offer_amount IS NULL OR offer_amount > 0', name=op.f('ck_complaints_offer_amount_positive')),
    sa.CheckConstraint('outcome_amount IS NULL OR outcome_amount >= 0',
                       name=op.f('ck_complaints_outcome_amount_not_negative')),
    sa.ForeignKeyConstraint(['buyer_id'], ['users.id'], name=op.f('fk_complaints_buyer_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_complaints_order_id_orders'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['users.id'], name=op.f('fk_complaints_resolved_by_id_users'),
                            ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['seller_order_id'], ['seller_orders.id'],
                            name=op.f('fk_complaints_seller_order_id_seller_orders'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_complaints_shop_id_shops'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaints')),
    sa.UniqueConstraint('seller_order_id', name=op.f('uq_complaints_seller_order_id'))
    )
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaints_order_id'), ['order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaints_shop_id'), ['shop_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaints_buyer_id'), ['buyer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaints_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaints_due_at'), ['due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaints_resolved_at'), ['resolved_at'], unique=False)
        batch_op.create_index('ix_complaints_shop_resolved', ['shop_id', 'resolved_at'], unique=False)

    op.create_table('complaint_photos',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('complaint_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaints.id'], name=op.f('fk_complaint_photos_complaint_id_complaints'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaint_photos'))
    )
    with op.batch_alter_table('complaint_photos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaint_photos_complaint_id'), ['complaint_id'], unique=False)

    op.create_table('settlement_holds',
    sa.Column('seller_order_id', sa.Integer(), nullable=False),
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=40), nullable=False),
    sa.Column('since', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['seller_order_id'], ['seller_orders.id'],
                            name=op.f('fk_settlement_holds_seller_order_id_seller_orders'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_settlement_holds_shop_id_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('seller_order_id', name=op.f('pk_settlement_holds'))
    )
    with op.batch_alter_table('settlement_holds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_settlement_holds_shop_id'), ['shop_id'], unique=False)

    op.create_table('sanctions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('warning', 'hide', 'suspension', name='sanctionkind', native_enum=False, length=20),
              nullable=False),
    sa.Column('rule', sa.String(length=60), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_sanctions_created_by_id_users'),
                            ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_sanctions_shop_id_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sanctions'))
    )
    with op.batch_alter_table('sanctions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sanctions_shop_id'), ['shop_id'], unique=False)

    with op.batch_alter_table('shops', schema=None) as batch_op:
        batch_op.add_column(sa.Column('offers_hidden_until', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('shops', schema=None) as batch_op:
        batch_op.drop_column('offers_hidden_until')
    op.drop_table('sanctions')
    op.drop_table('settlement_holds')
    op.drop_table('complaint_photos')
    op.drop_table('complaints')
