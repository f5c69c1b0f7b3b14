"""Order pages for buyers (list, detail, cancel, receipt, invoice), sellers (incoming orders,
accept/reject, ship, packing slip) and administrators (all orders, same timeline)."""
from __future__ import annotations

from io import BytesIO

from flask import current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from bebeli.auth.permissions import BUYER_ROLES, get_or_404, role_required
from bebeli.errors import DomainError
from bebeli.extensions import db
from bebeli.forms import EmptyForm
from bebeli.handler import perform
from bebeli.ids import page_of
from bebeli.money import rupiah
from bebeli.orders import bp, documents
from bebeli import lifecycle
from bebeli.orders.forms import CancelForm, RejectForm, ShipForm, receipt_form_for
from bebeli.orders.models import Channel, FulfilmentMethod, Order, SellerOrder
from bebeli.orders.permissions import can_view_seller_order, is_buyer_of
from bebeli.orders.queries import (
    BUYER_FILTERS,
    FILTER_LABELS,
    SELLER_FILTERS,
    all_orders,
    events_for,
    orders_for,
    seller_orders_for,
)
from bebeli.lifecycle import cancel_unpaid, expire_if_overdue
from bebeli.lifecycle.fulfilment import buyer_steps, seller_step
from bebeli.reviews.queries import review_actions_for
from bebeli.orders.status import ACTOR_LABELS, CHANNEL_LABELS, PAYMENT_LABELS, Actor, status_badge, status_label
from bebeli.sellers.permissions import is_seller_of


# Template helpers are globals so that imported macros (orders/_macros.html) see them too.
TEMPLATE_GLOBALS = {
    "order_status_label": status_label,  # (status, seller order when known)
    "order_status_badge": status_badge,
    "payment_status_label": lambda status: PAYMENT_LABELS.get(status, status),
    "channel_label": lambda channel: CHANNEL_LABELS[Channel(channel)],
    "actor_label": lambda kind: ACTOR_LABELS.get(Actor(kind), kind),
    "order_filter_labels": FILTER_LABELS,
}


@bp.record_once
def _register_template_globals(state):
    state.app.jinja_env.globals.update(TEMPLATE_GLOBALS)





# --- buyer -------------------------------------------------------------------------------------

@bp.get("/")
@role_required(*BUYER_ROLES)
def index():
    status = request.args.get("status") or ""
    page = page_of(orders_for(current_user, status))
    return render_template("orders/index.html", page=page, status=status, filters=BUYER_FILTERS)


@bp.get("/<id:order_id>")
@role_required(*BUYER_ROLES)
def detail(order_id):
    order = get_or_404(Order, order_id, check=is_buyer_of)
    if expire_if_overdue(order):
        db.session.commit()
    return _detail(order, "buyer", cancel_form=CancelForm(), review_actions=review_actions_for(order, current_user))


def _complaint_links(order: Order, viewer: str) -> dict:
    """The buyer's complaint link of each part, in a build that has complaints."""
    if viewer != "buyer" or "complaints.new" not in current_app.view_functions:
        return {}
    from bebeli.complaints.queries import complaint_links

    return complaint_links(order.seller_orders)


def _detail(order: Order, viewer: str, **context):
    return render_template("orders/detail.html", order=order, viewer=viewer,
                           complaint_links=_complaint_links(order, viewer),
                           events=db.session.scalars(events_for(order)).all(),
                           shops={so.id: so.shop.name for so in order.seller_orders},
                           steps={so.id: buyer_steps(so) for so in order.seller_orders},
                           purchase_ids={so.id: _purchase_id(so) for so in order.seller_orders}, **context)


def _purchase_id(so: SellerOrder) -> int | None:
    """An agency order's part is handled on its purchase page (procurement)."""
    purchase = getattr(so, "agency_purchase", None) if so.order.channel == Channel.AGENCY else None
    return purchase.id if purchase is not None else None


@bp.post("/<id:order_id>/batal")
@role_required(*BUYER_ROLES)
def cancel(order_id):
    order = get_or_404(Order, order_id, check=is_buyer_of)
    if EmptyForm().validate_on_submit():
        try:
            cancelled = cancel_unpaid(order, current_user._get_current_object())
        except DomainError as error:
            db.session.rollback()
            flash(str(error.message), "error")
        else:
            db.session.commit()
            flash(_("Pesanan dibatalkan; stok dikembalikan.") if cancelled
                  else _("Pembayaran Anda ternyata sudah masuk; pesanan diteruskan ke penjual."), "info")
    return redirect(url_for("orders.detail", order_id=order.id))


def _buyer_part(so_id) -> SellerOrder:
    return get_or_404(SellerOrder, so_id, check=lambda user, so: is_buyer_of(user, so.order))


@bp.post("/bagian/<id:so_id>/batal")
@role_required(*BUYER_ROLES)
def cancel_part(so_id):
    so = _buyer_part(so_id)
    form = CancelForm()
    if form.validate_on_submit():
        perform(lambda: lifecycle.cancel_seller_order(so, current_user._get_current_object(), form.reason.data),
                done=_("Pesanan %(number)s dibatalkan; dana dikembalikan.", number=so.number))
    return redirect(url_for("orders.detail", order_id=so.order_id))


