"""Cart forms: adding a product, changing a quantity."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, IntegerField
from wtforms.validators import InputRequired, NumberRange

from bebeli.forms import BaseForm
from bebeli.ids import IdField


class AddToCartForm(BaseForm):
    product_id = IdField(validators=[InputRequired()])
    quantity = IntegerField(_l("Jumlah"), validators=[InputRequired(), NumberRange(min=1)], default=1)
    next = HiddenField()


class QuantityForm(BaseForm):
    quantity = IntegerField(_l("Jumlah"), validators=[InputRequired(), NumberRange(min=1)])
