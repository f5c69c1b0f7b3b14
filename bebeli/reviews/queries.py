"""What pages show of reviews, each one query: a page of a product's or shop's published
reviews (the count comes from the stored aggregate, not a COUNT), the review actions of a
buyer's order, a seller's reviews."""
from __future__ import annotations

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload, lazyload, load_only

from bebeli.catalog.models import Product
from bebeli.catalog.search import ResultPage
from bebeli.extensions import db
from bebeli.ids import MAX_PAGE
from bebeli.orders.models import Order, OrderLine, SellerOrder
from bebeli.reviews.models import Review, ReviewStatus
from bebeli.reviews.services import can_edit, received
from bebeli.reviews.stats import rating_of

SORTS = {  # URL value → label; the first is the default
    "terbaru": _l("Terbaru"),
    "foto": _l("Dengan foto"),
    "terendah": _l("Bintang terendah"),
}


def _ordering(sort: str) -> list:
    newest = [Review.created_at.desc(), Review.id.desc()]
    if sort == "foto":
        return [(Review.photo_count > 0).desc(), *newest]
    if sort == "terendah":
        return [Review.rating.asc(), *newest]
    return newest


def sort_arg(value: str | None) -> str:
    return value if value in SORTS else "terbaru"


def review_page(*, product=None, shop=None, sort: str = "terbaru", page: int = 1, per_page: int = 10) -> ResultPage:
    """One page of the published reviews of `product` (or of every product of `shop`), with their
    authors and photos, in one statement; the total is the stored rating count."""
    subject = product if product is not None else shop
    condition = Review.product_id == product.id if product is not None else Review.shop_id == shop.id
    total = subject.rating_count
    last = max(1, -(-total // per_page))
    page = min(max(1, page), last, MAX_PAGE)
    items = []
    if total:
        stmt = (sa.select(Review).where(condition, Review.status == ReviewStatus.PUBLISHED)
                .options(joinedload(Review.photos)).order_by(*_ordering(sort_arg(sort)))
                .limit(per_page).offset((page - 1) * per_page))
        if shop is not None:
            stmt = stmt.options(joinedload(Review.product).options(load_only(Product.id, Product.name, Product.slug),
                                                                    lazyload("*")))
        items = db.session.scalars(stmt).unique().all()
    return ResultPage(page=page, per_page=per_page, max_per_page=None, error_out=False, items=items, total=total)


def public_name(review: Review) -> str:
    """How the public sees the author: their name, or "Pembeli anonim"."""
    if review.anonymous:
        return str(_l("Pembeli anonim"))
    parts = review.author.name.split()
    return parts[0] + (f" {parts[-1][0]}." if len(parts) > 1 else "")


def section(subject, *, sort: str, page: int, per_page: int) -> dict:
    """What a product or shop page's reviews section shows."""
    is_product = isinstance(subject, Product)
    reviews = review_page(product=subject if is_product else None, shop=None if is_product else subject,
                          sort=sort, page=page, per_page=per_page)
    return {"rating": rating_of(subject), "reviews": reviews, "sort": sort_arg(sort), "sorts": SORTS,
            "names": {r.id: public_name(r) for r in reviews.items}, "is_product": is_product}


def review_actions_for(order: Order, user) -> dict[int, dict]:
    """{order line id: {"url", "label"}}: the review action the buyer's order page offers on each
    received line ("Beri ulasan", "Ubah ulasan" within the edit window, else "Lihat ulasan")."""
    lines = [line for so in order.seller_orders for line in so.lines if received(line)]
    if not lines or order.buyer_id != user.id:
        return {}
    owned = {so.shop_id for so in order.seller_orders if so.shop.owner_id == user.id}
    existing = {r.order_line_id: r for r in db.session.scalars(
        sa.select(Review).where(Review.order_line_id.in_([line.id for line in lines])))}
    actions = {}
    for line in lines:
        if line.seller_order.shop_id in owned:
            continue
        review = existing.get(line.id)
        label = (_l("Beri ulasan") if review is None else _l("Ubah ulasan") if can_edit(review)
                 else _l("Lihat ulasan"))
        actions[line.id] = {"url": url_for("reviews.write", line_id=line.id), "label": label}
    return actions


def reviews_for_shop(shop, status: str | None = None):
    """The shop's reviews for its seller, newest first, with the order each came from."""
    stmt = (sa.select(Review).where(Review.shop_id == shop.id)
            .options(joinedload(Review.line).joinedload(OrderLine.seller_order).joinedload(SellerOrder.order),
                     joinedload(Review.product))
            .order_by(Review.created_at.desc(), Review.id.desc()))
    if status in {s.value for s in ReviewStatus}:
        stmt = stmt.where(Review.status == ReviewStatus(status))
    elif status == "belum_dibalas":
        stmt = stmt.where(Review.reply_body.is_(None), Review.status == ReviewStatus.PUBLISHED)
    return stmt


def prior() -> dict:
    """The configured prior, as the pages' sentence about the Bayesian average says it."""
    from flask import current_app

    from bebeli.reviews.stats import stars_text

    return {"weight": int(current_app.config["RATING_PRIOR_WEIGHT"]),
            "mean": stars_text(float(current_app.config["RATING_PRIOR_MEAN"]))}


def product_json_ld(product, rating, image_url: str | None, url: str) -> dict | None:
    """schema.org Product with its AggregateRating (only with published reviews); the template
    writes it with `tojson`, which escapes <, > and & so no text can close the script."""
    if not rating.count:
        return None
    data = {
        "@context": "https://schema.org", "@type": "Product", "name": product.name, "url": url,
        "description": (product.description or "")[:500],
        "brand": {"@type": "Brand", "name": product.shop.name},
        "aggregateRating": {"@type": "AggregateRating", "ratingValue": round(rating.average, 1),
                            "reviewCount": rating.count, "bestRating": 5, "worstRating": 1},
        "offers": {"@type": "Offer", "priceCurrency": "IDR", "price": product.price_amount, "url": url},
    }
    if image_url:
        data["image"] = image_url
    return data