@bp.route("/bagian/<id:so_id>/terima", methods=["GET", "POST"])
@role_required(*BUYER_ROLES)
def receipt(so_id):
    so = _buyer_part(so_id)
    form = receipt_form_for(so)
    if form.validate_on_submit():
        try:
            refunded = lifecycle.confirm_receipt(so, current_user._get_current_object(), rejected=form.rejected(so),
                                              note=form.note.data)
        except DomainError as error:
            db.session.rollback()
            form.form_errors.append(str(error.message))
        else:
            db.session.commit()
            flash(_("Terima kasih, penerimaan %(number)s tercatat.", number=so.number), "success")
            if refunded:
                flash(_("Dana %(amount)s untuk barang yang ditolak dikembalikan.", amount=rupiah(refunded)), "info")
            return redirect(url_for("orders.detail", order_id=so.order_id))
    return render_template("orders/receipt.html", so=so, form=form)


@bp.get("/bagian/<id:so_id>/invoice.pdf")
@role_required(*BUYER_ROLES, "seller", "admin")
def invoice(so_id):
    so = get_or_404(SellerOrder, so_id, check=can_view_seller_order)
    if so.order.paid_at is None:
        flash(_("Invoice tersedia setelah pesanan dibayar."), "info")
        return redirect(url_for("orders.detail", order_id=so.order_id) if is_buyer_of(current_user, so.order)
                        else url_for("main.home"))
    return _pdf(documents.invoice_pdf(so), f"invoice-{so.number}.pdf")


def _pdf(data: bytes, filename: str):
    return send_file(BytesIO(data), mimetype="application/pdf", download_name=filename, as_attachment=False)


# --- seller ------------------------------------------------------------------------------------

@bp.get("/toko")
@role_required("seller")
def seller_index():
    status = request.args.get("status", "baru")
    page = page_of(seller_orders_for(current_user, status))
    return render_template("orders/seller_index.html", page=page, status=status, filters=SELLER_FILTERS)


def _seller_part(so_id) -> SellerOrder:
    return get_or_404(SellerOrder, so_id, check=is_seller_of)


@bp.get("/toko/<id:so_id>")
@role_required("seller")
def seller_detail(so_id):
    so = _seller_part(so_id)
    events = db.session.scalars(events_for(so.order, so)).all()
    return render_template("orders/seller_detail.html", so=so, events=events, action_form=EmptyForm(),
                           reject_form=RejectForm(), ship_form=ShipForm(), step=seller_step(so),
                           purchase_id=_purchase_id(so))


def _back_to(so: SellerOrder):
    return redirect(url_for("orders.seller_detail", so_id=so.id))


@bp.post("/toko/<id:so_id>/terima")
@role_required("seller")
def accept(so_id):
    so = _seller_part(so_id)
    if EmptyForm().validate_on_submit():
        perform(lambda: lifecycle.accept_seller_order(so, current_user._get_current_object()),
                done=_("Pesanan %(number)s diterima. Siapkan barangnya.", number=so.number))
    return _back_to(so)


@bp.post("/toko/<id:so_id>/tolak")
@role_required("seller")
def reject(so_id):
    so = _seller_part(so_id)
    form = RejectForm()
    if form.validate_on_submit():
        perform(lambda: lifecycle.reject_seller_order(so, current_user._get_current_object(), form.reason.data),
                done=_("Pesanan %(number)s ditolak; dana pembeli dikembalikan.", number=so.number))
    else:
        flash(_("Tuliskan alasan penolakan untuk pembeli."), "error")
    return _back_to(so)


def _is_pickup(so: SellerOrder) -> bool:
    return so.fulfilment_method == FulfilmentMethod.PICKUP


@bp.post("/toko/<id:so_id>/kirim")
@role_required("seller")
def ship(so_id):
    so = _seller_part(so_id)
    form = ShipForm()
    if form.validate_on_submit():
        done = (_("Pesanan %(number)s ditandai siap diambil.", number=so.number) if _is_pickup(so)
                else _("Pesanan %(number)s ditandai dikirim.", number=so.number))
        perform(lambda: lifecycle.ship_seller_order(so, current_user._get_current_object(), courier=form.courier.data,
                                                 tracking_number=form.tracking_number.data), done=done)
    return _back_to(so)


@bp.post("/toko/<id:so_id>/sampai")
@role_required("seller")
def delivered(so_id):
    so = _seller_part(so_id)
    if EmptyForm().validate_on_submit():
        done = (_("Pesanan %(number)s ditandai sudah diambil.", number=so.number) if _is_pickup(so)
                else _("Pesanan %(number)s ditandai sampai.", number=so.number))
        perform(lambda: lifecycle.mark_delivered(so, current_user._get_current_object()), done=done)
    return _back_to(so)


@bp.get("/toko/<id:so_id>/slip.pdf")
@role_required("seller")
def packing_slip(so_id):
    so = _seller_part(so_id)
    return _pdf(documents.packing_slip_pdf(so), f"slip-{so.number}.pdf")


# --- administrator -------------------------------------------------------------------------------

@bp.get("/admin")
@role_required("admin")
def admin_index():
    status, search = request.args.get("status") or "", request.args.get("q") or ""
    page = page_of(all_orders(search, status))
    return render_template("orders/admin_index.html", page=page, status=status, q=search, filters=BUYER_FILTERS)


@bp.get("/admin/<id:order_id>")
@role_required("admin")
def admin_detail(order_id):
    return _detail(get_or_404(Order, order_id), "admin")
