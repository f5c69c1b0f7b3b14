"""The rules of reviews: who may review which order line and until when, writing and editing
(with photos), the seller's one reply, and reports. Moderation is in `moderation`.

Only the buyer of an order reviews its lines, once each, after receiving the goods: a personal
order once it is completed (the buyer's receipt or the auto-completion), an agency order once
the PPK signed the BAST (received, then completed when the treasurer paid). Items refused in
full at receipt were not received. Nobody reviews goods of a shop they own.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l

from bebeli.audit.services import record
from bebeli.db import utcnow
from bebeli.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from bebeli.extensions import db
from bebeli.images import ProcessedImage, process_all, save_public
from bebeli.ids import parse_id
from bebeli.orders.models import Channel, FulfilmentStatus, OrderLine
from bebeli.catalog.cache import mark_catalog_changed
from bebeli.reviews import stats
from bebeli.reviews.models import Review, ReviewPhoto, ReviewReport, ReviewStatus
from bebeli.reviews.screening import flags_for

MAX_PHOTOS = 3
MAX_BODY = 2000
MAX_REPLY = 1000
# The fulfilment states in which each channel's buyer has the goods in hand.
RECEIVED_STATES = {
    Channel.PERSONAL: frozenset({FulfilmentStatus.COMPLETED}),
    Channel.AGENCY: frozenset({FulfilmentStatus.RECEIVED, FulfilmentStatus.COMPLETED}),
}


@dataclass(frozen=True)
class ReviewInput:
    rating: int
    body: str
    anonymous: bool = False


def _owns_shop(user, shop_id: int) -> bool:
    from bebeli.sellers.models import Shop

    shop = db.session.get(Shop, shop_id)
    return shop is not None and shop.owner_id == user.id


def received(line: OrderLine) -> bool:
    """The buyer has the goods of `line` in hand (not every item refused at receipt)."""
    so = line.seller_order
    return (so.status in RECEIVED_STATES[Channel(so.order.channel)]
            and line.quantity > (line.rejected_quantity or 0))


def reviewable_line(user, line_id) -> OrderLine:
    """The order line `user` may review (or whose review they may edit), or NotAllowed/NotFound.
    `line_id` may come from a form body: anything but the user's own line is not found."""
    line_id = parse_id(line_id)
    line = db.session.get(OrderLine, line_id) if line_id is not None else None
    if line is None or not user.is_authenticated or line.seller_order.order.buyer_id != user.id:
        raise NotFound(_l("Baris pesanan tidak ditemukan."))
    if _owns_shop(user, line.seller_order.shop_id):
        raise NotAllowed(_l("Anda tidak dapat mengulas produk toko Anda sendiri."))
    if not received(line):
        raise NotAllowed(_l("Ulasan dapat ditulis setelah barang diterima."))
    return line


def review_of_line(line_id: int) -> Review | None:
    return db.session.scalar(db.select(Review).where(Review.order_line_id == line_id))


def edit_deadline(review: Review):
    return review.created_at + timedelta(days=current_app.config["REVIEW_EDIT_DAYS"])


def can_edit(review: Review, *, now=None) -> bool:
    return review.status != ReviewStatus.HIDDEN and (now or utcnow()) <= edit_deadline(review)


def _check_input(data: ReviewInput) -> ReviewInput:
    if not isinstance(data.rating, int) or not 1 <= data.rating <= 5:
        raise ValidationFailed(_l("Pilih 1 sampai 5 bintang."), field="rating")
    body = (data.body or "").strip()
    if len(body) > MAX_BODY:
        raise ValidationFailed(_l("Ulasan paling panjang %(n)d karakter.", n=MAX_BODY), field="body")
    return ReviewInput(rating=data.rating, body=body, anonymous=bool(data.anonymous))


def check_photos(existing: int, files: list[bytes]) -> list[ProcessedImage]:
    """Every file checked and re-encoded before anything is stored: all are added or none."""
    return process_all(files, existing=existing, limit=MAX_PHOTOS,
                       too_many=_l("Paling banyak %(n)d foto per ulasan.", n=MAX_PHOTOS))


def _store_photos(review: Review, processed: list[ProcessedImage]) -> None:
    for image in processed:
        display, thumb = save_public(f"reviews/{review.id}", image)
        review.photos.append(ReviewPhoto(display_key=display, thumb_key=thumb, width=image.width,
                                         height=image.height, position=len(review.photos)))
    review.photo_count = len(review.photos)


