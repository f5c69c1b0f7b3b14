"""Catalog screens: what buyers browse and search, sellers' product management, and the
admins' categories and moderation."""
from __future__ import annotations

import re
from functools import lru_cache

import sqlalchemy as sa
from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy.orm import contains_eager, defer, joinedload, lazyload
from werkzeug.routing import BuildError

from bebeli.auth.permissions import BUYER_ROLES, get_or_404, is_admin, role_required
from bebeli.catalog import bp
from bebeli.catalog.cache import cached_fragment, cached_page
from bebeli.catalog.forms import (
    RATING_PARAMS, SORT_PARAMS, CategoryForm, ImagesForm, ProductForm, ReasonForm, SearchForm, attach_error,
)
from bebeli.catalog.models import Category, Product, ProductImage, ProductStatus
from bebeli.catalog.permissions import can_manage_image, can_manage_product
from bebeli.catalog.queries import (
    CategoryNode, category_ids_under, category_tree, is_visible_to_buyers, products_for_buyers, products_for_seller,
)
from bebeli.catalog.search import COUNT_LIMIT, SearchFilters, search_products
from bebeli.catalog.services import (
    MAX_IMAGES, STATUS_LABELS, ProductData, add_images, create_product, make_primary_image, remove_image,
    restore_product, save_category, set_product_status, take_down_product, update_product,
)
from bebeli.dates import jakarta_today
from bebeli.errors import DomainError
from bebeli.extensions import db
from bebeli.forms import EmptyForm
from bebeli.handler import perform
from bebeli.ids import id_arg, page_arg, page_of
from bebeli.regions import kecamatan_choices
from bebeli.reviews import queries as reviews
from bebeli.sellers.models import Shop
from bebeli.sellers.permissions import own_shop_or_404, owns_shop
from bebeli.sellers.services import valid_certificates
from bebeli.storage import file_response, file_view_policy, get_storage
from bebeli.urls import public_link

PER_PAGE = 24
MORE_FROM_SHOP = 4
# Before each card of a shop's shared cards (templates/catalog/_shop_cards.html).
CARD_MARK = re.compile(r"<!--card (\d+)-->")
# Where the viewer's own buttons go inside a product page's shared (cached) content.
ACTIONS_SLOT = "<!--viewer-actions-->"


@bp.app_template_filter("media_url")
def media_url(key: str | None) -> str | None:
    return get_storage().public_url(key) if key else None


@bp.app_context_processor
def inject_catalog_helpers():
    # Certificates show as badges only while valid on this (Jakarta) day.
    return {"product_status_labels": STATUS_LABELS, "today": jakarta_today()}


@bp.get("/media/<path:key>")
@file_view_policy
def media(key):
    if not key.startswith("public/"):
        abort(404)
    return file_response(key, public=True)


# ------------------------------------------------------------------------------ buyers

