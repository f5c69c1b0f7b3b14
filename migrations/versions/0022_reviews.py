"""reviews: reviews of received order lines, their photos and reports; rating aggregates on
products and shops (count, sum, one count per star, Bayesian score) and the index the catalog's
"best rated" sort walks

Revision ID: 0022
Revises: 0021
"""
from alembic import op
import sqlalchemy as sa


revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None

RATING_COLUMNS = ("rating_count", "rating_sum", "rating_1", "rating_2", "rating_3", "rating_4", "rating_5",
                  "rating_score")


def upgrade():
    # Plain ADD COLUMNs (no table rebuild): SQLite keeps the products table and its FTS triggers.
    for table in ("products", "shops"):
        for column in RATING_COLUMNS:
            op.add_column(table, sa.Column(column, sa.Integer(), nullable=False, server_default="0"))
    op.create_index("ix_products_rating", "products", ["status", "taken_down", "rating_score"])

    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_line_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("rating", sa.SmallInteger(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("status", sa.Enum("published", "held", "hidden", name="reviewstatus", native_enum=False,
                                    length=12), nullable=False),
        sa.Column("photo_count", sa.SmallInteger(), nullable=False),
        sa.Column("flags", sa.String(length=80), nullable=True),
        sa.Column("queued", sa.Boolean(), nullable=False),
        sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reply_body", sa.Text(), nullable=True),
        sa.Column("replied_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reply_author_id", sa.Integer(), nullable=True),
        sa.Column("moderated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("moderated_by_id", sa.Integer(), nullable=True),
        sa.Column("hidden_reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name=op.f("ck_reviews_rating_1_to_5")),
        sa.CheckConstraint("photo_count BETWEEN 0 AND 3", name=op.f("ck_reviews_photo_count_0_to_3")),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"], name=op.f("fk_reviews_author_id_users"),
                                ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["moderated_by_id"], ["users.id"], name=op.f("fk_reviews_moderated_by_id_users"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["order_line_id"], ["order_lines.id"],
                                name=op.f("fk_reviews_order_line_id_order_lines"), ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["product_id"], ["products.id"], name=op.f("fk_reviews_product_id_products"),
                                ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["reply_author_id"], ["users.id"], name=op.f("fk_reviews_reply_author_id_users"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["shop_id"], ["shops.id"], name=op.f("fk_reviews_shop_id_shops"), ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reviews")),
        sa.UniqueConstraint("order_line_id", name=op.f("uq_reviews_order_line_id")),
    )
    op.create_index("ix_reviews_author_id", "reviews", ["author_id"])
    op.create_index("ix_reviews_queued", "reviews", ["queued"])
    op.create_index("ix_reviews_product_listing", "reviews", ["product_id", "status", "created_at"])
    op.create_index("ix_reviews_shop_listing", "reviews", ["shop_id", "status", "created_at"])

    op.create_table(
        "review_photos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("display_key", sa.String(length=255), nullable=False),
        sa.Column("thumb_key", sa.String(length=255), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["review_id"], ["reviews.id"], name=op.f("fk_review_photos_review_id_reviews"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_photos")),
    )
    op.create_index("ix_review_photos_review_id", "review_photos", ["review_id"])

    op.create_table(
        "review_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("reporter_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["reporter_id"], ["users.id"], name=op.f("fk_review_reports_reporter_id_users"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["review_id"], ["reviews.id"], name=op.f("fk_review_reports_review_id_reviews"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_reports")),
        sa.UniqueConstraint("review_id", "reporter_id", name="uq_review_reports_review_reporter"),
    )
    op.create_index("ix_review_reports_review_id", "review_reports", ["review_id"])


def downgrade():
    op.drop_table("review_reports")
    op.drop_table("review_photos")
    op.drop_table("reviews")
    op.drop_index("ix_products_rating", table_name="products")
    for table in ("products", "shops"):
        with op.batch_alter_table(table) as batch:
            for column in RATING_COLUMNS:
                batch.drop_column(column)
