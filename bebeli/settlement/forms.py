"""Forms of the administrator's payout pages."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from bebeli.forms import BaseForm, RupiahField
from bebeli.money import MAX_AMOUNT


class MarkPaidForm(BaseForm):
    bank_reference = StringField(_l("No. referensi bank"), validators=[DataRequired(), Length(max=80)])


class MarkReturnedForm(BaseForm):
    reason = TextAreaField(_l("Alasan pengembalian dari bank"), validators=[DataRequired(), Length(max=500)],
                           render_kw={"rows": 2})


class AdjustmentForm(BaseForm):
    """An administrator's correction of a shop's balance: added or taken, with the reason."""

    direction = RadioField(_l("Jenis penyesuaian"), choices=[("credit", _l("Tambah saldo")), ("debit", _l("Kurangi saldo"))],
                           default="credit", validators=[InputRequired(_l("Pilih jenis penyesuaian."))])
    amount = RupiahField(_l("Jumlah (Rp)"), validators=[InputRequired(), NumberRange(min=1, max=MAX_AMOUNT - 1)])
    reason = TextAreaField(_l("Alasan"), validators=[DataRequired(), Length(max=500)], render_kw={"rows": 2})

    def signed_amount(self) -> int:
        return self.amount.data if self.direction.data == "credit" else -self.amount.data
