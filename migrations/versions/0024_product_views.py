"""pageviews: product_views_daily, the views of each product per Jakarta day (flushed from
Redis or the workers' own counters by the pageviews-flush job)

Revision ID: 0024
Revises: 0023
"""
from alembic import op
import sqlalchemy as sa


revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "product_views_daily",
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("views", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["product_id"], ["products.id"], name=op.f("fk_product_views_daily_product_id_products"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("product_id", "day", name=op.f("pk_product_views_daily")),
    )


def downgrade():
    op.drop_table("product_views_daily")
