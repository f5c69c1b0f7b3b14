"""Directory screens: ASN and agencies (list, search, create, edit, deactivate) and the ASN
import (upload, preview, confirm). Admins see everything; an agency admin sees the ASN of
their own agency, and the ASN list is their home page."""
from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_sqlalchemy.pagination import Pagination

from bebeli.audit.services import audit_events_for
from bebeli.auth.permissions import get_or_404, is_admin, role_required
from bebeli.auth.services import UNUSABLE_PASSWORD
from bebeli.db import utcnow
from bebeli.directory import bp
from bebeli.directory.forms import ECHELON_LABELS, KIND_LABELS, AgencyForm, AsnForm, ImportForm, show_error
from bebeli.directory.import_files import COLUMNS, template_csv, template_xlsx
from bebeli.directory.importer import (
    CREATE,
    INVALID,
    SAME,
    UPDATE,
    PreviewOutdated,
    confirm_import,
    discard_import,
    stage_import,
)
from bebeli.directory.models import Agency, AgencyKind, AsnImportBatch, AsnProfile, Echelon
from bebeli.directory.permissions import MANAGER_ROLES, TEMPLATE_RULES, can_manage_asn, can_use_import_batch
from bebeli.directory.services import (
    AsnFilters,
    active_asn_counts,
    agencies_for,
    asn_counts,
    assignable_agencies,
    create_agency,
    create_asn,
    search_agencies,
    search_asn,
    set_agency_active,
    set_asn_active,
    update_agency,
    update_asn,
)
from bebeli.errors import DomainError
from bebeli.extensions import db
from bebeli.forms import EmptyForm
from bebeli.ids import id_arg, page_arg, page_of


@bp.context_processor
def directory_context():
    return {**TEMPLATE_RULES, "echelon_labels": ECHELON_LABELS, "kind_labels": KIND_LABELS}


def _arg_int(name: str) -> int | None:
    return id_arg(name)


def _search_text() -> str:
    # A NUL in the query string never gets here: bebeli.security refuses the request first.
    return request.args.get("q", "")[:100]


def _arg_enum(enum, name: str):
    try:
        return enum(request.args.get(name, ""))
    except ValueError:
        return None



def _save(form, service, *target) -> tuple[bool, object]:
    """Hand a validated form to a service: commit, or roll back and show the refusal on the form."""
    try:
        result = service(*target, form.to_data(), actor=current_user)
    except DomainError as error:
        db.session.rollback()
        show_error(form, error)
        return False, None
    db.session.commit()
    return True, result


def _commit_or_flash(action) -> bool:
    """Run a service call: commit, or roll back and flash the refusal. True when it went through."""
    try:
        action()
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return False
    db.session.commit()
    return True


def _set_active(service, target, active: bool, message: str, next_url: str):
    if _commit_or_flash(lambda: service(target, active, actor=current_user)):
        flash(message, "success")
    return redirect(next_url)


# ---------------------------------------------------------------------------------------------
# ASN
# ---------------------------------------------------------------------------------------------

@bp.get("/", endpoint="asn_list")
@role_required(*MANAGER_ROLES)
def asn_list():
    filters = AsnFilters(
        q=_search_text(), agency_id=_arg_int("agency_id"),
        echelon=_arg_enum(Echelon, "echelon"),
        status=request.args.get("status", "aktif"), kind=request.args.get("kind", ""),
    )
    agencies = db.session.scalars(agencies_for(current_user).order_by(Agency.name)).all()
    return render_template(
        "directory/asn_list.html", page=page_of(search_asn(current_user, filters)), filters=filters,
        agencies=agencies, counts=asn_counts(current_user), agency_home=not is_admin(current_user),
    )


@bp.route("/asn/baru", methods=["GET", "POST"], endpoint="asn_new")
@role_required(*MANAGER_ROLES)
def asn_new():
    form = AsnForm(agencies=assignable_agencies(current_user), agency_id=_arg_int("agency_id"))
    if form.validate_on_submit():
        saved, asn = _save(form, create_asn)
        if saved:
            flash(_("ASN %(name)s ditambahkan. Ia dapat mengaktifkan akunnya lewat \"Lupa kata sandi\".",
                    name=asn.user.name), "success")
            return redirect(url_for("directory.asn_detail", asn_id=asn.id))
    return render_template("directory/asn_form.html", form=form, asn=None)


@bp.get("/asn/<id:asn_id>", endpoint="asn_detail")
@role_required(*MANAGER_ROLES)
def asn_detail(asn_id):
    asn = get_or_404(AsnProfile, asn_id, check=can_manage_asn)
    history = db.session.scalars(
        audit_events_for(object_type="asn_profiles", object_id=str(asn.id)).limit(20)).all()
    return render_template("directory/asn_detail.html", asn=asn, history=history,
                           activated=asn.user.password_hash != UNUSABLE_PASSWORD)


