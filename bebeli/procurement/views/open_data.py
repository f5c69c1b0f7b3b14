"""What procurement shows beyond the purchase: the monitoring page with its export, and the
public OCDS feed."""
from __future__ import annotations

from datetime import datetime

from flask import Response, current_app, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from bebeli.auth.permissions import managed_agency_ids, role_required
from bebeli.dates import JAKARTA, jakarta_today
from bebeli.procurement import bp, flags, monitoring, ocds
from bebeli.procurement.views.setup import SETUP_ROLES, fiscal_year_arg
from bebeli.quotas import exports
from bebeli.urls import public_link

# --- monitoring ----------------------------------------------------------------------------

@bp.get("/pengadaan/pemantauan", endpoint="monitoring")
@role_required(*SETUP_ROLES)
def monitoring_page():
    year = fiscal_year_arg()
    scope = managed_agency_ids(current_user)
    return render_template(
        "procurement/monitoring.html", year=year, rows=monitoring.agency_spending(year, scope),
        splits=flags.splitting_flags(agency_ids=scope), self_dealing=flags.self_dealing_flags(agency_ids=scope),
    )


EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@bp.get("/pengadaan/pemantauan/pecah-paket.<any(csv, xlsx):fmt>", endpoint="split_flags_export")
@role_required(*SETUP_ROLES)
def split_flags_export(fmt):
    """The package-splitting flags of the monitoring page, each with the PPh 22 due on its sum."""
    table = monitoring.split_flags_table(flags.splitting_flags(agency_ids=managed_agency_ids(current_user)))
    filters = [(_("Tanda bahaya"), _("12 bulan terakhir")), (_("Diunduh"), f"{jakarta_today():%Y-%m-%d}")]
    body = exports.to_csv(table) if fmt == "csv" else exports.to_xlsx(table, filters)
    filename = f"pecah-paket-{jakarta_today():%Y-%m-%d}.{fmt}"
    return Response(body, mimetype=EXPORT_TYPES[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "Cache-Control": "private, no-store"})


# --- open data -----------------------------------------------------------------------------

@bp.get("/api/ocds/releases")
def ocds_releases():
    since = after = None
    if request.args.get("since"):
        try:
            since = datetime.fromisoformat(request.args["since"])
        except ValueError:
            return jsonify(error="invalid_since", status=400,
                           message=_("Parameter since harus tanggal atau waktu ISO 8601, misalnya 2026-01-31.")), 400
        if since.tzinfo is None:
            since = since.replace(tzinfo=JAKARTA)
    if request.args.get("after"):
        try:
            after = ocds.parse_cursor(request.args["after"])
        except ValueError:
            return jsonify(error="invalid_after", status=400,
                           message=_("Parameter after tidak valid; pakai tautan next dari halaman sebelumnya.")), 400
    size = current_app.config["OCDS_PAGE_SIZE"]
    page = ocds.events(since, limit=size + 1, after=after)
    more, page = len(page) > size, page[:size]
    if not page:
        response = current_app.response_class(status=204)
    else:
        response = jsonify(ocds.release_package(page, uri=public_link(request.full_path.rstrip("?"))))
        if more:
            args = {**request.args.to_dict(), "after": page[-1].cursor}
            response.headers["Link"] = f'<{url_for("procurement.ocds_releases", _external=True, **args)}>; rel="next"'
    response.headers["Cache-Control"] = "public, max-age=300"
    return response