def _screen(review: Review) -> None:
    """Hold a text with contact details, links or rude words for the Dinas; show the rest."""
    flags = flags_for(review.body)
    review.flags = ",".join(flags) or None
    review.status = ReviewStatus.HELD if flags else ReviewStatus.PUBLISHED
    review.queued = bool(flags) or review.queued


def save_review(user, line_id, data: ReviewInput, *, photos: list[bytes] = ()) -> tuple[Review, bool]:
    """Write the review of the order line `line_id` or edit the user's review of it within the
    edit window; returns (review, created). Counted in the ratings in the same transaction."""
    line = reviewable_line(user, line_id)
    data = _check_input(data)
    review = review_of_line(line.id)
    created = review is None
    if created:
        processed = check_photos(0, list(photos))
        review = Review(order_line_id=line.id, product_id=line.product_id, shop_id=line.seller_order.shop_id,
                        author_id=user.id, rating=data.rating, body=data.body, anonymous=data.anonymous)
        before = None
    else:
        if review.author_id != user.id:
            raise NotFound(_l("Ulasan tidak ditemukan."))
        if not can_edit(review):
            raise NotAllowed(_l("Ulasan ini tidak dapat diubah lagi."))
        processed = check_photos(review.photo_count, list(photos))
        before = review.rating if review.status == ReviewStatus.PUBLISHED else None
        review.rating, review.body, review.anonymous = data.rating, data.body, data.anonymous
        review.edited_at = utcnow()
    _screen(review)
    db.session.add(review)
    db.session.flush()
    _store_photos(review, processed)
    after = review.rating if review.status == ReviewStatus.PUBLISHED else None
    if before != after:
        stats.apply(review.product_id, review.shop_id, add=after, remove=before)
    else:
        mark_catalog_changed()  # the text or photos changed: cached pages show them
    record("reviews.created" if created else "reviews.edited", actor=user, obj=review, rating=review.rating,
           status=review.status.value, flags=review.flags)
    db.session.flush()
    return review, created


def reply(review: Review, seller, body: str) -> Review:
    """The shop's one public answer to a review."""
    if not _owns_shop(seller, review.shop_id):
        raise NotFound(_l("Ulasan tidak ditemukan."))
    if review.reply_body is not None:
        raise Conflict(_l("Toko sudah membalas ulasan ini."))
    body = (body or "").strip()
    if not body or len(body) > MAX_REPLY:
        raise ValidationFailed(_l("Tulis balasan (paling panjang %(n)d karakter).", n=MAX_REPLY), field="body")
    updated = db.session.execute(
        db.update(Review).where(Review.id == review.id, Review.reply_body.is_(None))
        .values(reply_body=body, replied_at=utcnow(), reply_author_id=seller.id, updated_at=Review.updated_at))
    if updated.rowcount != 1:  # a second tab replied first
        raise Conflict(_l("Toko sudah membalas ulasan ini."))
    db.session.expire(review)
    if flags_for(body):  # a reply carrying contact details goes to the Dinas too
        review.queued = True
    mark_catalog_changed()
    record("reviews.replied", actor=seller, obj=review)
    return review


def report(review: Review, user, reason: str) -> ReviewReport:
    """`user` thinks the review breaks the rules: it goes to the Dinas's queue."""
    if review.status != ReviewStatus.PUBLISHED:
        raise NotFound(_l("Ulasan tidak ditemukan."))
    if review.author_id == user.id:
        raise NotAllowed(_l("Anda tidak dapat melaporkan ulasan Anda sendiri."))
    if _owns_shop(user, review.shop_id):
        raise NotAllowed(_l("Toko tidak dapat melaporkan ulasan atas produknya sendiri; balas ulasan ini "
                            "atau hubungi Dinas."))
    reason = (reason or "").strip()
    if not 5 <= len(reason) <= 500:
        raise ValidationFailed(_l("Tuliskan alasan laporan (5–500 karakter)."), field="reason")
    existing = db.session.scalar(db.select(ReviewReport).where(ReviewReport.review_id == review.id,
                                                                ReviewReport.reporter_id == user.id))
    if existing is not None and existing.resolved_at is None:
        raise Conflict(_l("Anda sudah melaporkan ulasan ini; Dinas sedang memeriksanya."))
    if existing is not None:  # reported again after a decision: the report reopens
        existing.reason, existing.created_at, existing.resolved_at = reason, utcnow(), None
        found = existing
    else:
        found = ReviewReport(review_id=review.id, reporter_id=user.id, reason=reason)
        db.session.add(found)
    review.queued = True
    db.session.flush()
    record("reviews.reported", actor=user, obj=review, report_id=found.id)
    return found
