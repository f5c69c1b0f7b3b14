"""Seller screens (registration, dashboard, profile, certificates) and the admin's
verification queue."""
from __future__ import annotations

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user

from bebeli.audit.services import audit_events_for
from bebeli.auth.permissions import get_or_404, role_required
from bebeli.catalog.forms import ReasonForm, attach_error
from bebeli.catalog.models import Product, ProductStatus
from bebeli.catalog.queries import offers_hidden, products_for_seller
from bebeli.errors import DomainError
from bebeli.extensions import db, limiter
from bebeli.forms import EmptyForm
from bebeli.handler import perform
from bebeli.identity import format_npwp, mask
from bebeli.ids import page_of
from bebeli.auth.homes import home_url_for
from bebeli.regions import kelurahan_options
from bebeli.sellers import bp
from bebeli.sellers.forms import CertificateForm, RegistrationForm, ShopFilterForm, ShopProfileForm, read_upload
from bebeli.sellers.models import Shop, ShopCertificate, ShopStatus
from bebeli.sellers.permissions import TEMPLATE_RULES, can_view_certificate, own_shop_or_404, owns_certificate
from bebeli.sellers.services import (
    CERTIFICATE_LABELS, IDENTITY_FIELDS, STATUS_LABELS, add_certificate, change_status, duplicates_for,
    expired_certificates, identity_locked, register_shop, remove_certificate, resubmit_shop, shop_for_owner,
    shops_for_admin, update_shop_profile,
)
from bebeli.storage import file_response, file_view_policy


@bp.app_context_processor
def inject_seller_helpers():
    return {"shop_status_labels": STATUS_LABELS, "certificate_labels": CERTIFICATE_LABELS, **TEMPLATE_RULES}


@bp.app_template_filter("masked")
def masked(digits: str | None) -> str:
    return mask(digits) if digits else "–"


@bp.app_template_filter("npwp")
def npwp(digits: str | None) -> str:
    return format_npwp(digits) if digits else "–"


def _kelurahan_source() -> str:
    return url_for("sellers.kelurahan_options")


# ------------------------------------------------------------------------ registration

@bp.route("/daftar", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
def register():
    if current_user.is_authenticated:
        flash(_("Anda sudah masuk. Keluar dahulu untuk mendaftarkan UMKM dengan akun baru."), "info")
        return redirect(home_url_for(current_user))
    form = RegistrationForm(kelurahan_source=_kelurahan_source())
    if form.validate_on_submit():
        try:
            shop = register_shop(email=form.email.data, password=form.password.data, profile=form.profile(),
                                 logo=read_upload(form.logo), certificates=form.certificates())
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error, image_field="logo")
        else:
            db.session.commit()
            login_user(shop.owner)
            flash(_("Pendaftaran terkirim. Admin Dinas Koperasi dan UKM akan memverifikasi data Anda."), "success")
            return redirect(url_for("sellers.dashboard"))
    return render_template("sellers/register.html", form=form)


@bp.get("/wilayah/kelurahan", endpoint="kelurahan_options")
def kelurahan_options_view():
    """Options of the kelurahan select that depends on the chosen kecamatan."""
    return jsonify(kelurahan_options(request.args.get("parent")))


# ---------------------------------------------------------------------------- seller

@bp.get("/")
@role_required("seller")
def dashboard():
    shop = shop_for_owner(current_user)
    if shop is None:
        return render_template("sellers/dashboard.html", shop=None)
    counts = dict(db.session.execute(
        products_for_seller(shop).with_only_columns(Product.status, db.func.count()).group_by(Product.status)
    ).all())
    recent = db.session.scalars(
        products_for_seller(shop).order_by(Product.updated_at.desc(), Product.id.desc()).limit(5)
    ).all()
    taken_down = db.session.scalar(
        products_for_seller(shop).with_only_columns(db.func.count()).where(Product.taken_down.is_(True))
    )
    orders_url = order_counts = None
    if "orders.seller_index" in current_app.view_functions:
        from bebeli.orders.queries import seller_order_counts

        orders_url, order_counts = url_for("orders.seller_index"), seller_order_counts(current_user)
    complaints_url = open_complaints = None
    sanctions = []
    if "complaints.seller_index" in current_app.view_functions:
        from bebeli.complaints.queries import complaints_for_seller
        from bebeli.sanctions.services import sanctions_for_shop

        complaints_url = url_for("complaints.seller_index")
        open_complaints = db.session.scalar(complaints_for_seller(current_user, open_only=True)
                                            .with_only_columns(db.func.count()).order_by(None))
        sanctions = sanctions_for_shop(shop)
    insights = None
    if "insights.page" in current_app.view_functions:
        from bebeli.insights import services as insight_services

        insights = {"url": url_for("insights.page"), "low_stock": insight_services.low_stock(shop),
                    "expiring": insight_services.expiring_certificates(shop)}
    return render_template("sellers/dashboard.html", shop=shop, counts=counts, recent=recent,
                           taken_down=taken_down, orders_url=orders_url, order_counts=order_counts,
                           complaints_url=complaints_url, open_complaints=open_complaints, sanctions=sanctions,
                           offers_hidden=offers_hidden(shop), insights=insights,
                           ProductStatus=ProductStatus, expired=expired_certificates(shop))


