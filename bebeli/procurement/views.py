"""Agency procurement screens: the officials' inbox, agency checkout, the purchase page with
its steps, documents, set-up (budget lines, officials), monitoring, and the OCDS feed."""
from __future__ import annotations

from datetime import datetime

from flask import Response, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from bebeli.auth.models import Role, User
from bebeli.auth.permissions import get_or_404, managed_agency_ids, role_required
from bebeli.cart.forms import METHOD_LABELS, entries_by_shop, expected_total, methods_by_shop
from bebeli.cart.services import review_cart
from bebeli.dates import JAKARTA, jakarta_today
from bebeli.directory.models import Agency
from bebeli.errors import DomainError
from bebeli.extensions import db
from bebeli.forms import EmptyForm
from bebeli.handler import perform
from bebeli.ids import id_arg, int_arg, page_arg
from bebeli.money import rupiah
from bebeli.orders.models import FulfilmentMethod, FulfilmentStatus, OrderEvent
from bebeli.orders.status import status_label
from bebeli.orders.totals import offered_methods
from bebeli.procurement import bp, budget, documents, flags, monitoring, ocds, officials, services
from bebeli.procurement import receivers  # noqa: F401  (connects the signal receivers)
from bebeli.procurement.forms import (
    AgencyBudgetForm,
    AgencyCheckoutForm,
    AppointForm,
    BudgetLineEditForm,
    BudgetLineForm,
    CounterForm,
    NoteForm,
    PaymentForm,
    bast_form,
    offer_form,
)
from bebeli.procurement.models import AgencyPurchase, BudgetLine, OfferStatus, PriceOffer, Stage
from bebeli.procurement.permissions import TEMPLATE_RULES, can_set_up, can_view_purchase, is_seller_of
from bebeli.procurement.tax import quote_agency_checkout
from bebeli.quotas import exports
from bebeli.urls import public_link

INBOX_ROLES = ("pp", "ppk", "bendahara", "seller", "agency_admin", "admin")
SETUP_ROLES = ("admin", "agency_admin")
OFFER_LABELS = {
    OfferStatus.PENDING: _l("menunggu jawaban"),
    OfferStatus.ACCEPTED: _l("disepakati"),
    OfferStatus.COUNTERED: _l("ditawar balik"),
    OfferStatus.DECLINED: _l("ditolak"),
}
# In this channel the PPK's approval, not a payment, hands the order to the seller.
APPROVED_LABEL = _l("Disetujui PPK, menunggu penjual")


def agency_status_label(status, so=None):
    """A seller order's status in this channel (pickup and refusals read as everywhere else)."""
    return APPROVED_LABEL if FulfilmentStatus(status) == FulfilmentStatus.PAID else status_label(status, so)


EVENT_KIND_LABELS = {
    "negotiation": _l("Negosiasi harga"),
    "approval": _l("Persetujuan PPK"),
    "document": _l("Dokumen terbit"),
    "payment": _l("Pembayaran"),
    "note": _l("Catatan"),
}


@bp.app_context_processor
def _procurement_rules():
    return {**TEMPLATE_RULES, "stage_labels": services.STAGE_LABELS, "stage_badges": services.STAGE_BADGES,
            "action_labels": services.ACTION_LABELS, "offer_labels": OFFER_LABELS,
            "agency_status_label": agency_status_label,
            "event_kind_labels": EVENT_KIND_LABELS, "percent": percent,
            "procurement_admin_panel": monitoring.admin_panel}


def percent(basis_points: int) -> str:
    """Basis points as a percentage in the reader's locale: 1500 → "15", 150 → "1,5"."""
    return format_decimal(basis_points / 100, format="#,##0.#")


def _purchase(purchase_id) -> AgencyPurchase:
    return get_or_404(AgencyPurchase, purchase_id, check=can_view_purchase)


def _to_detail(purchase_id):
    return redirect(url_for("procurement.detail", purchase_id=purchase_id))


def _year() -> int:
    return int_arg("tahun", 2000, 2100) or budget.current_fiscal_year()


# --- inbox -------------------------------------------------------------------------------