def _page_arg() -> int:
    return min(page_arg(), COUNT_LIMIT // PER_PAGE + 1)


def _search_form() -> SearchForm:
    form = SearchForm(request.args)
    form.kecamatan.choices = [("", _("Semua kecamatan")), *kecamatan_choices()]
    form.validate()  # an invalid filter is reported beside it and ignored
    return form


def _filters(form: SearchForm, category: Category | None, shop: Shop | None = None) -> SearchFilters:
    def valid(field):
        return None if field.errors else field.data

    return SearchFilters(
        category_ids=tuple(category_ids_under(category)) if category else (),
        min_price=valid(form.min), max_price=valid(form.maks),
        kecamatan=form.kecamatan.data or None, in_stock=bool(form.stok.data), local_only=bool(form.lokal.data),
        shop_id=shop.id if shop else None, min_rating=RATING_PARAMS.get(form.bintang.data),
    )


def _listing(content_template: str, title: str, *, category: Category | None = None, shop: Shop | None = None):
    """A catalog, category or shop page: the content is the same for everyone at this URL, so
    it is built (searched and rendered) once and cached; the personal frame is not."""

    def content() -> str:
        form = _search_form()
        chosen = category
        if chosen is None and form.kategori.data:
            chosen = db.session.scalar(db.select(Category).where(Category.slug == form.kategori.data,
                                                                 Category.is_active.is_(True)))
        result = search_products(form.q.data, _filters(form, chosen, shop), SORT_PARAMS.get(form.urut.data),
                                 page=_page_arg(), per_page=PER_PAGE)
        return render_template(content_template, form=form, result=result, page=result.page, category=category,
                               shop=shop, tree=category_tree(),
                               certificates=valid_certificates(shop) if shop is not None else None,
                               **(_reviews_context(shop) if shop is not None else {}))

    return render_template("catalog/listing.html", title=title, content_html=cached_fragment("listing", content))


@bp.get("/katalog")
@cached_page(shares_frame=True)
def search():
    return _listing("catalog/_search_content.html", _("Katalog"))


@bp.get("/kategori/<slug>")
@cached_page(shares_frame=True)
def category(slug):
    found = db.first_or_404(db.select(Category).where(Category.slug == slug, Category.is_active.is_(True)))
    return _listing("catalog/_search_content.html", found.name, category=found)


@bp.get("/umkm/<slug>")
@cached_page(shares_frame=True)
def shop(slug):
    found = db.first_or_404(db.select(Shop).where(Shop.slug == slug))
    if not found.is_visible and not (owns_shop(current_user, found) or is_admin(current_user)):
        abort(404)
    return _listing("catalog/_shop_content.html", found.name, shop=found)


def _optional_url(endpoint: str, **values) -> str | None:
    """A link to a feature other modules may not have built yet."""
    if endpoint not in current_app.view_functions:
        return None
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


def _may_buy(user) -> bool:
    """Buyers and procurement officials buy; anonymous visitors are asked to log in first."""
    return not user.is_authenticated or user.has_role(*BUYER_ROLES)


@lru_cache(maxsize=1)
def _product_page_statement():
    """The product with everything its page shows, in one statement: images, category and its
    parent (the breadcrumbs), shop and its certificates. Built once."""
    return db.select(Product).where(Product.id == sa.bindparam("product_id")).options(
        defer(Product.search_text), defer(Product.search_name),
        joinedload(Product.images), joinedload(Product.category).joinedload(Category.parent),
        joinedload(Product.shop).options(lazyload(Shop.owner), joinedload(Shop.certificates)))


def _product_for_page(product_id: int) -> Product:
    found = db.session.scalars(_product_page_statement(), {"product_id": product_id}).unique().first()
    if found is None:
        abort(404)
    return found


def _more_from_shop(item: Product) -> list[Markup]:
    """Up to MORE_FROM_SHOP other products of the shop, best sellers first. The cards of the
    shop's top MORE_FROM_SHOP + 1 are rendered once per shop and shared by all its product
    pages; each page leaves out its own."""

    def cards() -> str:
        top = db.session.scalars(products_for_buyers().where(Product.shop_id == item.shop_id)
                                 .order_by(Product.sold_count.desc(), Product.id.desc()).limit(MORE_FROM_SHOP + 1))
        return render_template("catalog/_shop_cards.html", products=top.all())

    parts = CARD_MARK.split(cached_fragment("shop-cards", cards, scope=f"shop {item.shop_id}"))[1:]
    return [Markup(card) for product_id, card in zip(parts[::2], parts[1::2])
            if int(product_id) != item.id][:MORE_FROM_SHOP]


def _reviews_context(subject) -> dict:
    """The reviews section of a product or shop page (one query), and a product's JSON-LD."""
    per_page = current_app.config["REVIEW_PAGE_SIZE"]
    found = reviews.section(subject, sort=request.args.get("ulasan"), page=page_arg("uhal"), per_page=per_page)
    context = {"reviews_section": found, "reviews_prior": reviews.prior()}
    if isinstance(subject, Product):
        image = subject.images[0].display_key if subject.images else None
        context["json_ld"] = reviews.product_json_ld(
            subject, found["rating"], public_link(media_url(image)) if image else None,
            public_link(url_for("catalog.product", product_id=subject.id, slug=subject.slug)))
    return context


@bp.get("/produk/<id:product_id>", defaults={"slug": None})
@bp.get("/produk/<id:product_id>/<slug>")
@cached_page(shares_frame=True)
def product(product_id, slug):
    item = g.shown_product = _product_for_page(product_id)  # bebeli.pageviews: the owner's own views
    visible = is_visible_to_buyers(item)
    if not visible and not (can_manage_product(current_user, item) or is_admin(current_user)):
        abort(404)
    if slug != item.slug:
        return redirect(url_for("catalog.product", product_id=item.id, slug=item.slug), 301)

    def content() -> str:
        return render_template("catalog/_product_content.html", product=item, more=_more_from_shop(item),
                               certificates=valid_certificates(item.shop), actions_slot=Markup(ACTIONS_SLOT),
                               **_reviews_context(item))

    actions = render_template("catalog/_product_actions.html", product=item,
                              cart_url=_optional_url("cart.add") if visible and _may_buy(current_user) else None)
    content_html = cached_fragment("product", content).replace(ACTIONS_SLOT, Markup(actions))
    return render_template("catalog/product.html", product=item, visible=visible, content_html=content_html,
                           reason_form=ReasonForm())


# ----------------------------------------------------------------------------- sellers

def _product_data(form: ProductForm) -> ProductData:
    return ProductData(name=form.name.data, category_id=form.category_id.data, description=form.description.data,
                       price_amount=form.price.data, unit=form.unit.data, stock=form.stock.data,
                       min_order_qty=form.min_order_qty.data, weight_grams=form.weight_grams.data,
                       tkdn_note=form.tkdn_note.data, low_stock_threshold=form.low_stock_threshold.data)


def _uploads(field) -> list[bytes]:
    return [f.read() for f in (field.data or []) if getattr(f, "filename", "")]


@bp.get("/toko/produk")
@role_required("seller")
def seller_products():
    shop = own_shop_or_404()
    stmt = products_for_seller(shop).order_by(Product.updated_at.desc(), Product.id.desc())
    status = request.args.get("status")
    if status in {s.value for s in ProductStatus}:
        stmt = stmt.where(Product.status == ProductStatus(status))
    page = page_of(stmt)
    return render_template("catalog/seller_products.html", shop=shop, page=page, status=status,
                           ProductStatus=ProductStatus)


@bp.route("/toko/produk/baru", methods=["GET", "POST"])
@role_required("seller")
def new_product():
    shop = own_shop_or_404()
    form = ProductForm()
    form.set_category_choices(category_tree())
    if form.validate_on_submit():
        try:
            created = create_product(shop, _product_data(form), actor=current_user, images=_uploads(form.images))
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error, image_field="images")
        else:
            db.session.commit()
            flash(_("Produk tersimpan sebagai draf."), "success")
            return redirect(url_for("catalog.edit_product", product_id=created.id))
    return render_template("catalog/product_form.html", form=form, shop=shop, product=None)


