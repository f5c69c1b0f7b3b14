"""Cart lines: one row per buyer and product, remembering the price the buyer last saw."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bebeli.db import TimestampMixin
from bebeli.extensions import db


class CartLine(TimestampMixin, db.Model):
    __tablename__ = "cart_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    buyer_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(sa.ForeignKey("products.id", ondelete="CASCADE"), index=True)
    quantity: Mapped[int]
    # The price shown to the buyer when the line was added (or last reviewed): a change is
    # shown on the cart page and refused at checkout until the buyer has seen it.
    price_seen_amount: Mapped[int] = mapped_column(sa.BigInteger)

    product = relationship("Product", lazy="joined")

    __table_args__ = (
        sa.UniqueConstraint("buyer_id", "product_id", name="uq_cart_lines_buyer_product"),
        sa.CheckConstraint("quantity > 0", name="quantity_positive"),
    )
