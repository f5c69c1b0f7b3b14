"""Forms of the catalog (products, categories, moderation reasons, the buyer's filters) and the
helper views use to show a service's answer on a form."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from bebeli.forms import BaseForm, PlainForm, RupiahField
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from bebeli.catalog.services import MAX_IMAGES, MAX_PRICE, PRODUCT_UNITS
from bebeli.images import ImageRejected
from bebeli.money import rupiah

IMAGE_ACCEPT = "image/jpeg,image/png,image/webp"


class ReasonForm(BaseForm):
    reason = TextAreaField(_l("Alasan"), validators=[DataRequired(), Length(min=5, max=1000)],
                           render_kw={"rows": 3})


class ProductForm(BaseForm):
    name = StringField(_l("Nama produk"), validators=[DataRequired(), Length(min=3, max=160)])
    category_id = SelectField(_l("Kategori"), coerce=int, validators=[InputRequired()])
    description = TextAreaField(_l("Deskripsi"), validators=[Optional(), Length(max=5000)], render_kw={"rows": 6})
    price = RupiahField(_l("Harga (Rp, belum termasuk PPN)"), validators=[
        InputRequired(),
        NumberRange(min=1, max=MAX_PRICE, message=_l("Harga harus antara Rp 1 dan %(max)s.", max=rupiah(MAX_PRICE))),
    ], render_kw={"inputmode": "numeric"})
    unit = SelectField(_l("Satuan"), choices=[(u, u) for u in PRODUCT_UNITS])
    stock = IntegerField(_l("Stok"), validators=[InputRequired(), NumberRange(min=0, max=1_000_000)],
                         render_kw={"inputmode": "numeric", "min": 0})
    low_stock_threshold = IntegerField(
        _l("Batas stok menipis (opsional)"), validators=[Optional(), NumberRange(min=0, max=1_000_000)],
        render_kw={"inputmode": "numeric", "min": 0})
    min_order_qty = IntegerField(_l("Minimal pembelian"), default=1,
                                 validators=[InputRequired(), NumberRange(min=1, max=10_000)],
                                 render_kw={"inputmode": "numeric", "min": 1})
    weight_grams = IntegerField(_l("Berat per satuan (gram)"), validators=[Optional(), NumberRange(min=1, max=1_000_000)],
                                render_kw={"inputmode": "numeric", "min": 1})
    tkdn_note = StringField(_l("Catatan TKDN / kandungan lokal (untuk pembelian instansi)"),
                            validators=[Optional(), Length(max=255)])
    images = MultipleFileField(_l("Foto produk (maks. %(n)d, JPEG/PNG/WebP, maks. 5 MB per foto)", n=MAX_IMAGES),
                               render_kw={"accept": IMAGE_ACCEPT, "data-preview": "image-preview"})

    def set_category_choices(self, tree) -> None:
        """Group sub-categories under their parent; a parent without children is itself a choice."""
        choices = {}
        for node in tree:
            options = [(c.id, c.name) for c in node.children] or [(node.category.id, node.category.name)]
            choices[node.category.name] = options
        self.category_id.choices = choices


class ImagesForm(BaseForm):
    images = MultipleFileField(_l("Tambah foto"), validators=[DataRequired()],
                               render_kw={"accept": IMAGE_ACCEPT, "data-preview": "image-preview"})


class CategoryForm(BaseForm):
    name = StringField(_l("Nama kategori"), validators=[DataRequired(), Length(max=80)])
    parent_id = SelectField(_l("Induk"), coerce=int, default=0)
    position = IntegerField(_l("Urutan"), default=0, validators=[Optional(), NumberRange(min=0, max=999)])
    is_active = BooleanField(_l("Aktif"), default=True)


class SearchForm(PlainForm):
    """The buyer's query and filters, read from the URL so every result page can be shared."""

    q = StringField(_l("Cari produk"), validators=[Optional(), Length(max=200)])
    kategori = StringField(validators=[Optional(), Length(max=100)])
    min = RupiahField(_l("Harga min."), validators=[Optional(), NumberRange(min=0, max=MAX_PRICE)])
    maks = RupiahField(_l("Harga maks."), validators=[Optional(), NumberRange(min=0, max=MAX_PRICE)])
    kecamatan = SelectField(_l("Kecamatan"), validate_choice=False)
    stok = BooleanField(_l("Stok tersedia"))
    lokal = BooleanField(_l("UMKM lokal saja"))
    urut = SelectField(_l("Urutkan"), validate_choice=False, choices=[
        ("", _l("Paling sesuai")), ("terbaru", _l("Terbaru")), ("termurah", _l("Harga terendah")),
        ("termahal", _l("Harga tertinggi")), ("terlaris", _l("Terlaris")), ("rating", _l("Rating tertinggi")),
    ])
    bintang = SelectField(_l("Rating"), validate_choice=False, choices=[
        ("", _l("Semua rating")), ("4", _l("4 bintang ke atas")), ("3", _l("3 bintang ke atas")),
    ])


SORT_PARAMS = {"terbaru": "newest", "termurah": "price_asc", "termahal": "price_desc", "terlaris": "popular",
               "rating": "rating"}
RATING_PARAMS = {"4": 4, "3": 3}


def attach_error(form, error, image_field: str | None = None) -> None:
    """Show a service's DomainError on the form field it names, a rejected image on
    `image_field`, anything else above the form."""
    name = error.details.get("field") or (image_field if error.code == ImageRejected.code else None)
    if name and name in form:
        form[name].errors = [*form[name].errors, str(error.message)]
    else:
        form.form_errors.append(str(error.message))
