"""Views of each product per Jakarta calendar day, written only by bebeli.pageviews.counter's flush."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from bebeli.extensions import db


class ProductViewsDaily(db.Model):
    __tablename__ = "product_views_daily"

    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    views: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