@bp.route("/profil", methods=["GET", "POST"])
@role_required("seller")
def edit_profile():
    shop = own_shop_or_404()
    form = ShopProfileForm(obj=shop, kelurahan_source=_kelurahan_source())
    locked = identity_locked(shop)
    if locked:
        for name in IDENTITY_FIELDS:
            del form[name]
    if request.method == "GET":
        form.load_shop(shop)
    if form.validate_on_submit():
        try:
            update_shop_profile(shop, form.profile(shop), actor=current_user, logo=read_upload(form.logo))
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error, image_field="logo")
        else:
            db.session.commit()
            flash(_("Profil toko tersimpan."), "success")
            return redirect(url_for("sellers.edit_profile"))
    return render_template("sellers/profile.html", shop=shop, form=form, locked=locked,
                           certificate_form=CertificateForm())


@bp.post("/ajukan-ulang")
@role_required("seller")
def resubmit():
    shop = own_shop_or_404()
    if EmptyForm().validate_on_submit():
        perform(lambda: resubmit_shop(shop, actor=current_user), done=_("Data toko diajukan ulang untuk verifikasi."))
    return redirect(url_for("sellers.dashboard"))


@bp.post("/sertifikat", endpoint="add_certificate")
@role_required("seller")
def add_certificate_view():
    shop = own_shop_or_404()
    form = CertificateForm()
    if form.validate_on_submit():
        perform(lambda: add_certificate(shop, form.certificate(), actor=current_user),
                done=_("Sertifikat ditambahkan."))
    else:
        for errors in form.errors.values():
            flash(" ".join(str(e) for e in errors), "error")
    return redirect(url_for("sellers.edit_profile") + "#sertifikat")


@bp.post("/sertifikat/<id:certificate_id>/hapus")
@role_required("seller")
def delete_certificate(certificate_id):
    certificate = get_or_404(ShopCertificate, certificate_id, check=owns_certificate)
    if EmptyForm().validate_on_submit():
        perform(lambda: remove_certificate(certificate, actor=current_user), done=_("Sertifikat dihapus."))
    return redirect(url_for("sellers.edit_profile") + "#sertifikat")


@bp.get("/sertifikat/<id:certificate_id>/dokumen")
@file_view_policy
@role_required("seller", "admin")
def certificate_document(certificate_id):
    certificate = get_or_404(ShopCertificate, certificate_id, check=can_view_certificate)
    if not certificate.document_key:
        abort(404)
    return file_response(certificate.document_key, public=False)


# ----------------------------------------------------------------------------- admin

@bp.get("/admin/verifikasi")
@role_required("admin")
def verification_queue():
    filters = ShopFilterForm(request.args)
    status = None if filters.status.data == "semua" else _status_or_pending(filters.status.data)
    local = {"ya": True, "tidak": False}.get(filters.lokal.data)
    page = page_of(shops_for_admin(status=status, local=local, expired_certificates=filters.sertifikat.data,
                                   text=filters.q.data or None))
    return render_template("sellers/admin_queue.html", page=page, filters=filters,
                           duplicates=duplicates_for(page.items), status=status)


def _status_or_pending(value: str | None) -> ShopStatus:
    try:
        return ShopStatus(value)
    except ValueError:
        return ShopStatus.PENDING


@bp.get("/admin/<id:shop_id>")
@role_required("admin")
def admin_shop(shop_id):
    shop = get_or_404(Shop, shop_id)
    history = db.session.scalars(audit_events_for(object_type="shops", object_id=str(shop.id)).limit(50)).all()
    product_count = db.session.scalar(products_for_seller(shop).with_only_columns(db.func.count()))
    return render_template("sellers/admin_shop.html", shop=shop, history=history, product_count=product_count,
                           duplicates=duplicates_for([shop]).get(shop.id, []), reason_form=ReasonForm(),
                           expired=expired_certificates(shop))


@bp.post("/admin/<id:shop_id>/status/<status>")
@role_required("admin")
def set_status(shop_id, status):
    shop = get_or_404(Shop, shop_id)
    try:
        target = ShopStatus(status)
    except ValueError:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    # The service knows which moves need a reason.
    perform(lambda: change_status(shop, target, actor=current_user, reason=request.form.get("reason")),
            done=_("Status %(shop)s: %(status)s.", shop=shop.name, status=STATUS_LABELS[target]))
    return redirect(url_for("sellers.admin_shop", shop_id=shop.id))
