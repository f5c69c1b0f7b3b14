"""orders and payments (issue 5)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 04:27:18.052030

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('orders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('buyer_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.Enum('personal', 'agency', name='channel', native_enum=False, length=24), nullable=False),
    sa.Column('payment_status', sa.Enum('unpaid', 'paid', 'failed', 'expired', 'partially_refunded', 'refunded', name='paymentstatus', native_enum=False, length=24), nullable=False),
    sa.Column('goods_amount', sa.BigInteger(), nullable=False),
    sa.Column('ppn_amount', sa.BigInteger(), nullable=False),
    sa.Column('delivery_amount', sa.BigInteger(), nullable=False),
    sa.Column('total_amount', sa.BigInteger(), nullable=False),
    sa.Column('refunded_amount', sa.BigInteger(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=64), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('paid_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('payment_reference', sa.String(length=255), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('refunded_amount <= total_amount', name=op.f('ck_orders_refund_within_total')),
    sa.CheckConstraint('total_amount >= 0 AND refunded_amount >= 0', name=op.f('ck_orders_amounts_not_negative')),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_orders_agency_id_agencies'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['buyer_id'], ['users.id'], name=op.f('fk_orders_buyer_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_orders')),
    sa.UniqueConstraint('buyer_id', 'idempotency_key', name='uq_orders_buyer_idempotency'),
    sa.UniqueConstraint('number', name=op.f('uq_orders_number'))
    )
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_orders_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_orders_buyer_id'), ['buyer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_orders_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_orders_paid_at'), ['paid_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_orders_payment_status'), ['payment_status'], unique=False)

    op.create_table('seller_orders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('status', sa.Enum('awaiting_approval', 'awaiting_payment', 'paid', 'accepted', 'rejected', 'shipped', 'delivered', 'completed', 'cancelled', 'expired', name='fulfilmentstatus', native_enum=False, length=24), nullable=False),
    sa.Column('fulfilment_method', sa.Enum('pickup', 'delivery', name='fulfilmentmethod', native_enum=False, length=24), nullable=False),
    sa.Column('delivery_address', sa.Text(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('goods_amount', sa.BigInteger(), nullable=False),
    sa.Column('ppn_amount', sa.BigInteger(), nullable=False),
    sa.Column('ppn_rate_bp', sa.Integer(), nullable=False),
    sa.Column('delivery_fee_amount', sa.BigInteger(), nullable=False),
    sa.Column('total_amount', sa.BigInteger(), nullable=False),
    sa.Column('refunded_amount', sa.BigInteger(), nullable=False),
    sa.Column('courier', sa.String(length=60), nullable=True),
    sa.Column('tracking_number', sa.String(length=80), nullable=True),
    sa.Column('status_reason', sa.Text(), nullable=True),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('shipped_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('refunded_amount <= total_amount', name=op.f('ck_seller_orders_refund_within_total')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_seller_orders_order_id_orders'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_seller_orders_shop_id_shops'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_seller_orders')),
    sa.UniqueConstraint('number', name=op.f('uq_seller_orders_number'))
    )
    with op.batch_alter_table('seller_orders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_seller_orders_delivered_at'), ['delivered_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_seller_orders_order_id'), ['order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_seller_orders_shop_id'), ['shop_id'], unique=False)
        batch_op.create_index('ix_seller_orders_shop_status', ['shop_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_seller_orders_status'), ['status'], unique=False)

    op.create_table('order_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('seller_order_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('from_status', sa.String(length=24), nullable=True),
    sa.Column('to_status', sa.String(length=24), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_order_events_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_order_events_order_id_orders'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['seller_order_id'], ['seller_orders.id'], name=op.f('fk_order_events_seller_order_id_seller_orders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_events'))
    )
    with op.batch_alter_table('order_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_events_order_id'), ['order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_order_events_seller_order_id'), ['seller_order_id'], unique=False)

    op.create_table('order_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seller_order_id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=True),
    sa.Column('product_name', sa.String(length=160), nullable=False),
    sa.Column('unit', sa.String(length=20), nullable=False),
    sa.Column('list_price_amount', sa.BigInteger(), nullable=False),
    sa.Column('unit_price_amount', sa.BigInteger(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('rejected_quantity', sa.Integer(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_order_lines_quantity_positive')),
    sa.CheckConstraint('rejected_quantity >= 0 AND rejected_quantity <= quantity', name=op.f('ck_order_lines_rejected_within_quantity')),
    sa.CheckConstraint('unit_price_amount > 0', name=op.f('ck_order_lines_unit_price_positive')),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_order_lines_category_id_categories'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_order_lines_product_id_products'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['seller_order_id'], ['seller_orders.id'], name=op.f('fk_order_lines_seller_order_id_seller_orders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_lines'))
    )
    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_lines_category_id'), ['category_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_order_lines_product_id'), ['product_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_order_lines_seller_order_id'), ['seller_order_id'], unique=False)



def downgrade():
    with op.batch_alter_table('order_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_lines_seller_order_id'))
        batch_op.drop_index(batch_op.f('ix_order_lines_product_id'))
        batch_op.drop_index(batch_op.f('ix_order_lines_category_id'))

    op.drop_table('order_lines')
    with op.batch_alter_table('order_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_events_seller_order_id'))
        batch_op.drop_index(batch_op.f('ix_order_events_order_id'))

    op.drop_table('order_events')
    with op.batch_alter_table('seller_orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_seller_orders_status'))
        batch_op.drop_index('ix_seller_orders_shop_status')
        batch_op.drop_index(batch_op.f('ix_seller_orders_shop_id'))
        batch_op.drop_index(batch_op.f('ix_seller_orders_order_id'))
        batch_op.drop_index(batch_op.f('ix_seller_orders_delivered_at'))

    op.drop_table('seller_orders')
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_orders_payment_status'))
        batch_op.drop_index(batch_op.f('ix_orders_paid_at'))
        batch_op.drop_index(batch_op.f('ix_orders_expires_at'))
        batch_op.drop_index(batch_op.f('ix_orders_buyer_id'))
        batch_op.drop_index(batch_op.f('ix_orders_agency_id'))

    op.drop_table('orders')
