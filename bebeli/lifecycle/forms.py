"""The checkout forms: how each shop's part reaches the buyer (personal and agency checkouts
alike), the personal checkout page, and the total the page showed."""
from __future__ import annotations

import functools
from typing import Callable

from flask_babel import lazy_gettext as _l
from wtforms import FieldList, Form, FormField, HiddenField, RadioField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from bebeli.forms import BaseForm, PlainForm
from bebeli.lifecycle.placing import ShopChoice
from bebeli.orders.models import FulfilmentMethod

METHOD_LABELS = {FulfilmentMethod.DELIVERY: _l("Diantar"), FulfilmentMethod.PICKUP: _l("Ambil di toko")}


class MethodChoiceForm(PlainForm):
    """How one shop's part reaches the buyer (personal and agency checkouts alike)."""

    shop_id = HiddenField(validators=[DataRequired()])
    method = RadioField(_l("Cara menerima"), choices=[(m.value, label) for m, label in METHOD_LABELS.items()],
                        validators=[InputRequired(_l("Pilih cara menerima barang."))])


def entries_by_shop(entries) -> dict[int, Form]:
    """Each shop's subform in a list of MethodChoiceForm entries, by shop id."""
    found = {}
    for entry in entries:
        try:
            found[int(entry.form.shop_id.data)] = entry.form
        except (TypeError, ValueError):
            continue
    return found


def methods_by_shop(entries) -> dict[int, FulfilmentMethod]:
    """The way chosen for each shop in a list of MethodChoiceForm entries; unreadable ones left out."""
    chosen = {}
    for entry in entries:
        try:
            chosen[int(entry.form.shop_id.data)] = FulfilmentMethod(entry.form.method.data)
        except (TypeError, ValueError):
            continue
    return chosen


def expected_total(field) -> int | None:
    """The total the page showed (a hidden field): None when the client sent none, -1 when
    it sent something that is not one (which then matches no order)."""
    text = (field.data or "").strip()
    if not text:
        return None
    return int(text) if text.isdigit() and len(text) <= 18 else -1


class ShopChoiceForm(MethodChoiceForm):
    """One shop's part of the checkout: how it reaches the buyer, and a note for the seller."""

    address_choice = RadioField(_l("Alamat pengiriman"), choices=[
        ("office", _l("Alamat kantor")), ("other", _l("Alamat lain")),
    ], default="office", validators=[Optional()])
    address = TextAreaField(_l("Alamat lain"), validators=[Length(max=500)],
                            render_kw={"rows": 3, "autocomplete": "street-address"})
    note = TextAreaField(_l("Catatan untuk penjual"), validators=[Length(max=500)], render_kw={"rows": 2})


class CheckoutForm(BaseForm):
    idempotency_key = HiddenField(validators=[DataRequired(), Length(max=64)])
    # The order total the page showed for the ways chosen: placing an order that would cost
    # anything else shows the new total first.
    quoted_total = HiddenField(validators=[Length(max=20)])
    shops = FieldList(FormField(ShopChoiceForm), min_entries=0, max_entries=50)

    def entries_by_shop(self) -> dict[int, ShopChoiceForm]:
        return entries_by_shop(self.shops)

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
