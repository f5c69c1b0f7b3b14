"""shops, categories, products, images

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 04:24:32.164980

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('categories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('slug', sa.String(length=100), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['parent_id'], ['categories.id'], name=op.f('fk_categories_parent_id_categories'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_categories')),
    sa.UniqueConstraint('slug', name=op.f('uq_categories_slug'))
    )
    with op.batch_alter_table('categories', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_categories_parent_id'), ['parent_id'], unique=False)

    op.create_table('shops',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('slug', sa.String(length=140), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('owner_name', sa.String(length=120), nullable=False),
    sa.Column('nik', sa.String(length=16), nullable=False),
    sa.Column('nib', sa.String(length=13), nullable=False),
    sa.Column('npwp', sa.String(length=16), nullable=True),
    sa.Column('is_pkp', sa.Boolean(), nullable=False),
    sa.Column('address', sa.String(length=255), nullable=False),
    sa.Column('kecamatan', sa.String(length=80), nullable=False),
    sa.Column('kelurahan', sa.String(length=80), nullable=True),
    sa.Column('regency', sa.String(length=80), nullable=True),
    sa.Column('postal_code', sa.String(length=5), nullable=True),
    sa.Column('phone', sa.String(length=15), nullable=False),
    sa.Column('bank_name', sa.String(length=60), nullable=True),
    sa.Column('bank_account_number', sa.String(length=20), nullable=True),
    sa.Column('bank_account_name', sa.String(length=120), nullable=True),
    sa.Column('logo_key', sa.String(length=255), nullable=True),
    sa.Column('is_local', sa.Boolean(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'verified', 'rejected', 'suspended', name='shopstatus', native_enum=False, length=20), nullable=False),
    sa.Column('status_reason', sa.Text(), nullable=True),
    sa.Column('verified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('verified_by_id', sa.Integer(), nullable=True),
    sa.Column('offers_pickup', sa.Boolean(), nullable=False),
    sa.Column('offers_delivery', sa.Boolean(), nullable=False),
    sa.Column('delivery_fee_amount', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('delivery_fee_amount >= 0', name=op.f('ck_shops_delivery_fee_not_negative')),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_shops_owner_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['verified_by_id'], ['users.id'], name=op.f('fk_shops_verified_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shops')),
    sa.UniqueConstraint('slug', name=op.f('uq_shops_slug'))
    )
    with op.batch_alter_table('shops', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shops_bank_account_number'), ['bank_account_number'], unique=False)
        batch_op.create_index(batch_op.f('ix_shops_is_local'), ['is_local'], unique=False)
        batch_op.create_index(batch_op.f('ix_shops_kecamatan'), ['kecamatan'], unique=False)
        batch_op.create_index(batch_op.f('ix_shops_nib'), ['nib'], unique=False)
        batch_op.create_index(batch_op.f('ix_shops_nik'), ['nik'], unique=False)
        batch_op.create_index(batch_op.f('ix_shops_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_shops_phone'), ['phone'], unique=False)
        batch_op.create_index(batch_op.f('ix_shops_status'), ['status'], unique=False)

    op.create_table('products',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=160), nullable=False),
    sa.Column('slug', sa.String(length=180), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('price_amount', sa.BigInteger(), nullable=False),
    sa.Column('unit', sa.String(length=20), nullable=False),
    sa.Column('stock', sa.Integer(), nullable=False),
    sa.Column('min_order_qty', sa.Integer(), nullable=False),
    sa.Column('weight_grams', sa.Integer(), nullable=True),
    sa.Column('tkdn_note', sa.String(length=255), nullable=True),
    sa.Column('status', sa.Enum('draft', 'published', 'unpublished', 'archived', name='productstatus', native_enum=False, length=20), nullable=False),
    sa.Column('taken_down', sa.Boolean(), nullable=False),
    sa.Column('takedown_reason', sa.Text(), nullable=True),
    sa.Column('taken_down_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('taken_down_by_id', sa.Integer(), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sold_count', sa.Integer(), nullable=False),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('min_order_qty >= 1', name=op.f('ck_products_min_order_positive')),
    sa.CheckConstraint('price_amount > 0', name=op.f('ck_products_price_positive')),
    sa.CheckConstraint('stock >= 0', name=op.f('ck_products_stock_not_negative')),
    sa.ForeignKeyConstraint(['category_id'], ['categories.id'], name=op.f('fk_products_category_id_categories'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_products_shop_id_shops'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['taken_down_by_id'], ['users.id'], name=op.f('fk_products_taken_down_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_products')),
    sa.UniqueConstraint('shop_id', 'slug', name='uq_products_shop_slug')
    )
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_products_category_id'), ['category_id'], unique=False)
        batch_op.create_index('ix_products_listing', ['status', 'taken_down', 'published_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_products_published_at'), ['published_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_products_shop_id'), ['shop_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_products_status'), ['status'], unique=False)

    op.create_table('shop_certificates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('shop_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('halal', 'pirt', 'bpom', 'sni', name='certificatekind', native_enum=False, length=20), nullable=False),
    sa.Column('number', sa.String(length=60), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('document_key', sa.String(length=255), nullable=True),
    sa.ForeignKeyConstraint(['shop_id'], ['shops.id'], name=op.f('fk_shop_certificates_shop_id_shops'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shop_certificates'))
    )
    with op.batch_alter_table('shop_certificates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shop_certificates_shop_id'), ['shop_id'], unique=False)

    op.create_table('product_images',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('display_key', sa.String(length=255), nullable=False),
    sa.Column('thumb_key', sa.String(length=255), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_product_images_product_id_products'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_product_images'))
    )
    with op.batch_alter_table('product_images', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_product_images_product_id'), ['product_id'], unique=False)



def downgrade():
    with op.batch_alter_table('product_images', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_product_images_product_id'))

    op.drop_table('product_images')
    with op.batch_alter_table('shop_certificates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shop_certificates_shop_id'))

    op.drop_table('shop_certificates')
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_products_status'))
        batch_op.drop_index(batch_op.f('ix_products_shop_id'))
        batch_op.drop_index(batch_op.f('ix_products_published_at'))
        batch_op.drop_index('ix_products_listing')
        batch_op.drop_index(batch_op.f('ix_products_category_id'))

    op.drop_table('products')
    with op.batch_alter_table('shops', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shops_status'))
        batch_op.drop_index(batch_op.f('ix_shops_phone'))
        batch_op.drop_index(batch_op.f('ix_shops_owner_id'))
        batch_op.drop_index(batch_op.f('ix_shops_nik'))
        batch_op.drop_index(batch_op.f('ix_shops_nib'))
        batch_op.drop_index(batch_op.f('ix_shops_kecamatan'))
        batch_op.drop_index(batch_op.f('ix_shops_is_local'))
        batch_op.drop_index(batch_op.f('ix_shops_bank_account_number'))

    op.drop_table('shops')
    with op.batch_alter_table('categories', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_categories_parent_id'))

    op.drop_table('categories')