@bp.route("/toko/produk/<id:product_id>", methods=["GET", "POST"])
@role_required("seller")
def edit_product(product_id):
    item = get_or_404(Product, product_id, check=can_manage_product)
    form = ProductForm(obj=item)
    del form.images  # images are managed one by one below the form
    form.set_category_choices(category_tree())
    if request.method == "GET":
        form.price.data = item.price_amount
    if form.validate_on_submit():
        try:
            update_product(item, _product_data(form), actor=current_user)
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("Perubahan produk tersimpan."), "success")
            return redirect(url_for("catalog.edit_product", product_id=item.id))
    return render_template("catalog/product_form.html", form=form, shop=item.shop, product=item,
                           images_form=ImagesForm(), max_images=MAX_IMAGES)


@bp.post("/toko/produk/<id:product_id>/status/<status>")
@role_required("seller")
def product_status(product_id, status):
    item = get_or_404(Product, product_id, check=can_manage_product)
    try:
        target = ProductStatus(status)
    except ValueError:
        abort(404)
    if EmptyForm().validate_on_submit():
        perform(lambda: set_product_status(item, target, actor=current_user),
                done=_("Status produk: %(s)s.", s=STATUS_LABELS[target]))
    if request.form.get("next") == "list":
        return redirect(url_for("catalog.seller_products"))
    return redirect(url_for("catalog.edit_product", product_id=item.id))


@bp.post("/toko/produk/<id:product_id>/foto")
@role_required("seller")
def upload_images(product_id):
    item = get_or_404(Product, product_id, check=can_manage_product)
    form = ImagesForm()
    if form.validate_on_submit():
        files = _uploads(form.images)
        added = ngettext("%(num)d foto ditambahkan.", "%(num)d foto ditambahkan.", len(files))
        perform(lambda: add_images(item, files, actor=current_user), done=added)
    else:
        flash(_("Pilih foto yang akan diunggah."), "error")
    return redirect(url_for("catalog.edit_product", product_id=item.id) + "#foto")


