"""ASN import batches (preview before commit)

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('asn_import_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('columns', sa.JSON(), nullable=False),
    sa.Column('rows', sa.JSON(), nullable=True),
    sa.Column('total_count', sa.Integer(), nullable=False),
    sa.Column('invalid_count', sa.Integer(), nullable=False),
    sa.Column('new_count', sa.Integer(), nullable=False),
    sa.Column('updated_count', sa.Integer(), nullable=False),
    sa.Column('unchanged_count', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_asn_import_batches_created_by_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_asn_import_batches'))
    )
    with op.batch_alter_table('asn_import_batches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_asn_import_batches_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_asn_import_batches_expires_at'), ['expires_at'], unique=False)


def downgrade():
    with op.batch_alter_table('asn_import_batches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_asn_import_batches_expires_at'))
        batch_op.drop_index(batch_op.f('ix_asn_import_batches_created_by_id'))

    op.drop_table('asn_import_batches')
