"""Complaint pages: the buyer opens one from their order and answers the seller's offer, the
seller answers at /toko/komplain, the Dinas decides escalated ones at /admin/komplain. Every
object is loaded with its ownership check; no form names another object in its body."""
from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from bebeli.auth.permissions import BUYER_ROLES, get_or_404, role_required
from bebeli.complaints import bp
from bebeli.complaints import services
from bebeli.complaints.forms import AnswerForm, ComplaintForm, DecisionForm, EscalateForm
from bebeli.complaints.models import Complaint, ComplaintPhoto
from bebeli.complaints.queries import (
    can_view_complaint, complaint_events, complaints_for_admin, complaints_for_buyer, complaints_for_seller,
    is_complainant, is_complained_seller,
)
from bebeli.extensions import db
from bebeli.forms import EmptyForm
from bebeli.handler import form_errors, perform
from bebeli.ids import page_of
from bebeli.orders.models import SellerOrder
from bebeli.orders.permissions import is_buyer_of
from bebeli.storage import file_response, file_view_policy

ADMIN_FILTERS = {"": _l("Semua"), "eskalasi": _l("Menunggu keputusan"), "terbuka": _l("Terbuka")}


@bp.app_context_processor
def _labels():
    return {"complaint_kind_labels": services.KIND_LABELS, "complaint_status_labels": services.STATUS_LABELS,
            "remedy_labels": services.REMEDY_LABELS}


def _me():
    return current_user._get_current_object()


def _page(complaint: Complaint, template: str, *, viewer: str, **context):
    return render_template(template, complaint=complaint, so=complaint.seller_order, viewer=viewer,
                           actions=services.actions_for(complaint, viewer),
                           events=db.session.scalars(complaint_events(complaint)).all(),
                           max_partial=services.max_partial_amount(complaint.seller_order), **context)


# --- buyer -------------------------------------------------------------------------------------

@bp.route("/pesanan/bagian/<id:so_id>/komplain", methods=["GET", "POST"])
@role_required(*BUYER_ROLES)
def new(so_id):
    so = get_or_404(SellerOrder, so_id, check=lambda user, so: is_buyer_of(user, so.order))
    existing = services.complaint_of(so)
    if existing is not None:
        return redirect(url_for("complaints.detail", complaint_id=existing.id))
    form = ComplaintForm()
    if form.validate_on_submit():
        created = []
        if perform(lambda: created.append(services.open_complaint(so, _me(), kind=form.kind.data,
                                                                  description=form.description.data,
                                                                  photos=form.uploads())),
                   done=_("Komplain terkirim. Penjual diminta menjawab."), fail=form_errors(form)):
            return redirect(url_for("complaints.detail", complaint_id=created[0].id))
    return render_template("complaints/new.html", so=so, form=form, window_end=services.window_end(so),
                           may_open=services.may_open(so))


@bp.get("/komplain")
@role_required(*BUYER_ROLES)
def index():
    return render_template("complaints/index.html", page=page_of(complaints_for_buyer(current_user)),
                           detail_endpoint="complaints.detail", title=_("Komplain saya"))


@bp.get("/komplain/<id:complaint_id>")
@role_required(*BUYER_ROLES)
def detail(complaint_id):
    complaint = get_or_404(Complaint, complaint_id, check=is_complainant)
    return _page(complaint, "complaints/detail.html", viewer="buyer", accept_form=EmptyForm(),
                 escalate_form=EscalateForm())


@bp.post("/komplain/<id:complaint_id>/terima")
@role_required(*BUYER_ROLES)
def accept(complaint_id):
    complaint = get_or_404(Complaint, complaint_id, check=is_complainant)
    if EmptyForm().validate_on_submit():
        perform(lambda: services.accept_offer(complaint, _me()), done=_("Jawaban penjual diterima; komplain selesai."))
    return redirect(url_for("complaints.detail", complaint_id=complaint.id))


@bp.post("/komplain/<id:complaint_id>/teruskan")
@role_required(*BUYER_ROLES)
def escalate(complaint_id):
    complaint = get_or_404(Complaint, complaint_id, check=is_complainant)
    form = EscalateForm()
    if form.validate_on_submit():
        if perform(lambda: services.escalate(complaint, _me(), form.note.data), fail=form_errors(form),
                   done=_("Komplain diteruskan ke Dinas.")):
            return redirect(url_for("complaints.detail", complaint_id=complaint.id))
    return _page(complaint, "complaints/detail.html", viewer="buyer", accept_form=EmptyForm(), escalate_form=form)


@bp.get("/komplain/foto/<id:photo_id>")
@file_view_policy
@role_required(*BUYER_ROLES, "seller", "admin")
def photo(photo_id):
    found = get_or_404(ComplaintPhoto, photo_id, check=lambda user, p: can_view_complaint(user, p.complaint))
    return file_response(found.key, public=False)


# --- seller ------------------------------------------------------------------------------------

@bp.get("/toko/komplain")
@role_required("seller")
def seller_index():
    return render_template("complaints/index.html", page=page_of(complaints_for_seller(current_user)),
                           detail_endpoint="complaints.seller_detail", title=_("Komplain pembeli"))


@bp.route("/toko/komplain/<id:complaint_id>", methods=["GET", "POST"])
@role_required("seller")
def seller_detail(complaint_id):
    complaint = get_or_404(Complaint, complaint_id, check=is_complained_seller)
    form = AnswerForm().offer(services.remedies_for(complaint.seller_order))
    if request.method == "POST" and form.validate_on_submit():
        if perform(lambda: services.answer_complaint(complaint, _me(), offer=form.remedy.data,
                                                     amount=form.partial_amount, note=form.note.data),
                   done=_("Jawaban terkirim ke pembeli."), fail=form_errors(form)):
            return redirect(url_for("complaints.seller_detail", complaint_id=complaint.id))
    return _page(complaint, "complaints/detail.html", viewer="seller", answer_form=form)


# --- administrators ----------------------------------------------------------------------------

@bp.get("/admin/komplain")
@role_required("admin")
def admin_index():
    status = request.args.get("status") or ""
    if status not in ADMIN_FILTERS:
        status = ""
    return render_template("complaints/index.html", page=page_of(complaints_for_admin(status)),
                           detail_endpoint="complaints.admin_detail", title=_("Komplain"), status=status,
                           filters=ADMIN_FILTERS)


@bp.route("/admin/komplain/<id:complaint_id>", methods=["GET", "POST"])
@role_required("admin")
def admin_detail(complaint_id):
    complaint = get_or_404(Complaint, complaint_id)
    form = DecisionForm().offer(services.remedies_for(complaint.seller_order))
    if request.method == "POST":
        if "decide" not in services.actions_for(complaint, "admin"):
            abort(409)
        if form.validate_on_submit():
            if perform(lambda: services.decide(complaint, _me(), outcome=form.remedy.data,
                                               amount=form.partial_amount, note=form.note.data),
                       done=_("Keputusan tercatat."), fail=form_errors(form)):
                return redirect(url_for("complaints.admin_detail", complaint_id=complaint.id))
    return _page(complaint, "complaints/detail.html", viewer="admin", decision_form=form)
