"""Review pages: the buyer's review form (from their order page), the report form, the
seller's reviews with the reply form (/toko/ulasan), and the Dinas's moderation queue."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from bebeli.auth.permissions import BUYER_ROLES, get_or_404, role_required
from bebeli.errors import DomainError, NotFound
from bebeli.extensions import db
from bebeli.handler import form_errors, perform
from bebeli.ids import page_of
from bebeli.images import ImageRejected
from bebeli.reviews import bp
from bebeli.reviews.forms import DecisionForm, ReplyForm, ReportForm, ReviewForm
from bebeli.reviews.models import Review, ReviewStatus
from bebeli.reviews.moderation import FLAG_LABELS, decide, open_reports_for, queue_for_admin
from bebeli.reviews.queries import public_name, reviews_for_shop
from bebeli.reviews.stats import stars_text
from bebeli.reviews.services import (
    MAX_PHOTOS, ReviewInput, can_edit, edit_deadline, report, reply, review_of_line, reviewable_line, save_review,
)
from bebeli.sellers.permissions import own_shop_or_404

bp.add_app_template_filter(stars_text, "stars_text")  # 4,3


@bp.app_template_filter("flag_label")
def flag_label(name: str) -> str:
    return str(FLAG_LABELS.get(name, name))


def _status_labels():
    return {ReviewStatus.PUBLISHED: _("Tayang"), ReviewStatus.HELD: _("Menunggu pemeriksaan Dinas"),
            ReviewStatus.HIDDEN: _("Disembunyikan Dinas")}


def _uploads(field) -> list[bytes]:
    return [f.read() for f in (field.data or []) if getattr(f, "filename", "")]


def _attach(form):
    attach = form_errors(form)

    def fail(error: DomainError) -> None:
        if error.code == ImageRejected.code:
            form.photos.errors = [*form.photos.errors, str(error.message)]
        else:
            attach(error)
    return fail


# --- buyers ------------------------------------------------------------------------------

@bp.route("/ulasan/tulis/<id:line_id>", methods=["GET", "POST"])
@role_required(*BUYER_ROLES)
def write(line_id):
    """Write the review of a received order line, or edit it within the edit window."""
    try:
        line = reviewable_line(current_user, line_id)
    except NotFound:
        abort(404)
    except DomainError as error:
        flash(str(error.message), "error")
        return redirect(url_for("orders.index"))
    review = review_of_line(line.id)
    editable = review is None or can_edit(review)
    form = ReviewForm(obj=review) if review is not None else ReviewForm()
    if request.method == "GET":
        form.order_line_id.data = line.id
    if editable and form.validate_on_submit():
        if form.order_line_id.data != line.id:
            abort(404)  # the body names another line than the address
        data = ReviewInput(rating=form.rating.data, body=form.body.data or "", anonymous=form.anonymous.data)
        saved = []
        if perform(lambda: saved.append(save_review(current_user, form.order_line_id.data, data,
                                                    photos=_uploads(form.photos))), fail=_attach(form)):
            written, _created = saved[0]
            if written.status == ReviewStatus.HELD:
                flash(_("Ulasan tersimpan dan menunggu pemeriksaan Dinas karena memuat kontak, tautan atau kata "
                        "kasar."), "info")
            else:
                flash(_("Terima kasih, ulasan Anda tayang."), "success")
            return redirect(url_for("orders.detail", order_id=line.seller_order.order_id))
    return render_template("reviews/write.html", form=form, line=line, review=review, editable=editable,
                           deadline=edit_deadline(review) if review is not None else None,
                           status_labels=_status_labels(), max_photos=MAX_PHOTOS)


@bp.route("/ulasan/<id:review_id>/laporkan", methods=["GET", "POST"])
@login_required
def report_review(review_id):
    review = get_or_404(Review, review_id, check=lambda user, r: r.status == ReviewStatus.PUBLISHED)
    form = ReportForm()
    if form.validate_on_submit():
        if perform(lambda: report(review, current_user, form.reason.data), fail=form_errors(form),
                   done=_("Laporan terkirim. Dinas akan memeriksa ulasan ini.")):
            return redirect(url_for("catalog.product", product_id=review.product_id, slug=review.product.slug))
    return render_template("reviews/report.html", form=form, review=review, name=public_name(review))


# --- sellers -----------------------------------------------------------------------------

SELLER_FILTERS = ("", "belum_dibalas", "published", "held", "hidden")


@bp.get("/toko/ulasan")
@role_required("seller")
def seller_index():
    shop = own_shop_or_404()
    status = request.args.get("status") or ""
    status = status if status in SELLER_FILTERS else ""
    page = page_of(reviews_for_shop(shop, status))
    filters = {"": _("Semua"), "belum_dibalas": _("Belum dibalas"), **{s.value: label for s, label in
                                                                        _status_labels().items()}}
    return render_template("reviews/seller_index.html", shop=shop, page=page, status=status, filters=filters,
                           reply_form=ReplyForm(), status_labels=_status_labels())


@bp.post("/toko/ulasan/<id:review_id>/balas")
@role_required("seller")
def reply_review(review_id):
    shop = own_shop_or_404()
    review = get_or_404(Review, review_id, check=lambda user, r: r.shop_id == shop.id)
    form = ReplyForm()
    if form.validate_on_submit():
        perform(lambda: reply(review, current_user, form.body.data), done=_("Balasan tayang di bawah ulasan."))
    else:
        flash(_("Tulis balasan (paling panjang %(n)d karakter).", n=1000), "error")
    return redirect(url_for("reviews.seller_index") + f"#ulasan-{review.id}")


# --- the Dinas ---------------------------------------------------------------------------

@bp.get("/admin/ulasan")
@role_required("admin")
def admin_queue():
    page = page_of(queue_for_admin())
    return render_template("reviews/admin_queue.html", page=page, reports=open_reports_for([r.id for r in page.items]),
                           form=DecisionForm(), flag_labels=FLAG_LABELS, status_labels=_status_labels())


@bp.post("/admin/ulasan/<id:review_id>/putuskan")
@role_required("admin")
def admin_decide(review_id):
    review = get_or_404(Review, review_id)
    form = DecisionForm()
    if form.validate_on_submit():
        perform(lambda: decide(review, current_user, form.decision.data, form.reason.data),
                done=_("Keputusan tersimpan."))
    else:
        flash(_("Pilih keputusan; tuliskan alasan bila ulasan disembunyikan."), "error")
    return redirect(url_for("reviews.admin_queue"))
