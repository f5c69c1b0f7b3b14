from flask import render_template
from flask_babel import lazy_gettext as _l
from sqlalchemy import func

from bebeli.admin import bp
from bebeli.audit.models import AuditEvent
from bebeli.auth.models import User
from bebeli.auth.permissions import role_required
from bebeli.directory.models import Agency, AsnProfile
from bebeli.extensions import db
from bebeli.procurement.monitoring import admin_panel


@bp.get("/")
@role_required("admin")
def dashboard():
    counts = {
        "users": db.session.scalar(db.select(func.count(User.id))),
        "agencies": db.session.scalar(db.select(func.count(Agency.id)).where(Agency.is_active)),
        "asn": db.session.scalar(db.select(func.count(AsnProfile.id)).where(AsnProfile.is_active)),
    }
    recent = db.session.scalars(db.select(AuditEvent).order_by(AuditEvent.id.desc()).limit(10)).all()
    links = admin_links()
    # The agency channel's panel, in a build that has its monitoring screen.
    panel = admin_panel() if "procurement.monitoring" in dict(links) else None
    return render_template("admin/dashboard.html", counts=counts, recent=recent, admin_links=links,
                           procurement_panel=panel)


def admin_links() -> list[tuple[str, object]]:
    """Admin screens that exist in this build, in menu order."""
    from flask import current_app

    return [(e, label) for e, label in ADMIN_SCREENS if e in current_app.view_functions]


ADMIN_SCREENS = [
    ("directory.asn_list", _l("Direktori ASN")),
    ("directory.agency_list", _l("Perangkat daerah")),
    ("directory.import_asn", _l("Impor ASN")),
    ("sellers.verification_queue", _l("Verifikasi UMKM")),
    ("catalog.admin_categories", _l("Kategori")),
    ("reviews.admin_queue", _l("Moderasi ulasan")),
    ("orders.admin_index", _l("Semua pesanan")),
    ("quotas.dashboard", _l("Pemantauan kuota")),
    ("growth.dashboard", _l("Pertumbuhan UMKM")),
    ("procurement.monitoring", _l("Pengadaan instansi")),
    ("settlement.admin_batches", _l("Pencairan dana")),
    ("complaints.admin_index", _l("Komplain")),
    ("sanctions.index", _l("Usulan sanksi")),
    ("audit.index", _l("Log audit")),
    ("jobs.status", _l("Status sistem")),
]