@bp.get("/pengadaan/")
@role_required(*INBOX_ROLES)
def inbox():
    stage = request.args.get("tahap")
    stmt = services.purchases_for(current_user)
    if stage in {s.value for s in Stage}:
        stmt = stmt.where(AgencyPurchase.stage == Stage(stage))
    page = db.paginate(stmt, per_page=20, page=page_arg(), error_out=False)
    cart = review_cart(current_user) if current_user.has_role(Role.PP) else None
    scope = managed_agency_ids(current_user)   # None: the admin, who sets up from the monitoring page
    setup_agencies = db.session.scalars(db.select(Agency).where(Agency.id.in_(scope)).order_by(Agency.name)
                                        ).all() if scope else []
    return render_template("procurement/inbox.html", page=page, to_do=services.to_do_for(current_user),
                           cart=cart, stage=stage, setup_agencies=setup_agencies, stages=Stage,
                           can_monitor=current_user.has_role(*SETUP_ROLES))


# --- checkout ----------------------------------------------------------------------------

def _placed_order_url(order) -> str:
    """Where the PP lands after ordering (and on every repeat of that submission): the new
    purchase, or the order with its parts when it went to several shops."""
    purchase_ids = db.session.scalars(db.select(AgencyPurchase.id).where(AgencyPurchase.order_id == order.id)).all()
    if len(purchase_ids) == 1:
        return url_for("procurement.detail", purchase_id=purchase_ids[0])
    return url_for("orders.detail", order_id=order.id)


@bp.route("/pengadaan/checkout", methods=["GET", "POST"])
@role_required("pp")
def checkout():
    agency_ids = sorted(current_user.agency_ids(Role.PP))
    agency_id = id_arg("instansi", request.values) or agency_ids[0]
    if agency_id not in agency_ids:
        abort(404)
    agency = db.session.get(Agency, agency_id)
    review = review_cart(current_user, images=True)
    previewing = request.method == "POST" and "preview" in request.form   # "Hitung ulang total"
    if review.is_empty and (request.method == "GET" or previewing):
        flash(_("Keranjang masih kosong. Tambahkan produk dari katalog dulu."), "info")
        return redirect(url_for("procurement.inbox"))
    lines, ppks = services.checkout_choices(current_user, agency_id, budget.current_fiscal_year())
    form = AgencyCheckoutForm(data={"shops": _initial_methods(review)} if request.method == "GET" else None)
    form.budget_line.choices = [
        (line.id, _("%(line)s · sisa %(left)s", line=line.label, left=rupiah(line.remaining_amount))) for line in lines
    ]
    form.ppk.choices = [(user.id, user.name) for user in ppks]
    if request.method == "GET" and not form.delivery_address.data:
        form.delivery_address.data = agency.address or ""
    if not previewing and form.validate_on_submit():
        try:
            order, created = services.place_agency_order(
                current_user, agency_id=agency_id, budget_line_id=form.budget_line.data, ppk_id=form.ppk.data,
                delivery_address=form.delivery_address.data, note=form.note.data,
                idempotency_key=request.form.get("idempotency_key", ""), methods=methods_by_shop(form.shops),
                expected_total=expected_total(form.quoted_total))
        except DomainError as error:
            db.session.rollback()
            form.form_errors.append(str(error.message))
        else:
            number, target = order.number, _placed_order_url(order)  # read before the commit expires them
            db.session.commit()
            if created:
                flash(_("Pesanan %(number)s dikirim ke PPK untuk disetujui.", number=number), "success")
            return redirect(target)
    if review.problems:
        flash(_("Ada perubahan pada keranjang. Periksa dan perbarui dulu sebelum memesan."), "warning")
    # The figures each purchase will carry, by the functions that compute them when it is placed.
    quote = quote_agency_checkout(review.groups, methods_by_shop(form.shops), jakarta_today())
    form.quoted_total.data = str(quote.order.totals.total_amount)
    return render_template("procurement/checkout.html", form=form, review=review, agency=agency,
                           agencies=db.session.scalars(db.select(Agency).where(Agency.id.in_(agency_ids))).all(),
                           budget_lines=lines, ppks=ppks, idempotency_key=services.agency_cart_key(current_user),
                           limit=flags.channel_limit_amount(), quote=quote, method_labels=METHOD_LABELS,
                           entries=entries_by_shop(form.shops))


def _initial_methods(review) -> list[dict]:
    """The checkout form's first state: each shop delivers where it can, as on personal orders."""
    return [{"shop_id": str(group.shop.id),
             "method": (offered_methods(group.shop) or [FulfilmentMethod.DELIVERY])[0].value}
            for group in review.groups]


# --- the purchase and its steps ---------------------------------------------------------------

