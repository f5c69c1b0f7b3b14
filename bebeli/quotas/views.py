"""Quota screens: the monitoring dashboard and its drill-downs, exports, policies,
exemptions, and an ASN's own history."""
from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date, format_number
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from bebeli.auth.permissions import get_or_404, role_required
from bebeli.dates import parse_month
from bebeli.directory.models import Agency, AsnProfile
from bebeli.directory.services import agencies_for
from bebeli.errors import DomainError
from bebeli.extensions import db
from bebeli.ids import page_of
from bebeli.money import percent, rupiah
from bebeli.quotas import asn_reports, bp, charts, exports, reports, services
from bebeli.quotas.forms import (
    ECHELON_LABELS,
    MINIMUM_LABELS,
    REASON_LABELS,
    ExemptionForm,
    PolicyForm,
)
from bebeli.quotas.models import ExemptionReason, QuotaExemption, QuotaPolicy
from bebeli.quotas.obligations import Scope
from bebeli.quotas.permissions import (
    can_manage_exemption,
    can_view_agency_quota,
    can_view_asn_quota,
    exemptions_for,
    quota_scope_for,
)

MONITORS = ("admin", "agency_admin")


# --- template helpers ----------------------------------------------------------------------------

bp.add_app_template_filter(format_number, "grouped")  # 12.345 (Indonesian digit grouping)


def _charts(dashboard: reports.Dashboard) -> dict:
    t = dashboard.tables
    return {
        "perangkat-daerah": charts.bar_chart(t["perangkat-daerah"].rows, label="agency", value="attainment",
                                             title=_("Capaian per perangkat daerah"), fmt=percent),
        "kategori": charts.bar_chart(t["kategori"].rows, label="category", value="amount",
                                     title=_("Belanja per kategori"), fmt=rupiah),
        "kecamatan": charts.bar_chart(t["kecamatan"].rows, label="kecamatan", value="amount",
                                      title=_("Belanja per kecamatan"), fmt=rupiah, alt=True),
        "penjual": charts.bar_chart(t["penjual"].rows, label="shop", value="amount",
                                    title=_("Penjual teratas"), fmt=rupiah),
        "tren": charts.trend_chart(t["tren"].rows, label=lambda r: format_date(r["month"], "MMM"),
                                   value="counted", rate="attainment", title=_("Tren 12 bulan"),
                                   fmt=rupiah, rate_fmt=percent),
    }


# --- scope from the request ------------------------------------------------------------------------

def _monitor_scope() -> tuple[Scope, Agency | None]:
    """The signed-in monitor's scope, narrowed by `?agency=`; another agency's id is a 404."""
    scope = quota_scope_for(current_user)
    agency = None
    if request.args.get("agency"):
        agency = get_or_404(Agency, request.args["agency"], check=can_view_agency_quota)
        scope = scope.narrowed_to(agency.id)
    return scope, agency


def _link_agencies(table: reports.Table, month) -> reports.Table:
    return table.link("agency", lambda r: url_for("quotas.agency_detail", agency_id=r["agency_id"],
                                                   bulan=month.strftime("%Y-%m")))


def _link_people(table: reports.Table, month) -> reports.Table:
    return table.link("name", lambda r: url_for("quotas.asn_detail", asn_id=r["asn_id"],
                                                 bulan=month.strftime("%Y-%m")))


# --- dashboard and drill-downs -------------------------------------------------------------------

@bp.get("/")
@role_required(*MONITORS)
def dashboard():
    month = parse_month(request.args.get("bulan"))
    scope, agency = _monitor_scope()
    board = services.dashboard(month, scope)
    db.session.commit()  # months frozen on the way
    _link_agencies(board.tables["perangkat-daerah"], month)
    _link_people(board.tables["di-bawah-minimum"], month)
    return render_template("quotas/dashboard.html", board=board, month=month, agency=agency,
                           agencies=db.session.scalars(agencies_for(current_user).order_by(Agency.name)).all(), charts=_charts(board))


@bp.get("/perangkat-daerah/<id:agency_id>")
@role_required(*MONITORS)
def agency_detail(agency_id: int):
    agency = get_or_404(Agency, agency_id, check=can_view_agency_quota)
    month = parse_month(request.args.get("bulan"))
    only_below = request.args.get("kurang") == "1"
    table, page = reports.agency_members(month, Scope(frozenset({agency.id})), only_below=only_below,
                                         per_page=50)
    _link_people(table, month)
    return render_template("quotas/agency.html", agency=agency, month=month, table=table, page=page,
                           only_below=only_below)


@bp.get("/asn/<id:asn_id>")
@role_required(*MONITORS)
def asn_detail(asn_id: int):
    asn = get_or_404(AsnProfile, asn_id, check=can_view_asn_quota)
    month = parse_month(request.args.get("bulan"))
    return render_template("quotas/asn.html", **_asn_page(asn, month, ExemptionForm()))


def _asn_page(asn: AsnProfile, month, form: ExemptionForm) -> dict:
    exemptions = db.session.scalars(select(QuotaExemption).where(QuotaExemption.asn_id == asn.id)
                                    .order_by(QuotaExemption.starts_on.desc())).all()
    return {
        "asn": asn, "month": month, "form": form, "exemptions": exemptions, "reason_labels": REASON_LABELS,
        "purchases": asn_reports.asn_purchases(month, asn.user_id),
        "history": asn_reports.history(month, Scope(asn_id=asn.id)),
    }


