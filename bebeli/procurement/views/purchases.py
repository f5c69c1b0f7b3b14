"""Agency procurement screens: the officials' inbox, agency checkout, the purchase page with
its steps, and its documents."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from bebeli.auth.models import Role
from bebeli.auth.permissions import get_or_404, managed_agency_ids, role_required
from bebeli.lifecycle.forms import METHOD_LABELS, entries_by_shop, expected_total, methods_by_shop
from bebeli.cart.services import review_cart
from bebeli.dates import jakarta_today
from bebeli.directory.models import Agency
from bebeli.errors import DomainError
from bebeli.extensions import db
from bebeli.forms import EmptyForm
from bebeli.handler import perform
from bebeli.ids import id_arg, page_of
from bebeli.money import rupiah
from bebeli.orders.models import FulfilmentMethod, OrderEvent
from bebeli.orders.totals import offered_methods
from bebeli.procurement import bp, budget, documents, flags, labels, queries, services
from bebeli.procurement import checkout as agency_checkout
from bebeli.procurement.forms import AgencyCheckoutForm, CounterForm, NoteForm, PaymentForm, bast_form, offer_form
from bebeli.procurement.models import AgencyPurchase, PriceOffer, Stage
from bebeli.procurement.permissions import TEMPLATE_RULES, can_view_purchase
from bebeli.procurement.tax import quote_agency_checkout
from bebeli.procurement.views.setup import SETUP_ROLES
from bebeli.sellers.permissions import is_seller_of

INBOX_ROLES = ("pp", "ppk", "bendahara", "seller", "agency_admin", "admin")
@bp.app_context_processor
def _procurement_rules():
    return {**TEMPLATE_RULES, "stage_labels": labels.STAGE_LABELS, "stage_badges": labels.STAGE_BADGES,
            "action_labels": labels.ACTION_LABELS, "offer_labels": labels.OFFER_LABELS,
            "offer_badges": labels.OFFER_BADGES, "offer_side_labels": labels.OFFER_SIDE_LABELS,
            "event_kind_labels": labels.EVENT_KIND_LABELS}


def _purchase(purchase_id) -> AgencyPurchase:
    return get_or_404(AgencyPurchase, purchase_id, check=can_view_purchase)


def _to_detail(purchase_id):
    return redirect(url_for("procurement.detail", purchase_id=purchase_id))


# --- inbox -------------------------------------------------------------------------------

@bp.get("/pengadaan/")
@role_required(*INBOX_ROLES)
def inbox():
    stage = request.args.get("tahap")
    stmt = queries.purchases_for(current_user)
    if stage in {s.value for s in Stage}:
        stmt = stmt.where(AgencyPurchase.stage == Stage(stage))
    page = page_of(stmt, per_page=20)
    cart = review_cart(current_user) if current_user.has_role(Role.PP) else None
    scope = managed_agency_ids(current_user)   # None: the admin, who sets up from the monitoring page
    setup_agencies = db.session.scalars(db.select(Agency).where(Agency.id.in_(scope)).order_by(Agency.name)
                                        ).all() if scope else []
    return render_template("procurement/inbox.html", page=page, to_do=queries.to_do_for(current_user),
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
    lines, ppks = agency_checkout.checkout_choices(current_user, agency_id, budget.current_fiscal_year())
    form = AgencyCheckoutForm(data={"shops": _initial_methods(review)} if request.method == "GET" else None)
    form.budget_line.choices = [
        (line.id, _("%(line)s · sisa %(left)s", line=line.label, left=rupiah(line.remaining_amount))) for line in lines
    ]
    form.ppk.choices = [(user.id, user.name) for user in ppks]
    if request.method == "GET" and not form.delivery_address.data:
        form.delivery_address.data = agency.address or ""
    if not previewing and form.validate_on_submit():
        try:
            order, created = agency_checkout.place_agency_order(
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
                           budget_lines=lines, ppks=ppks, idempotency_key=agency_checkout.agency_cart_key(current_user),
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
    options = queries.page_options_for(current_user, purchase)
    counter_forms = {offer_id: CounterForm(prefix=f"offer{offer_id}", formdata=None)
                     for offer_id in options["counterable_offers"]}
    return render_template(
        "procurement/detail.html", purchase=purchase, so=so, events=events, warnings=warnings,
        actions=queries.actions_for(current_user, purchase), offer_form=offer_form(so.lines),
        notes=notes, counter_forms=counter_forms, options=options,
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
