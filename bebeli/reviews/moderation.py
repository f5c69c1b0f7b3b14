"""The Dinas's moderation of reviews: the queue (reviews held on writing, reviews reported,
replies carrying contact details) and its two decisions, approve or hide with a reason. The
author of a hidden review is told why, by mail and in the app; every decision is audited."""
from __future__ import annotations

import enum

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from bebeli.audit.services import record
from bebeli.catalog.cache import mark_catalog_changed
from bebeli.db import utcnow
from bebeli.errors import Conflict, ValidationFailed
from bebeli.extensions import db
from bebeli.mail.services import send_mail
from bebeli.notifications.services import notify, request_context
from bebeli.reviews import stats
from bebeli.reviews.models import Review, ReviewReport, ReviewStatus


class Decision(enum.StrEnum):
    APPROVE = "approve"  # shown (again); open reports closed
    HIDE = "hide"        # hidden from everyone but its author, the seller and the Dinas


FLAG_LABELS = {
    "phone": _l("nomor telepon"),
    "email": _l("alamat email"),
    "whatsapp": _l("WhatsApp"),
    "link": _l("tautan"),
    "profanity": _l("kata kasar"),
}


def queue_for_admin():
    """The reviews waiting for a decision, oldest first, with their reports."""
    return (sa.select(Review).where(Review.queued.is_(True))
            .options(selectinload(Review.product), selectinload(Review.shop))
            .order_by(Review.updated_at, Review.id))


def open_reports_for(review_ids: list[int]) -> dict[int, list[ReviewReport]]:
    found: dict[int, list[ReviewReport]] = {}
    if review_ids:
        for report in db.session.scalars(sa.select(ReviewReport).where(
                ReviewReport.review_id.in_(review_ids), ReviewReport.resolved_at.is_(None)).order_by(ReviewReport.id)):
            found.setdefault(report.review_id, []).append(report)
    return found


def decide(review: Review, admin, decision: Decision, reason: str | None = None) -> Review:
    decision = Decision(decision)
    reason = (reason or "").strip()
    if decision == Decision.HIDE and not 5 <= len(reason) <= 500:
        raise ValidationFailed(_l("Tuliskan alasan menyembunyikan ulasan (5–500 karakter)."), field="reason")
    if decision == Decision.APPROVE and review.status == ReviewStatus.HIDDEN:
        raise Conflict(_l("Ulasan ini sudah disembunyikan."))
    was_counted = review.status == ReviewStatus.PUBLISHED
    now = utcnow()
    if decision == Decision.HIDE:
        review.status, review.hidden_reason = ReviewStatus.HIDDEN, reason
    else:
        review.status = ReviewStatus.PUBLISHED
    review.queued, review.moderated_at, review.moderated_by_id = False, now, admin.id
    db.session.execute(sa.update(ReviewReport).where(ReviewReport.review_id == review.id,
                                                     ReviewReport.resolved_at.is_(None)).values(resolved_at=now))
    counted = review.status == ReviewStatus.PUBLISHED
    if was_counted != counted:
        stats.apply(review.product_id, review.shop_id, add=review.rating if counted else None,
                    remove=review.rating if was_counted else None)
    else:
        mark_catalog_changed()
    record(f"reviews.{'hidden' if decision == Decision.HIDE else 'approved'}", actor=admin, obj=review,
           reason=reason or None, flags=review.flags)
    if decision == Decision.HIDE:
        _tell_author(review, reason)
    db.session.flush()
    return review


def _tell_author(review: Review, reason: str) -> None:
    author = review.author
    product_name = review.line.product_name
    with request_context():
        link = url_for("reviews.write", line_id=review.order_line_id)
        message = str(_l("Ulasan Anda untuk “%(product)s” disembunyikan oleh Dinas. Alasan: %(reason)s",
                         product=product_name, reason=reason))
        notify(author, message, subject=str(_l("Ulasan disembunyikan")), link=link, kind="review", email=False)
        send_mail(author.email, _l("[BEBELI] Ulasan Anda disembunyikan"), "review_hidden", kind="moderation",
                  user=author, product_name=product_name, reason=reason,
                  url=url_for("reviews.write", line_id=review.order_line_id, _external=True))
