"""Forms of the order pages: rejecting, cancelling, shipping and confirming receipt."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from bebeli.forms import BaseForm


class RejectForm(BaseForm):
    reason = TextAreaField(_l("Alasan penolakan"), validators=[DataRequired(), Length(max=500)],
                           render_kw={"rows": 2})


class CancelForm(BaseForm):
    reason = TextAreaField(_l("Alasan pembatalan (opsional)"), validators=[Optional(), Length(max=500)],
                           render_kw={"rows": 2})


class ShipForm(BaseForm):
    courier = StringField(_l("Kurir / jasa pengiriman"), validators=[Optional(), Length(max=60)],
                          render_kw={"placeholder": _l("mis. JNE, SiCepat, kurir toko")})
    tracking_number = StringField(_l("Nomor resi"), validators=[Optional(), Length(max=80)])


class ReceiptForm(BaseForm):
    note = TextAreaField(_l("Catatan penerimaan"), validators=[Optional(), Length(max=500)], render_kw={"rows": 2})

    def rejected(self, so) -> dict[int, int]:
        return {line.id: self[f"reject_{line.id}"].data or 0 for line in so.lines}


def receipt_form_for(so) -> ReceiptForm:
    """A receipt form with one "how many do you refuse" field per line of `so`."""

    class _Receipt(ReceiptForm):
        pass

    for line in so.lines:
        setattr(_Receipt, f"reject_{line.id}", IntegerField(
            _l("Ditolak: %(name)s", name=line.product_name), default=0,
            validators=[Optional(), NumberRange(min=0, max=line.quantity)],
            render_kw={"min": 0, "max": line.quantity, "inputmode": "numeric"},
        ))
    return _Receipt()
