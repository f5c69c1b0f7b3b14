from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bebeli.db import RatingSummaryMixin, TimestampMixin
from bebeli.extensions import db


def _enum(e, length=20):
    return sa.Enum(e, native_enum=False, length=length, values_callable=lambda x: [m.value for m in x])


class Category(db.Model):
    """Two-level tree: top categories and their children."""

    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    # NO ACTION rather than RESTRICT: checked at the end of a statement, so emptying the table
    # in one DELETE works, while deleting a parent that still has children is refused.
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("categories.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    slug: Mapped[str] = mapped_column(sa.String(100), unique=True)
    position: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)

    parent: Mapped[Category | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Category]] = relationship(back_populates="parent", order_by="Category.position")


class ProductStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    UNPUBLISHED = "unpublished"
    ARCHIVED = "archived"


class Product(RatingSummaryMixin, TimestampMixin, db.Model):
    __tablename__ = "products"

    id: Mapped[int] = mapped_column(primary_key=True)
    shop_id: Mapped[int] = mapped_column(sa.ForeignKey("shops.id", ondelete="RESTRICT"), index=True)
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("categories.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(sa.String(160))
    slug: Mapped[str] = mapped_column(sa.String(180))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    price_amount: Mapped[int] = mapped_column(sa.BigInteger)  # integer rupiah, excluding PPN
    unit: Mapped[str] = mapped_column(sa.String(20), default="pcs")
    stock: Mapped[int] = mapped_column(default=0)
    # The seller is told (dashboard, mail once per crossing) when stock falls below this.
    low_stock_threshold: Mapped[int | None]
    min_order_qty: Mapped[int] = mapped_column(default=1)
    weight_grams: Mapped[int | None]
    tkdn_note: Mapped[str | None] = mapped_column(sa.String(255))
    status: Mapped[ProductStatus] = mapped_column(_enum(ProductStatus), default=ProductStatus.DRAFT, index=True)
    # Moderation is a separate axis: a product taken down stays so whatever the seller does.
    taken_down: Mapped[bool] = mapped_column(default=False)
    takedown_reason: Mapped[str | None] = mapped_column(sa.Text)
    taken_down_at: Mapped[datetime | None]
    taken_down_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    published_at: Mapped[datetime | None] = mapped_column(index=True)
    sold_count: Mapped[int] = mapped_column(default=0)
    # Stemmed name, description, category and shop name (PySastrawi), the one text both
    # search backends index.
    search_text: Mapped[str] = mapped_column(sa.Text, default="")
    # The stemmed name alone, padded with spaces: relevance counts query words found in it.
    search_name: Mapped[str] = mapped_column(sa.Text, default="")

    shop = relationship("Shop", lazy="joined")
    category: Mapped[Category] = relationship(lazy="joined")
    images: Mapped[list[ProductImage]] = relationship(
        back_populates="product", cascade="all, delete-orphan", order_by="ProductImage.position", lazy="selectin"
    )

    __table_args__ = (
        sa.CheckConstraint("price_amount > 0", name="price_positive"),
        sa.CheckConstraint("stock >= 0", name="stock_not_negative"),
        sa.CheckConstraint("min_order_qty >= 1", name="min_order_positive"),
        sa.UniqueConstraint("shop_id", "slug", name="uq_products_shop_slug"),
        sa.CheckConstraint("status <> 'published' OR published_at IS NOT NULL", name="published_has_date"),
        # Buyers' sorts (newest, best-selling, price) walk one of these in order and stop at a page.
        sa.Index("ix_products_listing", "status", "taken_down", "published_at"),
        sa.Index("ix_products_popular", "status", "taken_down", "sold_count"),
        sa.Index("ix_products_price", "status", "taken_down", "price_amount"),
        sa.Index("ix_products_rating", "status", "taken_down", "rating_score"),  # sort by rating (reviews)
    )

    def __repr__(self) -> str:
        return f"<Product {self.id} {self.name}>"


class ProductImage(db.Model):
    __tablename__ = "product_images"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    display_key: Mapped[str] = mapped_column(sa.String(255))
    thumb_key: Mapped[str] = mapped_column(sa.String(255))
    width: Mapped[int]
    height: Mapped[int]

    product: Mapped[Product] = relationship(back_populates="images")


class SearchTerm(db.Model):
    """A stemmed word of the catalog and how many products use it: the vocabulary that
    "did you mean" suggestions come from, kept in step by the service that writes products."""

    __tablename__ = "search_terms"

    term: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    doc_count: Mapped[int] = mapped_column(default=0)


class CatalogState(db.Model):
    """One row whose generation moves with every write to what buyers browse: cached pages
    are keyed by it, so a change made through the app shows on the very next request."""

    __tablename__ = "catalog_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    generation: Mapped[int] = mapped_column(sa.BigInteger, default=0)