@bp.post("/asn/<id:asn_id>/pengecualian")
@role_required(*MONITORS)
def add_exemption(asn_id: int):
    asn = get_or_404(AsnProfile, asn_id, check=can_view_asn_quota)
    month = parse_month(request.args.get("bulan"))
    form = ExemptionForm()
    if form.validate_on_submit():
        try:
            services.add_exemption(asn, starts_on=form.starts_on.data, ends_on=form.ends_on.data,
                                   reason=ExemptionReason(form.reason.data), note=form.note.data,
                                   actor=current_user)
        except DomainError as error:
            db.session.rollback()
            _attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Pengecualian disimpan."), "success")
            return redirect(url_for("quotas.asn_detail", asn_id=asn.id, bulan=month.strftime("%Y-%m")))
    return render_template("quotas/asn.html", **_asn_page(asn, month, form)), 422


@bp.post("/pengecualian/<id:exemption_id>/hapus")
@role_required(*MONITORS)
def remove_exemption(exemption_id: int):
    exemption = get_or_404(QuotaExemption, exemption_id, check=can_manage_exemption)
    asn_id = exemption.asn_id
    services.remove_exemption(exemption, actor=current_user)
    db.session.commit()
    flash(_("Pengecualian dihapus."), "success")
    return redirect(url_for("quotas.asn_detail", asn_id=asn_id))


@bp.get("/pengecualian")
@role_required(*MONITORS)
def exemptions():
    page = page_of(exemptions_for(current_user), per_page=50)
    return render_template("quotas/exemptions.html", page=page, reason_labels=REASON_LABELS)


# --- exports -------------------------------------------------------------------------------------

EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@bp.get("/ekspor/<name>.<fmt>")
@role_required(*MONITORS)
def export(name: str, fmt: str):
    if fmt not in EXPORT_TYPES:
        abort(404)
    month = parse_month(request.args.get("bulan"))
    filters = [(_("Bulan"), month.strftime("%Y-%m"))]
    if request.args.get("asn"):
        asn = get_or_404(AsnProfile, request.args["asn"], check=can_view_asn_quota)
        tables = {"pembelian": lambda: asn_reports.asn_purchases(month, asn.user_id),
                  "riwayat": lambda: asn_reports.history(month, Scope(asn_id=asn.id))}
        table = tables[name]() if name in tables else None
        filters.append((_("ASN"), f"{asn.user.name} ({asn.nip})"))
        suffix = asn.nip
    else:
        scope, agency = _monitor_scope()
        table = reports.full_table(name, month, scope, only_below=request.args.get("kurang") == "1")
        filters.append((_("Perangkat daerah"), agency.name if agency else _("Semua yang dapat Anda lihat")))
        suffix = agency.code if agency else "semua"
    if table is None:
        abort(404)
    filename = f"kuota-{name}-{month:%Y-%m}-{suffix}.{fmt}"
    body = exports.to_csv(table) if fmt == "csv" else exports.to_xlsx(table, filters)
    return Response(body, mimetype=EXPORT_TYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


# --- policies (admins) ---------------------------------------------------------------------------

@bp.get("/kebijakan")
@role_required("admin")
def policies():
    rows = db.session.scalars(select(QuotaPolicy).order_by(QuotaPolicy.effective_from.desc(),
                                                           QuotaPolicy.id.desc())).all()
    return render_template("quotas/policies.html", policies=rows, minimum_labels=MINIMUM_LABELS,
                           echelon_labels=ECHELON_LABELS)


@bp.route("/kebijakan/baru", methods=["GET", "POST"])
@role_required("admin")
def policy_new():
    return _policy_form(None)


@bp.route("/kebijakan/<id:policy_id>", methods=["GET", "POST"])
@role_required("admin")
def policy_edit(policy_id: int):
    return _policy_form(get_or_404(QuotaPolicy, policy_id))


def _policy_form(policy: QuotaPolicy | None):
    form = PolicyForm()
    form.agency_ids.choices = [(a.id, f"{a.name} ({a.code})") for a in
                               db.session.scalars(select(Agency).order_by(Agency.name))]
    if request.method == "GET" and policy is not None:
        form.fill_from(policy)
    if form.validate_on_submit():
        try:
            saved = services.save_policy(policy, actor=current_user, **form.service_kwargs())
        except DomainError as error:
            db.session.rollback()
            _attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Kebijakan \u201c%(name)s\u201d disimpan.", name=saved.name), "success")
            return redirect(url_for("quotas.policies"))
    status = 422 if request.method == "POST" else 200
    return render_template("quotas/policy_form.html", form=form, policy=policy), status


def _attach_error(form, error: DomainError) -> None:
    field = form._fields.get(error.details.get("field", ""))
    if field is not None:
        field.errors = list(field.errors) + [str(error.message)]
    else:
        form.form_errors.append(str(error.message))


# --- the ASN's own history ------------------------------------------------------------------------

@bp.get("/saya")
@login_required
def my_history():
    if current_user.asn is None:
        abort(404)
    month = parse_month(request.args.get("bulan"))
    return render_template("quotas/mine.html", month=month,
                           history=asn_reports.history(month, Scope(user_id=current_user.id)),
                           purchases=asn_reports.asn_purchases(month, current_user.id))