@bp.get("/pengadaan/pesanan/<id:purchase_id>")
@role_required(*INBOX_ROLES)
def detail(purchase_id):
    purchase = _purchase(purchase_id)
    so = purchase.seller_order
    events = db.session.scalars(db.select(OrderEvent).where(OrderEvent.seller_order_id == so.id)
                                .order_by(OrderEvent.id.desc())).all()
    warnings = [] if is_seller_of(current_user, purchase) else flags.self_dealing_for([purchase])
    notes = {name: NoteForm(prefix=name, formdata=None) for name in NOTE_STEPS}
    counter_forms = {offer.id: CounterForm(prefix=f"offer{offer.id}", formdata=None)
                     for offer in purchase.pending_offers}
    return render_template(
        "procurement/detail.html", purchase=purchase, so=so, events=events, warnings=warnings,
        actions=services.actions_for(current_user, purchase), offer_form=offer_form(so.lines),
        notes=notes, counter_forms=counter_forms,
    )


NOTE_STEPS = ("send_back", "reject_sp", "cancel")


def _note_from_form(step: str) -> str | None:
    form = NoteForm(prefix=step)
    return form.note.data if form.validate_on_submit() else None


@bp.post("/pengadaan/pesanan/<id:purchase_id>/usulan-harga")
@role_required("pp")
def propose(purchase_id):
    purchase = _purchase(purchase_id)
    form = offer_form(purchase.seller_order.lines)
    if not form.validate_on_submit():
        flash(_("Periksa kembali harga usulan."), "error")
        return _to_detail(purchase_id)
    prices = {line.id: field.data for line, field in form.line_fields}
    perform(lambda: services.propose_prices(purchase, current_user, prices),
            done=_("Usulan harga dikirim ke penjual."))
    return _to_detail(purchase_id)


def _offer(offer_id) -> PriceOffer:
    return get_or_404(PriceOffer, offer_id, check=lambda user, offer: can_view_purchase(user, offer.purchase))


@bp.post("/pengadaan/tawaran/<id:offer_id>/terima")
@role_required("pp", "seller")
def accept_offer(offer_id):
    offer = _offer(offer_id)
    if EmptyForm().validate_on_submit():
        perform(lambda: services.accept_offer(offer, current_user),
                done=_("Harga disepakati."))
    return _to_detail(offer.purchase_id)


@bp.post("/pengadaan/tawaran/<id:offer_id>/tolak")
@role_required("pp", "seller")
def decline_offer(offer_id):
    offer = _offer(offer_id)
    if EmptyForm().validate_on_submit():
        perform(lambda: services.decline_offer(offer, current_user),
                done=_("Tawaran ditolak; harga tetap."))
    return _to_detail(offer.purchase_id)


@bp.post("/pengadaan/tawaran/<id:offer_id>/tawar-balik")
@role_required("seller")
def counter_offer(offer_id):
    offer = _offer(offer_id)
    form = CounterForm(prefix=f"offer{offer_id}")
    if not form.validate_on_submit():
        flash(" ".join(str(e) for e in form.price.errors) or _("Isi harga tawaran balik."), "error")
        return _to_detail(offer.purchase_id)
    perform(lambda: services.counter_offer(offer, current_user, form.price.data, form.note.data),
            done=_("Tawaran balik dikirim."))
    return _to_detail(offer.purchase_id)


@bp.post("/pengadaan/pesanan/<id:purchase_id>/setujui")
@role_required("ppk")
def approve(purchase_id):
    if not EmptyForm().validate_on_submit():
        return _to_detail(purchase_id)
    purchase = _purchase(purchase_id)
    perform(lambda: services.approve_purchase(purchase, current_user),
            done=_("Pesanan disetujui; Surat Pesanan terbit dan dikirim ke penjual."))
    return _to_detail(purchase_id)


@bp.post("/pengadaan/pesanan/<id:purchase_id>/kembalikan")
@role_required("ppk")
def send_back(purchase_id):
    note = _note_from_form("send_back")
    purchase = _purchase(purchase_id)
    perform(lambda: services.return_purchase(purchase, current_user, note),
            done=_("Pesanan dikembalikan ke Pejabat Pengadaan."))
    return _to_detail(purchase_id)


@bp.post("/pengadaan/pesanan/<id:purchase_id>/ajukan-ulang")
@role_required("pp")
def resubmit(purchase_id):
    if not EmptyForm().validate_on_submit():
        return _to_detail(purchase_id)
    purchase = _purchase(purchase_id)
    perform(lambda: services.resubmit_purchase(purchase, current_user),
            done=_("Pesanan diajukan ulang ke PPK."))
    return _to_detail(purchase_id)


