"""A review of one received order line, its photos, and the reports people file about it."""
from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bebeli.db import TimestampMixin, utcnow
from bebeli.extensions import db


class ReviewStatus(enum.StrEnum):
    PUBLISHED = "published"  # shown and counted in the ratings
    HELD = "held"            # written with contact details, links or rude words: waits for the Dinas
    HIDDEN = "hidden"        # hidden by the Dinas, with a reason the author was told


class Review(TimestampMixin, db.Model):
    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_line_id: Mapped[int] = mapped_column(sa.ForeignKey("order_lines.id", ondelete="RESTRICT"), unique=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id", ondelete="RESTRICT"))
    shop_id: Mapped[int] = mapped_column(sa.ForeignKey("shops.id", ondelete="RESTRICT"))
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    rating: Mapped[int] = mapped_column(sa.SmallInteger)
    body: Mapped[str] = mapped_column(sa.Text, default="")
    anonymous: Mapped[bool] = mapped_column(default=False)  # toward the public; seller and Dinas see who
    status: Mapped[ReviewStatus] = mapped_column(
        sa.Enum(ReviewStatus, native_enum=False, length=12, values_callable=lambda e: [m.value for m in e]),
        default=ReviewStatus.PUBLISHED)
    photo_count: Mapped[int] = mapped_column(sa.SmallInteger, default=0)
    # Why the text was held (phone, email, whatsapp, link, profanity), comma-separated.
    flags: Mapped[str | None] = mapped_column(sa.String(80))
    # In the Dinas's queue: held on writing, or reported since the last decision.
    queued: Mapped[bool] = mapped_column(default=False, index=True)
    edited_at: Mapped[datetime | None]
    reply_body: Mapped[str | None] = mapped_column(sa.Text)
    replied_at: Mapped[datetime | None]
    reply_author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    moderated_at: Mapped[datetime | None]
    moderated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    hidden_reason: Mapped[str | None] = mapped_column(sa.Text)

    author = relationship("User", foreign_keys=[author_id], lazy="joined", innerjoin=True)
    line = relationship("OrderLine", lazy="select")
    product = relationship("Product", lazy="select")
    shop = relationship("Shop", lazy="select")
    photos: Mapped[list[ReviewPhoto]] = relationship(
        back_populates="review", cascade="all, delete-orphan", order_by="ReviewPhoto.position", lazy="selectin")

    __table_args__ = (
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name="rating_1_to_5"),
        sa.CheckConstraint("photo_count BETWEEN 0 AND 3", name="photo_count_0_to_3"),
        # The pages list a product's or shop's published reviews newest first, or with photos first.
        sa.Index("ix_reviews_product_listing", "product_id", "status", "created_at"),
        sa.Index("ix_reviews_shop_listing", "shop_id", "status", "created_at"),
    )


class ReviewPhoto(db.Model):
    __tablename__ = "review_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(sa.ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    display_key: Mapped[str] = mapped_column(sa.String(255))
    thumb_key: Mapped[str] = mapped_column(sa.String(255))
    width: Mapped[int]
    height: Mapped[int]

    review: Mapped[Review] = relationship(back_populates="photos")


class ReviewReport(db.Model):
    """Somebody signed in thinks a review breaks the rules; one open report per person."""

    __tablename__ = "review_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(sa.ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    reporter_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]

    reporter = relationship("User", lazy="joined")

    __table_args__ = (sa.UniqueConstraint("review_id", "reporter_id", name="uq_review_reports_review_reporter"),)
