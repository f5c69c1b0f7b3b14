"""Forms of the reviews room; choices carry the stored values."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, RadioField, TextAreaField
from wtforms.widgets import HiddenInput
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from bebeli.catalog.forms import IMAGE_ACCEPT
from bebeli.forms import BaseForm
from bebeli.ids import IdField
from bebeli.reviews.moderation import Decision
from bebeli.reviews.services import MAX_BODY, MAX_PHOTOS, MAX_REPLY

STAR_CHOICES = [(5, "★★★★★"), (4, "★★★★"), (3, "★★★"), (2, "★★"), (1, "★")]


def _star(value):
    """The chosen stars as an int; anything else is the field's own "not a valid choice"."""
    text = str(value).strip()
    if not (text.isascii() and text.isdigit() and len(text) == 1):
        raise ValueError(value)
    return int(text)


class ReviewForm(BaseForm):
    # The line reviewed, named in the body as well as the address: checked to be the buyer's own.
    order_line_id = IdField(validators=[InputRequired(message=_l("Muat ulang halaman."))], widget=HiddenInput())
    rating = RadioField(_l("Penilaian"), choices=STAR_CHOICES, coerce=_star,
                        validators=[InputRequired(message=_l("Pilih 1 sampai 5 bintang."))])
    body = TextAreaField(_l("Ulasan"), validators=[Optional(), Length(max=MAX_BODY)],
                         description=_l("Ceritakan kualitas barang dan pelayanan toko. Jangan tulis nomor "
                                        "telepon, email atau tautan: ulasan seperti itu diperiksa Dinas dulu."))
    anonymous = BooleanField(_l("Tampilkan sebagai pembeli anonim"),
                             description=_l("Nama Anda tidak ditampilkan kepada publik; toko dan Dinas tetap "
                                            "melihatnya."))
    photos = MultipleFileField(_l("Foto (maks. %(n)d, JPEG/PNG/WebP, maks. 5 MB per foto)", n=MAX_PHOTOS),
                               render_kw={"accept": IMAGE_ACCEPT})


class ReplyForm(BaseForm):
    body = TextAreaField(_l("Balasan toko"), validators=[DataRequired(message=_l("Tulis balasan.")),
                                                         Length(max=MAX_REPLY)])


class ReportForm(BaseForm):
    reason = TextAreaField(_l("Alasan laporan"), validators=[
        DataRequired(message=_l("Tuliskan alasan laporan (5–500 karakter).")),
        Length(min=5, max=500, message=_l("Tuliskan alasan laporan (5–500 karakter)."))])


class DecisionForm(BaseForm):
    decision = RadioField(_l("Keputusan"), choices=[(Decision.APPROVE.value, _l("Tampilkan")),
                                                   (Decision.HIDE.value, _l("Sembunyikan"))],
                          validators=[InputRequired(message=_l("Pilih keputusan."))])
    reason = TextAreaField(_l("Alasan (wajib bila disembunyikan; dikirim ke penulis)"),
                           validators=[Optional(), Length(max=500)])
