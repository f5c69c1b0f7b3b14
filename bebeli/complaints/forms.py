"""Forms of the complaint pages: choices are the stored values, so what a page renders is
exactly what its form accepts back."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from wtforms import RadioField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from bebeli.complaints.models import ComplaintKind, Remedy
from bebeli.complaints.services import KIND_LABELS, MAX_PHOTOS, MAX_TEXT, REMEDY_LABELS
from bebeli.forms import BaseForm, RupiahField
from bebeli.money import MAX_AMOUNT

IMAGE_ACCEPT = "image/jpeg,image/png,image/webp"


class ComplaintForm(BaseForm):
    kind = RadioField(_l("Masalahnya"), choices=[(k.value, KIND_LABELS[k]) for k in ComplaintKind],
                      validators=[InputRequired(_l("Pilih jenis masalah."))])
    description = TextAreaField(_l("Ceritakan masalahnya"), render_kw={"rows": 4},
                                validators=[DataRequired(_l("Ceritakan masalahnya.")), Length(max=MAX_TEXT)])
    photos = MultipleFileField(_l("Foto (maks. %(n)d, JPEG/PNG/WebP)", n=MAX_PHOTOS), render_kw={"accept": IMAGE_ACCEPT})

    def uploads(self) -> list[bytes]:
        return [f.read() for f in (self.photos.data or []) if getattr(f, "filename", "")]


class _RemedyForm(BaseForm):
    remedy = RadioField(_l("Penyelesaian"), validators=[InputRequired(_l("Pilih salah satu penyelesaian."))])
    amount = RupiahField(_l("Jumlah pengembalian sebagian (Rp)"),
                         validators=[Optional(), NumberRange(min=1, max=MAX_AMOUNT - 1)])
    note = TextAreaField(_l("Catatan"), render_kw={"rows": 3}, validators=[Optional(), Length(max=MAX_TEXT)])

    def offer(self, remedies: list[Remedy]) -> _RemedyForm:
        self.remedy.choices = [(r.value, REMEDY_LABELS[r]) for r in remedies]
        return self

    @property
    def partial_amount(self) -> int | None:
        return self.amount.data if self.remedy.data == Remedy.PARTIAL_REFUND.value else None


class AnswerForm(_RemedyForm):
    """The seller's answer."""


class DecisionForm(_RemedyForm):
    """The Dinas's decision (CONTEST: the complaint is not upheld)."""

    note = TextAreaField(_l("Pertimbangan keputusan"), render_kw={"rows": 3},
                         validators=[DataRequired(_l("Tuliskan pertimbangan keputusan.")), Length(max=MAX_TEXT)])


class EscalateForm(BaseForm):
    note = TextAreaField(_l("Mengapa jawaban penjual belum menyelesaikan masalah?"), render_kw={"rows": 3},
                         validators=[DataRequired(_l("Jelaskan alasannya.")), Length(max=MAX_TEXT)])
