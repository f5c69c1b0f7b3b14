"""catalog: shop submission and certificate-expiry columns, the full-text search index, the search vocabulary and the cache generation

SQLite gets an FTS5 table over products.search_text kept in step by triggers; PostgreSQL a
GIN index on to_tsvector('simple', search_text). Both index the same pre-stemmed words
(see bebeli/catalog/search.py), so both answer a query identically.

Revision ID: 0009
Revises: 0008
"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

SQLITE_UP = [
    "CREATE VIRTUAL TABLE products_fts USING fts5("
    "search_text, content='products', content_rowid='id', tokenize='unicode61')",
    "CREATE TRIGGER products_fts_insert AFTER INSERT ON products BEGIN "
    "INSERT INTO products_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER products_fts_delete AFTER DELETE ON products BEGIN "
    "INSERT INTO products_fts(products_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER products_fts_update AFTER UPDATE OF search_text ON products BEGIN "
    "INSERT INTO products_fts(products_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO products_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "INSERT INTO products_fts(products_fts) VALUES ('rebuild')",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS products_fts_update",
    "DROP TRIGGER IF EXISTS products_fts_delete",
    "DROP TRIGGER IF EXISTS products_fts_insert",
    "DROP TABLE IF EXISTS products_fts",
]
POSTGRES_UP = [
    "CREATE INDEX ix_products_search ON products USING gin (to_tsvector('simple'::regconfig, search_text))",
]
POSTGRES_DOWN = ["DROP INDEX IF EXISTS ix_products_search"]


def _run(statements):
    for statement in statements:
        op.execute(statement)



def upgrade():
    with op.batch_alter_table('categories', schema=None) as batch_op:
        # NO ACTION instead of RESTRICT: checked at the end of the statement, so one DELETE may
        # remove a parent together with its children.
        batch_op.drop_constraint('fk_categories_parent_id_categories', type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f('fk_categories_parent_id_categories'), 'categories', ['parent_id'], ['id'])

    with op.batch_alter_table('shops', schema=None) as batch_op:
        batch_op.add_column(sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_name', sa.Text(), nullable=False, server_default=''))
        batch_op.create_check_constraint(batch_op.f('ck_products_published_has_date'), "status <> 'published' OR published_at IS NOT NULL")
        batch_op.create_index('ix_products_popular', ['status', 'taken_down', 'sold_count'], unique=False)
        batch_op.create_index('ix_products_price', ['status', 'taken_down', 'price_amount'], unique=False)
    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.alter_column('search_name', server_default=None)

    with op.batch_alter_table('shop_certificates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expiry_notified_at', sa.DateTime(timezone=True), nullable=True))

    op.create_table('search_terms',
    sa.Column('term', sa.String(length=64), nullable=False),
    sa.Column('doc_count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('term', name=op.f('pk_search_terms'))
    )
    catalog_state = op.create_table('catalog_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('generation', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalog_state'))
    )
    op.bulk_insert(catalog_state, [{"id": 1, "generation": 0}])
    _run(POSTGRES_UP if op.get_bind().dialect.name == "postgresql" else SQLITE_UP)


def downgrade():
    _run(POSTGRES_DOWN if op.get_bind().dialect.name == "postgresql" else SQLITE_DOWN)
    op.drop_table('catalog_state')
    op.drop_table('search_terms')

    with op.batch_alter_table('shop_certificates', schema=None) as batch_op:
        batch_op.drop_column('expiry_notified_at')

    with op.batch_alter_table('products', schema=None) as batch_op:
        batch_op.drop_index('ix_products_price')
        batch_op.drop_index('ix_products_popular')
        batch_op.drop_constraint(batch_op.f('ck_products_published_has_date'), type_='check')
        batch_op.drop_column('search_name')

    with op.batch_alter_table('shops', schema=None) as batch_op:
        batch_op.drop_column('submitted_at')

    with op.batch_alter_table('categories', schema=None) as batch_op:
        batch_op.drop_constraint('fk_categories_parent_id_categories', type_='foreignkey')
        batch_op.create_foreign_key(batch_op.f('fk_categories_parent_id_categories'), 'categories', ['parent_id'], ['id'], ondelete='RESTRICT')
