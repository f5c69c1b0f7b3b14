"""The figures of a seller's insight page, its dashboard alerts and the low-stock mail."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l

from bebeli.catalog.models import Product, ProductStatus
from bebeli.dates import jakarta_today, month_start
from bebeli.db import utcnow
from bebeli.directory.models import Agency
from bebeli.extensions import db
from bebeli.insights import queries
from bebeli.insights.models import InsightProductMonth, LowStockAlert
from bebeli.mail.services import send_mail
from bebeli.sellers.models import Shop, ShopCertificate
from bebeli.sqlfuncs import insert_ignore

MONTHS = 12
PRODUCTS_SHOWN = 5
EXPIRY_WARNING_DAYS = 60


@dataclass
class ProductFigure:
    product: Product
    revenue: int
    units: int
    orders: int


def sales(shop: Shop, today: date | None = None) -> dict:
    """Twelve months of a shop's sales (oldest first), their totals, and the agencies it sold to."""
    months = queries.last_months(month_start(today or jakarta_today()), MONTHS)
    by_month = queries.month_totals(shop.id, months)
    rows = [{"month": m, **by_month[m]} for m in months]
    total = {key: sum(r[key] for r in rows) for key in ("revenue", "orders", "units", "personal", "agency")}
    total["aov"] = total["revenue"] // total["orders"] if total["orders"] else 0
    agencies = queries.agency_totals(shop.id, months[0], months[-1])
    names = dict(db.session.execute(sa.select(Agency.id, Agency.name)
                                    .where(Agency.id.in_([a.agency_id for a in agencies]))).all())
    return {"months": months, "rows": rows, "total": total,
            "agencies": [{"name": names.get(a.agency_id, "–"), "revenue": a.revenue, "orders": a.orders,
                          "units": a.units} for a in agencies]}


def products(shop: Shop, months: list[date]) -> dict:
    """Best and worst sellers of the period (by revenue, then units), and products never sold."""
    figures = queries.product_totals(shop.id, months[0], months[-1])
    listed = {p.id: p for p in db.session.scalars(
        sa.select(Product).where(Product.shop_id == shop.id, Product.status != ProductStatus.ARCHIVED))}
    sold = [ProductFigure(listed[pid], f["revenue"], f["units"], f["orders"])
            for pid, f in figures.items() if pid in listed and f["revenue"] > 0]
    sold.sort(key=lambda f: (-f.revenue, -f.units, f.product.id))
    ever_sold = set(db.session.scalars(sa.select(InsightProductMonth.product_id).distinct().where(
        InsightProductMonth.shop_id == shop.id, InsightProductMonth.revenue_amount > 0)))
    never = sorted((p for pid, p in listed.items() if pid not in ever_sold), key=lambda p: p.name.lower())
    worst = sorted(sold, key=lambda f: (f.revenue, f.units, f.product.id))[:PRODUCTS_SHOWN]
    return {"best": sold[:PRODUCTS_SHOWN], "worst": worst if len(sold) > PRODUCTS_SHOWN else [],
            "never": never, "figures": figures}


def attention(shop: Shop, months: list[date], product_figures: dict) -> dict:
    """Product views of the period against the orders they led to (conversion), and the shop's
    products sitting in buyers' carts. Views come from bebeli.pageviews (flushed counts)."""
    from bebeli.pageviews.queries import STALE_CART_DAYS, left_in_carts, views_by_product

    views = views_by_product(shop.id, months[0])
    orders = {pid: f["orders"] for pid, f in product_figures["figures"].items()}
    names = dict(db.session.execute(sa.select(Product.id, Product.name).where(Product.id.in_(views))).all()) if views else {}
    rows = [{"product_id": pid, "name": names[pid], "views": n, "orders": orders.get(pid, 0),
             "conversion": orders.get(pid, 0) * 100 / n if n else None}
            for pid, n in views.items() if pid in names]
    rows.sort(key=lambda r: (-r["views"], r["product_id"]))
    return {"viewed": rows[:PRODUCTS_SHOWN * 2], "carts": left_in_carts(shop.id)[:PRODUCTS_SHOWN * 2],
            "cart_days": STALE_CART_DAYS}


def customers(shop: Shop, month: date | None = None) -> dict:
    """Buyers with a counted order (all time, or those who bought in `month`), the repeat ones
    (two or more counted orders) and their share."""
    return queries.buyer_figures(shop.id, month)


# --- dashboard alerts ---------------------------------------------------------------------------

def low_stock(shop: Shop) -> list[Product]:
    return list(db.session.scalars(
        sa.select(Product).where(Product.shop_id == shop.id, Product.low_stock_threshold.is_not(None),
                                 Product.stock < Product.low_stock_threshold,
                                 Product.status != ProductStatus.ARCHIVED)
        .order_by(Product.stock, Product.name)))


def expiring_certificates(shop: Shop, today: date | None = None) -> list[ShopCertificate]:
    """Certificates still valid that expire within EXPIRY_WARNING_DAYS, soonest first."""
    today = today or jakarta_today()
    horizon = today + timedelta(days=EXPIRY_WARNING_DAYS)
    return sorted((c for c in shop.certificates if c.expires_on is not None and today <= c.expires_on <= horizon),
                  key=lambda c: c.expires_on)


def follow_stock(sender=None, *, product_ids) -> None:
    """Stock moved: mail the seller once when a product falls below its threshold, and forget
    the alert when it is back at or above it (the next crossing mails again)."""
    ids = sorted(set(product_ids))
    if not ids:
        return
    rows = db.session.execute(
        sa.select(Product.id, Product.shop_id, Product.stock, Product.low_stock_threshold, Product.name)
        .where(Product.id.in_(ids))).all()
    recovered = [r.id for r in rows if r.low_stock_threshold is None or r.stock >= r.low_stock_threshold]
    if recovered:
        db.session.execute(sa.delete(LowStockAlert).where(LowStockAlert.product_id.in_(recovered)))
    for row in rows:
        if row.low_stock_threshold is None or row.stock >= row.low_stock_threshold:
            continue
        if insert_ignore(db.session, LowStockAlert.__table__,
                         {"product_id": row.id, "shop_id": row.shop_id, "alerted_at": utcnow()}):
            _mail_low_stock(row)


def _mail_low_stock(row) -> None:
    shop = db.session.get(Shop, row.shop_id)
    if shop is None or shop.owner is None:
        return
    send_mail(shop.owner.email, _l("Stok %(name)s menipis", name=row.name), "low_stock", kind="low_stock",
              shop=shop, name=row.name, stock=row.stock, threshold=row.low_stock_threshold,
              product_url=url_for("catalog.edit_product", product_id=row.id, _external=True))
