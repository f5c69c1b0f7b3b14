"""The administrator's confirmation of a suggested sanction."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, RadioField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from bebeli.sanctions.models import SanctionKind
from bebeli.sanctions.services import KIND_LABELS, MAX_HIDE_DAYS
from bebeli.forms import BaseForm


class SanctionForm(BaseForm):
    kind = RadioField(_l("Sanksi"), choices=[(k.value, KIND_LABELS[k]) for k in SanctionKind],
                      default=SanctionKind.WARNING.value, validators=[InputRequired(_l("Pilih jenis sanksi."))])
    days = IntegerField(_l("Lama penyembunyian (hari)"), default=14,
                        validators=[Optional(), NumberRange(min=1, max=MAX_HIDE_DAYS)], render_kw={"inputmode": "numeric"})
    reason = TextAreaField(_l("Alasan (dikirim ke pelaku UMKM)"), render_kw={"rows": 3},
                           validators=[DataRequired(_l("Tuliskan alasan sanksi untuk pelaku UMKM.")), Length(max=1000)])