@bp.route("/asn/<id:asn_id>/ubah", methods=["GET", "POST"], endpoint="asn_edit")
@role_required(*MANAGER_ROLES)
def asn_edit(asn_id):
    asn = get_or_404(AsnProfile, asn_id, check=can_manage_asn)
    form = AsnForm(obj=asn, name=asn.user.name, email=asn.user.email, agencies=assignable_agencies(current_user))
    if form.validate_on_submit():
        saved, changes = _save(form, update_asn, asn)
        if saved:
            flash(_("Data ASN disimpan.") if changes else _("Tidak ada perubahan."), "success" if changes else "info")
            return redirect(url_for("directory.asn_detail", asn_id=asn.id))
    return render_template("directory/asn_form.html", form=form, asn=asn)


def _toggle_asn(asn_id: int, active: bool, message: str):
    asn = get_or_404(AsnProfile, asn_id, check=can_manage_asn)
    return _set_active(set_asn_active, asn, active, message, url_for("directory.asn_detail", asn_id=asn_id))


@bp.post("/asn/<id:asn_id>/nonaktifkan", endpoint="asn_deactivate")
@role_required(*MANAGER_ROLES)
def asn_deactivate(asn_id):
    return _toggle_asn(asn_id, False, _("ASN dinonaktifkan."))


@bp.post("/asn/<id:asn_id>/aktifkan", endpoint="asn_activate")
@role_required(*MANAGER_ROLES)
def asn_activate(asn_id):
    return _toggle_asn(asn_id, True, _("ASN diaktifkan kembali."))


# ---------------------------------------------------------------------------------------------
# Agencies
# ---------------------------------------------------------------------------------------------

@bp.get("/opd/", endpoint="agency_list")
@role_required(*MANAGER_ROLES)
def agency_list():
    status = request.args.get("status", "aktif")
    stmt = search_agencies(current_user, q=_search_text(), kind=_arg_enum(AgencyKind, "kind"), status=status)
    page = page_of(stmt)
    return render_template("directory/agency_list.html", page=page, status=status,
                           staff=active_asn_counts(a.id for a in page.items))


def _parent_choices(agency: Agency | None) -> list[Agency]:
    stmt = db.select(Agency).where(Agency.is_active).order_by(Agency.name)
    if agency is not None:
        stmt = stmt.where(Agency.id != agency.id)
    return db.session.scalars(stmt).all()


@bp.route("/opd/baru", methods=["GET", "POST"], endpoint="agency_new")
@role_required("admin")
def agency_new():
    form = AgencyForm(parents=_parent_choices(None))
    if form.validate_on_submit():
        saved, agency = _save(form, create_agency)
        if saved:
            flash(_("Perangkat daerah %(name)s ditambahkan.", name=agency.name), "success")
            return redirect(url_for("directory.agency_list"))
    return render_template("directory/agency_form.html", form=form, agency=None)


@bp.route("/opd/<id:agency_id>/ubah", methods=["GET", "POST"], endpoint="agency_edit")
@role_required("admin")
def agency_edit(agency_id):
    agency = get_or_404(Agency, agency_id)
    form = AgencyForm(obj=agency, parents=_parent_choices(agency))
    if form.validate_on_submit():
        saved, changes = _save(form, update_agency, agency)
        if saved:
            flash(_("Perangkat daerah disimpan.") if changes else _("Tidak ada perubahan."),
                  "success" if changes else "info")
            return redirect(url_for("directory.agency_list"))
    return render_template("directory/agency_form.html", form=form, agency=agency,
                           staff=active_asn_counts([agency.id]).get(agency.id, 0))


def _toggle_agency(agency_id: int, active: bool, message: str):
    agency = get_or_404(Agency, agency_id)
    return _set_active(set_agency_active, agency, active, message,
                       url_for("directory.agency_edit", agency_id=agency_id))


@bp.post("/opd/<id:agency_id>/nonaktifkan", endpoint="agency_deactivate")
@role_required("admin")
def agency_deactivate(agency_id):
    return _toggle_agency(agency_id, False, _("Perangkat daerah dinonaktifkan."))


@bp.post("/opd/<id:agency_id>/aktifkan", endpoint="agency_activate")
@role_required("admin")
def agency_activate(agency_id):
    return _toggle_agency(agency_id, True, _("Perangkat daerah diaktifkan kembali."))


# ---------------------------------------------------------------------------------------------
# Import
# ---------------------------------------------------------------------------------------------

