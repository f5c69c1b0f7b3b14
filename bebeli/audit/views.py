from flask import render_template, request

from bebeli.audit import bp
from bebeli.audit.services import audit_events_for
from bebeli.auth.permissions import role_required
from bebeli.ids import page_of


@bp.get("/")
@role_required("admin")
def index():
    stmt = audit_events_for(
        action=request.args.get("action") or None,
        object_type=request.args.get("object_type") or None,
        object_id=request.args.get("object_id") or None,
    )
    page = page_of(stmt, per_page=50)
    return render_template("audit/index.html", page=page)