@bp.post("/pengadaan/pesanan/<id:purchase_id>/batalkan")
@role_required("pp")
def cancel(purchase_id):
    note = _note_from_form("cancel")
    purchase = _purchase(purchase_id)
    perform(lambda: services.cancel_purchase(purchase, current_user, note),
            done=_("Pesanan dibatalkan; stok dikembalikan."))
    return _to_detail(purchase_id)


@bp.post("/pengadaan/pesanan/<id:purchase_id>/sp/terima")
@role_required("seller")
def accept_sp(purchase_id):
    if not EmptyForm().validate_on_submit():
        return _to_detail(purchase_id)
    purchase = _purchase(purchase_id)
    perform(lambda: services.accept_sp(purchase, current_user),
            done=_("Surat Pesanan diterima. Siapkan dan kirim barang."))
    return _to_detail(purchase_id)


@bp.post("/pengadaan/pesanan/<id:purchase_id>/sp/tolak")
@role_required("seller")
def reject_sp(purchase_id):
    note = _note_from_form("reject_sp")
    purchase = _purchase(purchase_id)
    perform(lambda: services.reject_sp(purchase, current_user, note),
            done=_("Surat Pesanan ditolak."))
    return _to_detail(purchase_id)


@bp.route("/pengadaan/pesanan/<id:purchase_id>/bast", methods=["GET", "POST"])
@role_required("ppk")
def bast(purchase_id):
    purchase = _purchase(purchase_id)
    form = bast_form(purchase.seller_order.lines)
    if form.validate_on_submit():
        rejected = {line.id: field.data or 0 for line, field in form.line_fields}
        try:
            services.sign_bast(purchase, current_user, rejected=rejected, note=form.note.data)
        except DomainError as error:
            db.session.rollback()
            form.form_errors.append(str(error.message))
        else:
            db.session.commit()
            flash(_("BAST ditandatangani; tagihan diteruskan ke bendahara."), "success")
            return _to_detail(purchase_id)
    return render_template("procurement/bast.html", purchase=purchase, form=form)


@bp.route("/pengadaan/pesanan/<id:purchase_id>/bayar", methods=["GET", "POST"])
@role_required("bendahara")
def pay(purchase_id):
    purchase = _purchase(purchase_id)
    form = PaymentForm()
    if request.method == "GET":
        form.paid_on.data = jakarta_today()
        form.amount.data = purchase.outstanding_amount
    if form.validate_on_submit():
        try:
            services.record_payment(purchase, current_user, paid_on=form.paid_on.data,
                                    reference=form.reference.data, amount=form.amount.data)
        except DomainError as error:
            db.session.rollback()
            field = getattr(form, error.details.get("field", ""), None)
            (field.errors if field is not None else form.form_errors).append(str(error.message))
        else:
            db.session.commit()
            flash(_("Pembayaran dicatat."), "success")
            return _to_detail(purchase_id)
    return render_template("procurement/pay.html", purchase=purchase, form=form)


@bp.get("/pengadaan/pesanan/<id:purchase_id>/<any(sp, bast, tagihan):kind>.pdf")
@role_required(*INBOX_ROLES)
def document(purchase_id, kind):
    purchase = _purchase(purchase_id)
    if not documents.is_issued(purchase, kind):
        abort(404)
    pdf = documents.render(purchase, kind)
    filename = documents.filename(purchase, kind)
    return pdf, 200, {"Content-Type": "application/pdf",
                      "Content-Disposition": f'inline; filename="{filename}"',
                      "Cache-Control": "private, no-store"}


# --- set-up: budget lines and officials -----------------------------------------------------

def _agency(agency_id) -> Agency:
    return get_or_404(Agency, agency_id, check=lambda user, agency: can_set_up(user, agency.id))


@bp.route("/pengadaan/instansi/<id:agency_id>/anggaran", methods=["GET", "POST"])
@role_required(*SETUP_ROLES)
def budget_lines(agency_id):
    agency, year = _agency(agency_id), _year()
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
    agency, year = _agency(agency_id), _year()
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


# --- monitoring ----------------------------------------------------------------------------

@bp.get("/pengadaan/pemantauan", endpoint="monitoring")
@role_required(*SETUP_ROLES)
def monitoring_page():
    year = _year()
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