@bp.post("/toko/foto/<id:image_id>/hapus")
@role_required("seller")
def delete_image(image_id):
    image = get_or_404(ProductImage, image_id, check=can_manage_image)
    product_id = image.product_id
    if EmptyForm().validate_on_submit():
        perform(lambda: remove_image(image, actor=current_user), done=_("Foto dihapus."))
    return redirect(url_for("catalog.edit_product", product_id=product_id) + "#foto")


@bp.post("/toko/foto/<id:image_id>/utama")
@role_required("seller")
def primary_image(image_id):
    image = get_or_404(ProductImage, image_id, check=can_manage_image)
    if EmptyForm().validate_on_submit():
        make_primary_image(image, actor=current_user)
        db.session.commit()
    return redirect(url_for("catalog.edit_product", product_id=image.product_id) + "#foto")


# ------------------------------------------------------------------------------- admins

def _category_form(category: Category | None, tree: list[CategoryNode]) -> CategoryForm:
    form = CategoryForm(obj=category)
    tops = [n.category for n in tree if category is None or n.category.id != category.id]
    form.parent_id.choices = [(0, _("— Kategori utama —"))] + [(c.id, c.name) for c in tops]
    if category is not None and request.method == "GET":
        form.parent_id.data = category.parent_id or 0
    return form


def _save_category(category: Category | None, form: CategoryForm):
    parent = db.session.get(Category, form.parent_id.data) if form.parent_id.data else None
    try:
        save_category(category, name=form.name.data, parent=parent, position=form.position.data or 0,
                      is_active=form.is_active.data, actor=current_user)
    except DomainError as error:
        db.session.rollback()
        attach_error(form, error)
        return None
    db.session.commit()
    flash(_("Kategori tersimpan."), "success")
    return redirect(url_for("catalog.admin_categories"))


@bp.route("/admin/kategori", methods=["GET", "POST"])
@role_required("admin")
def admin_categories():
    tree = category_tree(active_only=False)
    form = _category_form(None, tree)
    if form.validate_on_submit() and (response := _save_category(None, form)):
        return response
    counts = dict(db.session.execute(
        db.select(Product.category_id, db.func.count()).group_by(Product.category_id)
    ).all())
    return render_template("catalog/admin_categories.html", tree=tree, form=form, counts=counts)


@bp.route("/admin/kategori/<id:category_id>", methods=["GET", "POST"])
@role_required("admin")
def edit_category(category_id):
    category = get_or_404(Category, category_id)
    form = _category_form(category, category_tree(active_only=False))
    if form.validate_on_submit() and (response := _save_category(category, form)):
        return response
    return render_template("catalog/admin_category.html", category=category, form=form)


@bp.get("/admin/produk")
@role_required("admin")
def admin_products():
    # The shop comes from the join the filter needs; the category is not shown.
    stmt = (db.select(Product).join(Product.shop).options(contains_eager(Product.shop), lazyload(Product.category))
            .order_by(Product.updated_at.desc(), Product.id.desc()))
    text = (request.args.get("q") or "").strip()[:100]
    if text:
        stmt = stmt.where(db.or_(Product.name.ilike(f"%{text}%"), Shop.name.ilike(f"%{text}%")))
    shop_id = id_arg("toko")
    if shop_id:
        stmt = stmt.where(Product.shop_id == shop_id)
    if request.args.get("diturunkan"):
        stmt = stmt.where(Product.taken_down.is_(True))
    page = page_of(stmt)
    return render_template("catalog/admin_products.html", page=page, text=text)


@bp.post("/admin/produk/<id:product_id>/turunkan")
@role_required("admin")
def take_down(product_id):
    item = get_or_404(Product, product_id)
    form = ReasonForm()
    if form.validate_on_submit():
        perform(lambda: take_down_product(item, admin=current_user, reason=form.reason.data),
                done=_("Produk diturunkan dan penjual diberi tahu."))
    else:
        flash(_("Tuliskan alasan penurunan (minimal 5 karakter)."), "error")
    return redirect(url_for("catalog.product", product_id=item.id, slug=item.slug))


@bp.post("/admin/produk/<id:product_id>/pulihkan")
@role_required("admin")
def restore(product_id):
    item = get_or_404(Product, product_id)
    if EmptyForm().validate_on_submit():
        perform(lambda: restore_product(item, admin=current_user), done=_("Produk dipulihkan."))
    return redirect(url_for("catalog.product", product_id=item.id, slug=item.slug))
