"""Cart and checkout forms."""
from __future__ import annotations

import functools
from typing import Callable

from flask_babel import lazy_gettext as _l
from wtforms import FieldList, Form, FormField, HiddenField, IntegerField, RadioField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from bebeli.forms import BaseForm
from bebeli.orders.models import FulfilmentMethod
from bebeli.orders.services import ShopChoice


class AddToCartForm(BaseForm):
    product_id = IntegerField(validators=[InputRequired()])
    quantity = IntegerField(_l("Jumlah"), validators=[InputRequired(), NumberRange(min=1)], default=1)
    next = HiddenField()


class QuantityForm(BaseForm):
    quantity = IntegerField(_l("Jumlah"), validators=[InputRequired(), NumberRange(min=1)])


class ShopChoiceForm(Form):
    """One shop's part of the checkout: how it reaches the buyer, and a note for the seller."""

    shop_id = HiddenField(validators=[DataRequired()])
    method = RadioField(_l("Cara menerima"), choices=[
        (FulfilmentMethod.DELIVERY.value, _l("Diantar")), (FulfilmentMethod.PICKUP.value, _l("Ambil di toko")),
    ], validators=[InputRequired(_l("Pilih cara menerima barang."))])
    address_choice = RadioField(_l("Alamat pengiriman"), choices=[
        ("office", _l("Alamat kantor")), ("other", _l("Alamat lain")),
    ], default="office", validators=[Optional()])
    address = TextAreaField(_l("Alamat lain"), validators=[Length(max=500)],
                            render_kw={"rows": 3, "autocomplete": "street-address"})
    note = TextAreaField(_l("Catatan untuk penjual"), validators=[Length(max=500)], render_kw={"rows": 2})


class CheckoutForm(BaseForm):
    idempotency_key = HiddenField(validators=[DataRequired(), Length(max=64)])
    shops = FieldList(FormField(ShopChoiceForm), min_entries=0, max_entries=50)

    def entries_by_shop(self) -> dict[int, ShopChoiceForm]:
        entries = {}
        for entry in self.shops:
            try:
                entries[int(entry.form.shop_id.data)] = entry.form
            except (TypeError, ValueError):
                continue
        return entries

    def choices(self, office_address: str | None | Callable[[], str | None]) -> list[ShopChoice]:
        """Each shop's choice; `office_address` may be a function, called (once) only when a
        part is delivered to the office."""
        result = []
        office = functools.cache(office_address) if callable(office_address) else (lambda: office_address)
        for shop_id, entry in self.entries_by_shop().items():
            method = FulfilmentMethod(entry.method.data)
            address = None
            if method == FulfilmentMethod.DELIVERY:
                use_office = entry.address_choice.data != "other" and office()
                address = office() if use_office else entry.address.data
            result.append(ShopChoice(shop_id=shop_id, method=method, address=address, note=entry.note.data))
        return result
