"""Forms of the administrator's payout pages."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from bebeli.forms import BaseForm


class MarkPaidForm(BaseForm):
    bank_reference = StringField(_l("No. referensi bank"), validators=[DataRequired(), Length(max=80)])


class MarkReturnedForm(BaseForm):
    reason = TextAreaField(_l("Alasan pengembalian dari bank"), validators=[DataRequired(), Length(max=500)],
                           render_kw={"rows": 2})
