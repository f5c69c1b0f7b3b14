"""Cart pages: the cart grouped by shop, and quantity changes. Checking out is the order
lifecycle's (bebeli.lifecycle.views)."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import defer, lazyload

from bebeli.auth.permissions import BUYER_ROLES, role_required
from bebeli.cart import bp
from bebeli.cart.forms import AddToCartForm, QuantityForm
from bebeli.cart.services import accept_changes, add_to_cart, remove_from_cart, review_cart, set_quantity
from bebeli.catalog.models import Product
from bebeli.errors import DomainError
from bebeli.extensions import db
from bebeli.forms import EmptyForm
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
