"""Setting up an agency for procurement: its budget lines and its officials."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from bebeli.auth.models import User
from bebeli.auth.permissions import get_or_404, role_required
from bebeli.directory.models import Agency
from bebeli.errors import DomainError
from bebeli.extensions import db
from bebeli.forms import EmptyForm
from bebeli.ids import int_arg
from bebeli.procurement import bp, budget, officials
from bebeli.procurement.forms import AgencyBudgetForm, AppointForm, BudgetLineEditForm, BudgetLineForm
from bebeli.procurement.models import BudgetLine
from bebeli.procurement.permissions import can_set_up

SETUP_ROLES = ("admin", "agency_admin")


def fiscal_year_arg() -> int:
    """The year the page is about (`?tahun=`), by default the current fiscal year."""
    return int_arg("tahun", 2000, 2100) or budget.current_fiscal_year()


def _agency(agency_id) -> Agency:
    return get_or_404(Agency, agency_id, check=lambda user, agency: can_set_up(user, agency.id))


@bp.route("/pengadaan/instansi/<id:agency_id>/anggaran", methods=["GET", "POST"])
@role_required(*SETUP_ROLES)
def budget_lines(agency_id):
    agency, year = _agency(agency_id), fiscal_year_arg()
    form = BudgetLineForm()
    if form.validate_on_submit():
        try:
            budget.create_budget_line(agency, fiscal_year=year, code=form.code.data, name=form.name.data,
                                      pagu_amount=form.pagu.data, actor=current_user)
        except DomainError as error:
            db.session.rollback()
            getattr(form, error.details.get("field", "code"), form.code).errors.append(str(error.message))
        else:
            db.session.commit()
            flash(_("Kode anggaran ditambahkan."), "success")
            return redirect(url_for("procurement.budget_lines", agency_id=agency.id, tahun=year))
    lines = db.session.scalars(budget.budget_lines_for_agency(agency.id, year)).all()
    agency_budget = budget.agency_budget(agency.id, year)
    budget_form = AgencyBudgetForm(formdata=None, amount=agency_budget.goods_services_amount if agency_budget else None)
    return render_template("procurement/budget_lines.html", agency=agency, year=year, lines=lines, form=form,
                           budget_form=budget_form, agency_budget=agency_budget)


@bp.post("/pengadaan/instansi/<id:agency_id>/anggaran/belanja")
@role_required(*SETUP_ROLES)
def set_agency_budget(agency_id):
    agency, year = _agency(agency_id), fiscal_year_arg()
    form = AgencyBudgetForm()
    if form.validate_on_submit():
        budget.set_agency_budget(agency, year, form.amount.data, actor=current_user)
        db.session.commit()
        flash(_("Total anggaran belanja barang/jasa disimpan."), "success")
    else:
        flash(" ".join(str(e) for e in form.amount.errors) or _("Periksa kembali isian."), "error")
    return redirect(url_for("procurement.budget_lines", agency_id=agency.id, tahun=year))


@bp.route("/pengadaan/anggaran/<id:line_id>/ubah", methods=["GET", "POST"])
@role_required(*SETUP_ROLES)
def edit_budget_line(line_id):
    line = get_or_404(BudgetLine, line_id, check=lambda user, line: can_set_up(user, line.agency_id))
    form = BudgetLineEditForm(obj=line) if request.method == "GET" else BudgetLineEditForm()
    if request.method == "GET":
        form.pagu.data = line.pagu_amount
    if form.validate_on_submit():
        try:
            budget.update_budget_line(line, name=form.name.data, pagu_amount=form.pagu.data,
                                      is_active=form.is_active.data, actor=current_user)
        except DomainError as error:
            db.session.rollback()
            form.pagu.errors.append(str(error.message))
        else:
            db.session.commit()
            flash(_("Kode anggaran diperbarui."), "success")
            return redirect(url_for("procurement.budget_lines", agency_id=line.agency_id, tahun=line.fiscal_year))
    return render_template("procurement/budget_line_edit.html", line=line, form=form)


@bp.route("/pengadaan/instansi/<id:agency_id>/pejabat", methods=["GET", "POST"], endpoint="officials")
@role_required(*SETUP_ROLES)
def officials_page(agency_id):
    agency = _agency(agency_id)
    form = AppointForm()
    if form.validate_on_submit():
        try:
            officials.appoint_official(agency, email=form.email.data, role=form.role.data, actor=current_user,
                                       nik=form.nik.data, phone=form.phone.data,
                                       bank_account_number=form.bank_account.data)
        except DomainError as error:
            db.session.rollback()
            getattr(form, error.details.get("field", "email"), form.email).errors.append(str(error.message))
        else:
            db.session.commit()
            flash(_("Pejabat ditetapkan."), "success")
            return redirect(url_for("procurement.officials", agency_id=agency.id))
    people = officials.officials_of(agency.id)
    found = officials.declarations_of(user.id for user, _role in people)
    declarations = {user.id: found.get(user.id) for user, _role in people}
    return render_template("procurement/officials.html", agency=agency, people=people, form=form,
                           declarations=declarations, empty=EmptyForm())


@bp.post("/pengadaan/instansi/<id:agency_id>/pejabat/<id:user_id>/<role>/cabut")
@role_required(*SETUP_ROLES)
def dismiss_official(agency_id, user_id, role):
    agency = _agency(agency_id)
    user = db.session.get(User, user_id) or abort(404)
    if EmptyForm().validate_on_submit():
        try:
            officials.dismiss_official(agency, user, role, actor=current_user)
        except (DomainError, ValueError):
            db.session.rollback()
            abort(404)
        db.session.commit()
        flash(_("Peran %(name)s dicabut.", name=user.name), "info")
    return redirect(url_for("procurement.officials", agency_id=agency.id))
