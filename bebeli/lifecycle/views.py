"""The order lifecycle's pages: the checkout page that places the order, starting a payment,
coming back from the gateway, the simulated gateway's screen, and the Stripe webhook."""
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
from bebeli.cart.services import cart_key, review_cart
from bebeli.errors import DomainError, ValidationFailed
from bebeli.extensions import csrf, db, limiter
from bebeli.forms import EmptyForm
from bebeli.lifecycle import bp, paying
from bebeli.lifecycle.forms import METHOD_LABELS, CheckoutForm, expected_total, methods_by_shop
from bebeli.lifecycle.placing import office_address_for, place_order
from bebeli.lifecycle.webhooks import handle_event
from bebeli.orders.models import FulfilmentMethod, Order
from bebeli.orders.permissions import is_buyer_of
from bebeli.orders.totals import quote_checkout
from bebeli.payments.gateway import SimulatedGateway, WebhookMalformed, WebhookRejected, get_gateway
from bebeli.payments.models import Payment
from bebeli.quotas.home import checkout_room

log = logging.getLogger(__name__)


# --- checkout --------------------------------------------------------------------------------

def _initial_checkout(review, office) -> CheckoutForm:
    shops = []
    for group in review.groups:
        method = FulfilmentMethod.DELIVERY if group.shop.offers_delivery else FulfilmentMethod.PICKUP
        shops.append({"shop_id": str(group.shop.id), "method": method.value,
                      "address_choice": "office" if office else "other"})
    lines = [item.line for item in review.items]
    return CheckoutForm(data={"idempotency_key": cart_key(current_user, lines), "shops": shops})


@bp.route("/keranjang/checkout", methods=["GET", "POST"])
@role_required(*BUYER_ROLES)
def checkout():
    form = CheckoutForm()
    # "Hitung ulang total": the same page with the figures of the ways now chosen; nothing is placed.
    previewing = request.method == "POST" and "preview" in request.form
    if not previewing and form.validate_on_submit():
        # The office address is read only when a shop's part is delivered there.
        choices = form.choices(lambda: office_address_for(current_user))
        try:
            order, created = place_order(current_user, choices, idempotency_key=form.idempotency_key.data,
                                         expected_total=expected_total(form.quoted_total))
        except ValidationFailed as error:
            db.session.rollback()
            form.form_errors.append(str(error.message))
        except DomainError as error:
            db.session.rollback()
            flash(str(error.message), "error")
            return redirect(url_for("cart.view"))
        else:
            # Read before the commit expires the order (which would read it again, with its parts).
            number, target = order.number, url_for("orders.detail", order_id=order.id)
            db.session.commit()
            if created:
                flash(_("Pesanan %(number)s dibuat. Selesaikan pembayaran sebelum batas waktu.", number=number),
                      "success")
            return redirect(target)
    office = office_address_for(current_user)
    review = review_cart(current_user, images=True)
    if request.method == "GET" or previewing:
        if review.is_empty:
            return redirect(url_for("cart.view"))
        if review.problems:
            flash(_("Ada perubahan pada keranjang. Periksa dan perbarui dulu sebelum checkout."), "warning")
            return redirect(url_for("cart.view"))
    if request.method == "GET":
        form = _initial_checkout(review, office)
    # The figures the order will carry, by the functions that compute them when it is placed.
    quote = quote_checkout(review.groups, methods_by_shop(form.shops))
    form.quoted_total.data = str(quote.totals.total_amount)
    return render_template("lifecycle/checkout.html", form=form, review=review, office=office, quote=quote,
                           method_labels=METHOD_LABELS, entries=form.entries_by_shop(),
                           **checkout_room(current_user))


# --- payment ---------------------------------------------------------------------------------

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


@bp.post("/pembayaran/<id:order_id>/mulai")
@role_required(*BUYER_ROLES)
def start_payment(order_id):
    order = _order_of_buyer(order_id)
    back = url_for("orders.detail", order_id=order.id)  # built before a commit expires the order
    if not EmptyForm().validate_on_submit():
        return redirect(back)
    if paying.expire_if_overdue(order):
        db.session.commit()
        flash(_("Batas waktu pembayaran sudah lewat; pesanan kedaluwarsa."), "error")
        return redirect(back)
    success = url_for("lifecycle.payment_return", order_id=order.id, _external=True) + "?session_id={CHECKOUT_SESSION_ID}"
    try:
        payment = paying.start_payment(order, success_url=success,
                                cancel_url=url_for("orders.detail", order_id=order.id, _external=True))
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(back)
    url = payment.url  # read before the commit expires it
    db.session.commit()
    return redirect(url, code=303)


@bp.get("/pembayaran/<id:order_id>/selesai")
@role_required(*BUYER_ROLES)
def payment_return(order_id):
    order = _order_of_buyer(order_id)
    back = url_for("orders.detail", order_id=order.id)  # built before the commit expires the order
    try:
        outcome = paying.confirm_return(order, request.args.get("session_id", ""))
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


@bp.route("/pembayaran/simulasi/<session_id>", methods=["GET", "POST"])
@role_required(*BUYER_ROLES)
def simulated_payment(session_id):
    payment = _simulated_payment(session_id)
    form = EmptyForm()
    if form.validate_on_submit():
        paying.pay_simulated(session_id, payment)
        back = url_for("lifecycle.payment_return", order_id=payment.order_id, session_id=session_id)
        db.session.commit()
        return redirect(back)
    return render_template("lifecycle/simulated_payment.html", payment=payment, order=payment.order, form=form)


@bp.post("/pembayaran/stripe/webhook")
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
