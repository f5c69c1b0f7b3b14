"""Cart pages: the cart grouped by shop, quantity changes, and the checkout form."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import defer, lazyload

from bebeli.auth.permissions import BUYER_ROLES, role_required
from bebeli.cart import bp
from bebeli.cart.forms import METHOD_LABELS, AddToCartForm, CheckoutForm, QuantityForm, expected_total, methods_by_shop
from bebeli.cart.services import (
    accept_changes,
    add_to_cart,
    cart_key,
    remove_from_cart,
    review_cart,
    set_quantity,
)
from bebeli.catalog.models import Product
from bebeli.errors import DomainError, ValidationFailed
from bebeli.extensions import db
from bebeli.forms import EmptyForm
from bebeli.orders.models import FulfilmentMethod
from bebeli.orders.services import office_address_for, place_order
from bebeli.orders.totals import quote_checkout
from bebeli.urls import safe_next


def _back(default: str | None = None):
    return redirect(safe_next(request.form.get("next")) or default or url_for("cart.view"))


@bp.get("/")
@role_required(*BUYER_ROLES)
def view():
    review = review_cart(current_user, images=True)
    return render_template("cart/view.html", review=review)


@bp.post("/tambah")
@role_required(*BUYER_ROLES)
def add():
    form = AddToCartForm()
    if not form.validate():
        flash(_("Jumlah tidak valid."), "error")
        return _back()
    # The product and its shop: not its images, category or long texts, which adding never reads.
    product = db.session.get(Product, form.product_id.data, options=[
        lazyload(Product.images), lazyload(Product.category),
        defer(Product.description), defer(Product.search_text), defer(Product.search_name),
    ])
    if product is None:
        flash(_("Produk tidak ditemukan."), "error")
        return _back()
    name = product.name  # read before the commit expires it
    try:
        add_to_cart(current_user, product, form.quantity.data)
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return _back()
    db.session.commit()
    flash(_("%(name)s ditambahkan ke keranjang.", name=name), "success")
    return _back()


@bp.post("/<id:product_id>/jumlah")
@role_required(*BUYER_ROLES)
def update(product_id):
    form = QuantityForm()
    if not form.validate():
        flash(_("Jumlah tidak valid."), "error")
        return redirect(url_for("cart.view"))
    try:
        set_quantity(current_user, product_id, form.quantity.data)
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
    return redirect(url_for("cart.view"))


@bp.post("/<id:product_id>/hapus")
@role_required(*BUYER_ROLES)
def remove(product_id):
    if EmptyForm().validate_on_submit():
        remove_from_cart(current_user, product_id)
        db.session.commit()
        flash(_("Produk dihapus dari keranjang."), "info")
    return redirect(url_for("cart.view"))


@bp.post("/perbarui")
@role_required(*BUYER_ROLES)
def accept():
    if EmptyForm().validate_on_submit():
        done = accept_changes(current_user)
        db.session.commit()
        for message in done:
            flash(message, "info")
    return redirect(url_for("cart.view"))


def _initial_checkout(review, office) -> CheckoutForm:
    shops = []
    for group in review.groups:
        method = FulfilmentMethod.DELIVERY if group.shop.offers_delivery else FulfilmentMethod.PICKUP
        shops.append({"shop_id": str(group.shop.id), "method": method.value,
                      "address_choice": "office" if office else "other"})
    lines = [item.line for item in review.items]
    return CheckoutForm(data={"idempotency_key": cart_key(current_user, lines), "shops": shops})


@bp.route("/checkout", methods=["GET", "POST"])
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
    return render_template("cart/checkout.html", form=form, review=review, office=office, quote=quote,
                           method_labels=METHOD_LABELS, entries=form.entries_by_shop())
