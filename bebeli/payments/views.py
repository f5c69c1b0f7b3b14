"""Payment pages: start paying, come back from the gateway, the simulated gateway's screen,
and the Stripe webhook endpoint."""
from __future__ import annotations

import logging
from functools import lru_cache

import sqlalchemy as sa
from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import contains_eager, lazyload

from bebeli.auth.permissions import BUYER_ROLES, role_required
from bebeli.errors import DomainError
from bebeli.extensions import csrf, db, limiter
from bebeli.forms import EmptyForm
from bebeli.orders.models import Order
from bebeli.orders.permissions import is_buyer_of
from bebeli.payments import bp
from bebeli.payments.gateway import SimulatedGateway, WebhookMalformed, WebhookRejected, get_gateway
from bebeli.payments.models import Payment
from bebeli.payments.services import confirm_return, expire_if_overdue, handle_event, pay_simulated, start_payment

log = logging.getLogger(__name__)

OUTCOME_MESSAGES = {
    "paid": (_l("Pembayaran berhasil. Pesanan diteruskan ke penjual."), "success"),
    "already_paid": (_l("Pembayaran berhasil. Pesanan diteruskan ke penjual."), "success"),
    "pending": (_l("Pembayaran sedang diproses. Status pesanan diperbarui otomatis."), "info"),
    "late_refunded": (_l("Pembayaran masuk setelah pesanan berakhir, jadi dana dikembalikan penuh."), "warning"),
}


def _order_of_buyer(order_id) -> Order:
    """The buyer's own order (another's is a 404, like a missing one): the order row alone. Its
    seller orders and lines are loaded only if the request uses them, after the order is locked."""
    order = db.session.get(Order, order_id, options=[lazyload(Order.buyer), lazyload(Order.seller_orders)])
    if order is None or not is_buyer_of(current_user, order):
        abort(404)
    return order


@bp.post("/<id:order_id>/mulai")
@role_required(*BUYER_ROLES)
def start(order_id):
    order = _order_of_buyer(order_id)
    back = url_for("orders.detail", order_id=order.id)  # built before a commit expires the order
    if not EmptyForm().validate_on_submit():
        return redirect(back)
    if expire_if_overdue(order):
        db.session.commit()
        flash(_("Batas waktu pembayaran sudah lewat; pesanan kedaluwarsa."), "error")
        return redirect(back)
    success = url_for("payments.success", order_id=order.id, _external=True) + "?session_id={CHECKOUT_SESSION_ID}"
    try:
        payment = start_payment(order, success_url=success,
                                cancel_url=url_for("orders.detail", order_id=order.id, _external=True))
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(back)
    url = payment.url  # read before the commit expires it
    db.session.commit()
    return redirect(url, code=303)


@bp.get("/<id:order_id>/selesai")
@role_required(*BUYER_ROLES)
def success(order_id):
    order = _order_of_buyer(order_id)
    back = url_for("orders.detail", order_id=order.id)  # built before the commit expires the order
    try:
        outcome = confirm_return(order, request.args.get("session_id", ""))
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
        message, category = OUTCOME_MESSAGES.get(outcome, OUTCOME_MESSAGES["pending"])
        flash(message, category)
    return redirect(back)


@lru_cache(maxsize=1)
def _simulated_payment_statement():
    # One query: the payment and its order's row (the page shows the order's number), not the
    # order's seller orders and lines. Built once.
    return (
        db.select(Payment).join(Payment.order)
        .where(Payment.session_id == sa.bindparam("session_id"), Payment.gateway == SimulatedGateway.name)
        .options(contains_eager(Payment.order).options(lazyload(Order.buyer), lazyload(Order.seller_orders)))
    )


def _simulated_payment(session_id: str) -> Payment:
    payment = db.session.scalar(_simulated_payment_statement(), {"session_id": session_id})
    if payment is None or not is_buyer_of(current_user, payment.order) or \
            not current_app.config.get("PAYMENTS_SIMULATED_ALLOWED"):
        abort(404)
    return payment


@bp.route("/simulasi/<session_id>", methods=["GET", "POST"])
@role_required(*BUYER_ROLES)
def simulated(session_id):
    payment = _simulated_payment(session_id)
    form = EmptyForm()
    if form.validate_on_submit():
        pay_simulated(session_id, payment)
        back = url_for("payments.success", order_id=payment.order_id, session_id=session_id)
        db.session.commit()
        return redirect(back)
    return render_template("payments/simulated.html", payment=payment, order=payment.order, form=form)


@bp.post("/stripe/webhook")
@csrf.exempt
@limiter.exempt
def stripe_webhook():
    gateway = get_gateway()
    try:
        event = gateway.verify_webhook(request.get_data(), request.headers.get("Stripe-Signature"))
    except WebhookRejected:
        return jsonify(error="invalid_signature", message="signature verification failed", status=400), 400
    except WebhookMalformed as error:  # genuine, but nothing this site can act on: Stripe shows the 400
        log.warning("stripe webhook refused: %s", error)
        return jsonify(error="malformed_event", message=str(error), status=400), 400
    outcome = handle_event(event)
    db.session.commit()
    return jsonify(received=True, outcome=outcome)
