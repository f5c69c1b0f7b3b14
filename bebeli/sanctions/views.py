"""The administrators' suggested sanctions: the shops the policy names, with the evidence, and
the form that confirms one (nothing is applied without it)."""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from bebeli.auth.permissions import get_or_404, role_required
from bebeli.complaints.models import Complaint
from bebeli.extensions import db
from bebeli.handler import form_errors, perform
from bebeli.sanctions import bp
from bebeli.sanctions.forms import SanctionForm
from bebeli.sanctions.models import Sanction
from bebeli.sanctions.policy import suggestions
from bebeli.sanctions.services import KIND_LABELS, confirm_sanction
from bebeli.sellers.models import Shop


@bp.app_context_processor
def _labels():
    return {"sanction_kind_labels": KIND_LABELS}


@bp.get("/")
@role_required("admin")
def index():
    recent = db.session.scalars(sa.select(Sanction).order_by(Sanction.id.desc()).limit(20)).all()
    return render_template("sanctions/index.html", suggestions=suggestions(), recent=recent)


@bp.route("/toko/<id:shop_id>", methods=["GET", "POST"])
@role_required("admin")
def confirm(shop_id):
    shop = get_or_404(Shop, shop_id)
    found = suggestions(shop_id=shop.id)
    if not found:
        abort(404)   # only what the policy suggests, with its evidence, can be confirmed
    suggestion = found[0]
    form = SanctionForm()
    if form.validate_on_submit():
        if perform(lambda: confirm_sanction(suggestion, current_user._get_current_object(), kind=form.kind.data,
                                            reason=form.reason.data, days=form.days.data),
                   done=_("Sanksi untuk %(shop)s tercatat dan dikirim ke pelaku UMKM.", shop=shop.name),
                   fail=form_errors(form)):
            return redirect(url_for("sanctions.index"))
    evidence = db.session.scalars(sa.select(Complaint).where(Complaint.id.in_(suggestion.evidence))
                                  .order_by(Complaint.resolved_at.desc())).all()
    return render_template("sanctions/confirm.html", shop=shop, suggestion=suggestion, evidence=evidence, form=form)
