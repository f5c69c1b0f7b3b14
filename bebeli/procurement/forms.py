"""Forms of the agency channel. Amounts are typed as rupiah (`1.250.000`) and read as integers;
rupiah fields use InputRequired, which keeps the field's own "not an amount" message."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from bebeli.auth.models import Role
from bebeli.lifecycle.forms import MethodChoiceForm
from bebeli.forms import BaseForm, RupiahField
from bebeli.ids import id_coerce
from bebeli.money import MAX_AMOUNT
from bebeli.validators import NIK, BankAccount, EmailAddress, Phone


def positive_amount(form, field):
    if field.data is not None and not 0 < field.data <= MAX_AMOUNT:
        raise ValidationError(_l("Jumlah harus lebih dari nol dan masuk akal."))


class BudgetLineForm(BaseForm):
    code = StringField(_l("Kode rekening"), validators=[DataRequired(), Length(max=60)],
                       render_kw={"placeholder": "5.1.02.01.01.0024"})
    name = StringField(_l("Uraian"), validators=[DataRequired(), Length(max=200)],
                       render_kw={"placeholder": _l("Belanja alat tulis kantor")})
    pagu = RupiahField(_l("Pagu (Rp)"), validators=[InputRequired(), positive_amount],
                       render_kw={"inputmode": "numeric"})


class BudgetLineEditForm(BaseForm):
    name = StringField(_l("Uraian"), validators=[DataRequired(), Length(max=200)])
    pagu = RupiahField(_l("Pagu (Rp)"), validators=[InputRequired(), positive_amount],
                       render_kw={"inputmode": "numeric"})
    is_active = BooleanField(_l("Aktif (dapat dipilih saat memesan)"))


class AgencyBudgetForm(BaseForm):
    amount = RupiahField(_l("Total anggaran belanja barang/jasa tahun ini (Rp)"),
                         validators=[Optional(), positive_amount], render_kw={"inputmode": "numeric"})


ROLE_CHOICES = [
    (Role.PP.value, _l("Pejabat Pengadaan (memesan)")),
    (Role.PPK.value, _l("PPK (menyetujui dan menandatangani)")),
    (Role.TREASURER.value, _l("Bendahara (mencatat pembayaran)")),
]


class AppointForm(BaseForm):
    email = EmailField(_l("Email ASN"), validators=[DataRequired(), Length(max=254), EmailAddress()])
    role = SelectField(_l("Peran"), choices=ROLE_CHOICES)
    nik = StringField(_l("NIK"), validators=[Optional(), NIK()], render_kw={"inputmode": "numeric"})
    phone = StringField(_l("Nomor telepon"), validators=[Optional(), Phone()], render_kw={"inputmode": "tel"})
    bank_account = StringField(_l("Nomor rekening bank pribadi"), validators=[Optional(), BankAccount()],
                               render_kw={"inputmode": "numeric"})


class AgencyCheckoutForm(BaseForm):
    budget_line = SelectField(_l("Kode anggaran"), coerce=id_coerce, validate_choice=False)
    ppk = SelectField(_l("PPK yang menyetujui"), coerce=id_coerce, validate_choice=False)
    # Required when a shop's part is delivered (the service says so); not when all is collected.
    delivery_address = TextAreaField(_l("Alamat pengiriman"), validators=[Optional(), Length(max=500)])
    note = TextAreaField(_l("Catatan untuk penjual"), validators=[Optional(), Length(max=500)])
    shops = FieldList(FormField(MethodChoiceForm), min_entries=0, max_entries=50)
    quoted_total = HiddenField(validators=[Length(max=20)])   # as on the personal checkout


class NoteForm(BaseForm):
    note = TextAreaField(_l("Catatan"), validators=[DataRequired(), Length(max=1000)])


class CounterForm(BaseForm):
    price = RupiahField(_l("Harga satuan tawaran balik (Rp)"), validators=[InputRequired(), positive_amount],
                        render_kw={"inputmode": "numeric"})
    note = StringField(_l("Catatan"), validators=[Optional(), Length(max=500)])


class PaymentForm(BaseForm):
    paid_on = DateField(_l("Tanggal bayar"), validators=[DataRequired()])
    reference = StringField(_l("Nomor SP2D atau referensi transaksi"), validators=[DataRequired(), Length(max=80)])
    amount = RupiahField(_l("Jumlah dibayar ke penjual (Rp)"), validators=[InputRequired(), positive_amount],
                         render_kw={"inputmode": "numeric"})


def line_fields_form(base: type[BaseForm], lines, make_field) -> BaseForm:
    """`base` plus one field per order line, named `line_<id>` (offers, BAST rejections)."""

    class LinesForm(base):
        pass

    for line in lines:
        setattr(LinesForm, f"line_{line.id}", make_field(line))
    form = LinesForm()
    form.line_fields = [(line, form[f"line_{line.id}"]) for line in lines]
    return form


def offer_form(lines):
    return line_fields_form(
        BaseForm, lines,
        lambda line: RupiahField(_l("Harga satuan usulan untuk %(name)s", name=line.product_name),
                                 validators=[Optional(), positive_amount], render_kw={"inputmode": "numeric"}),
    )


class BastBaseForm(BaseForm):
    note = TextAreaField(_l("Catatan pemeriksaan"), validators=[Optional(), Length(max=1000)])


def bast_form(lines):
    return line_fields_form(
        BastBaseForm, lines,
        lambda line: IntegerField(_l("Jumlah %(name)s yang ditolak", name=line.product_name), default=0,
                                  validators=[Optional(), NumberRange(min=0, max=line.quantity)]),
    )
