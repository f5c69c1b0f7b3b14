"""insights: sales summaries per shop, month, channel and agency, per product and month, per shop
and buyer (with what each paid seller order and line counts now); products' low-stock threshold
and the low-stock alerts already mailed

Existing orders are summarised by `flask insights-rebuild` (run once after upgrading).

Revision ID: 0023
Revises: 0022
"""
from alembic import op
import sqlalchemy as sa


revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("products", sa.Column("low_stock_threshold", sa.Integer(), nullable=True))

    op.create_table(
        "insight_sales",
        sa.Column("seller_order_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("buyer_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(length=12), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revenue_amount", sa.BigInteger(), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("seller_order_id", name=op.f("pk_insight_sales")),
    )
    op.create_index("ix_insight_sales_shop_buyer", "insight_sales", ["shop_id", "buyer_id"])

    op.create_table(
        "insight_sale_lines",
        sa.Column("order_line_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seller_order_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("revenue_amount", sa.BigInteger(), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("order_line_id", name=op.f("pk_insight_sale_lines")),
    )
    op.create_index(op.f("ix_insight_sale_lines_seller_order_id"), "insight_sale_lines", ["seller_order_id"])

    op.create_table(
        "insight_shop_months",
        sa.Column("shop_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(length=12), nullable=False),
        sa.Column("agency_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("revenue_amount", sa.BigInteger(), nullable=False),
        sa.Column("orders", sa.Integer(), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("shop_id", "month", "channel", "agency_id", name=op.f("pk_insight_shop_months")),
    )
    op.create_index("ix_insight_shop_months_month", "insight_shop_months", ["month"])

    op.create_table(
        "insight_product_months",
        sa.Column("shop_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("product_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("revenue_amount", sa.BigInteger(), nullable=False),
        sa.Column("orders", sa.Integer(), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("shop_id", "product_id", "month", name=op.f("pk_insight_product_months")),
    )

    op.create_table(
        "insight_shop_buyers",
        sa.Column("shop_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("buyer_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("orders", sa.Integer(), nullable=False),
        sa.Column("first_paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("shop_id", "buyer_id", name=op.f("pk_insight_shop_buyers")),
    )

    op.create_table(
        "insight_low_stock_alerts",
        sa.Column("product_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("alerted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("product_id", name=op.f("pk_insight_low_stock_alerts")),
    )
    op.create_index(op.f("ix_insight_low_stock_alerts_shop_id"), "insight_low_stock_alerts", ["shop_id"])


def downgrade():
    op.drop_table("insight_low_stock_alerts")
    op.drop_table("insight_shop_buyers")
    op.drop_table("insight_product_months")
    op.drop_index("ix_insight_shop_months_month", table_name="insight_shop_months")
    op.drop_table("insight_shop_months")
    op.drop_table("insight_sale_lines")
    op.drop_index("ix_insight_sales_shop_buyer", table_name="insight_sales")
    op.drop_table("insight_sales")
    with op.batch_alter_table("products") as batch:
        batch.drop_column("low_stock_threshold")