@bp.route("/impor", methods=["GET", "POST"], endpoint="import_asn")
@role_required(*MANAGER_ROLES)
def import_asn():
    form = ImportForm()
    status = 200
    if form.validate_on_submit():
        upload = form.file.data
        try:
            batch = stage_import(upload.filename, upload.read(), actor=current_user)
        except DomainError as error:
            db.session.rollback()
            form.file.errors.append(str(error.message))
        else:
            db.session.commit()
            return redirect(url_for("directory.import_preview", batch_id=batch.id))
    if form.errors:
        status = 422  # the upload script shows this page in place of the form
    pending = db.session.scalars(
        db.select(AsnImportBatch)
        .where(AsnImportBatch.created_by_id == current_user.id, AsnImportBatch.confirmed_at.is_(None),
               AsnImportBatch.expires_at > utcnow())
        .order_by(AsnImportBatch.id.desc()).limit(5)
    ).all()
    return render_template("directory/import.html", form=form, columns=COLUMNS, pending=pending), status


@bp.get("/impor/templat.<fmt>", endpoint="import_template")
@role_required(*MANAGER_ROLES)
def import_template(fmt):
    if fmt == "csv":
        body, mimetype = template_csv(), "text/csv; charset=utf-8"
    elif fmt == "xlsx":
        body, mimetype = template_xlsx(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        return redirect(url_for("directory.import_asn"))
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f"attachment; filename=templat-impor-asn.{fmt}"})


class ListPagination(Pagination):
    """Pagination over an in-memory list (a preview's rows), for _partials/pagination.html."""

    def _query_items(self):
        start = (self.page - 1) * self.per_page
        return self._query_args["items"][start:start + self.per_page]

    def _query_count(self):
        return len(self._query_args["items"])


PREVIEW_TABS = {"masalah": INVALID, "baru": CREATE, "diperbarui": UPDATE, "sama": SAME}


def _open_batch(batch_id: int) -> AsnImportBatch:
    return get_or_404(AsnImportBatch, batch_id, check=can_use_import_batch)


def _closed_batch_redirect(batch: AsnImportBatch):
    """Where to send someone who opens a preview that was already confirmed or has expired."""
    if batch.confirmed_at is not None:
        flash(_("Berkas ini sudah diimpor."), "info")
        return redirect(url_for("directory.asn_list"))
    if batch.expires_at <= utcnow():
        flash(_("Pratinjau ini sudah kedaluwarsa. Unggah berkasnya lagi."), "warning")
        return redirect(url_for("directory.import_asn"))
    return None


@bp.get("/impor/<id:batch_id>", endpoint="import_preview")
@role_required(*MANAGER_ROLES)
def import_preview(batch_id):
    batch = _open_batch(batch_id)
    if closed := _closed_batch_redirect(batch):
        return closed
    tab = request.args.get("tampil")
    if tab not in PREVIEW_TABS:
        tab = "masalah" if batch.invalid_count else "baru"
    rows = [r for r in batch.rows if r["action"] == PREVIEW_TABS[tab]]
    page = ListPagination(items=rows, per_page=50, page=page_arg(), error_out=False)
    labels = {c.key: c.label for c in COLUMNS}
    return render_template("directory/import_preview.html", batch=batch, tab=tab, page=page, labels=labels,
                           columns=batch.columns["used"], confirm_form=EmptyForm())


@bp.post("/impor/<id:batch_id>/konfirmasi", endpoint="import_confirm")
@role_required(*MANAGER_ROLES)
def import_confirm(batch_id):
    batch = _open_batch(batch_id)
    if closed := _closed_batch_redirect(batch):
        return closed
    try:
        confirm_import(batch, actor=current_user)
    except PreviewOutdated as error:
        db.session.commit()  # keep the refreshed preview
        flash(str(error.message), "warning")
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
        flash(_("Impor selesai: %(new)d ASN baru, %(updated)d diperbarui, %(same)d tidak berubah, %(skipped)d baris "
                "bermasalah dilewati.", new=batch.new_count, updated=batch.updated_count,
                same=batch.unchanged_count, skipped=batch.invalid_count), "success")
        return redirect(url_for("directory.asn_list"))
    return redirect(url_for("directory.import_preview", batch_id=batch_id))


@bp.post("/impor/<id:batch_id>/batal", endpoint="import_cancel")
@role_required(*MANAGER_ROLES)
def import_cancel(batch_id):
    batch = _open_batch(batch_id)
    if closed := _closed_batch_redirect(batch):
        return closed
    if _commit_or_flash(lambda: discard_import(batch, actor=current_user)):
        flash(_("Pratinjau dibatalkan; tidak ada data yang diubah."), "info")
    return redirect(url_for("directory.import_asn"))
