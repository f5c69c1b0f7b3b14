"""Forms shared across modules, and the base every form of the app derives from."""
from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, MultipleFileField
from werkzeug.datastructures import CombinedMultiDict
from wtforms import Form, StringField
from wtforms.validators import ValidationError

from bebeli.i18n import form_translations
from bebeli.money import MAX_AMOUNT, parse_rupiah


class _CSRF(FlaskForm.Meta.csrf_class):
    """Flask-WTF's CSRF check, with its messages (plain English) in the interface language."""

    def validate_csrf_token(self, form, field):
        try:
            super().validate_csrf_token(form, field)
        except ValidationError as error:
            raise ValidationError(field.gettext(str(error.args[0]) if error.args else "")) from None


class BaseForm(FlaskForm):
    """FlaskForm that hands uploaded files only to file fields.

    Flask-WTF merges request.files into the form data, so a file posted under a text field's
    name reaches that field's validators (e.g. Length) as a FileStorage and crashes them; and it
    reads a JSON body as form data with numbers, lists and nulls where strings are expected.
    HTML forms take form-encoded data only.
    """

    class Meta(FlaskForm.Meta):
        csrf_class = _CSRF

        def get_translations(self, form):
            return form_translations  # WTForms' own messages in Indonesian or English

        def wrap_formdata(self, form, formdata):
            if request.is_json:
                return request.form
            wrapped = super().wrap_formdata(form, formdata)
            if isinstance(wrapped, CombinedMultiDict) and request.files:
                file_fields = {name for name, field in form._fields.items()
                               if isinstance(field, (FileField, MultipleFileField))}
                files = request.files.copy()
                for name in list(files.keys()):
                    if name not in file_fields:
                        files.poplist(name)
                return CombinedMultiDict((files, request.form)) if files else request.form
            return wrapped


class PlainForm(Form):
    """A form without a CSRF token (GET filters, and the sub-forms of a FieldList), whose
    built-in messages are translated like BaseForm's."""

    class Meta:
        def get_translations(self, form):
            return form_translations


class EmptyForm(BaseForm):
    """A form with only the CSRF token: for action buttons (publish, approve, delete…)."""


class RupiahField(StringField):
    """Whole rupiah as people type them: 25000, 25.000 or Rp 25.000; `data` is an int or None."""

    def process_formdata(self, valuelist):
        self.raw_text = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if not self.raw_text:
            return
        try:
            amount = parse_rupiah(self.raw_text)
        except ValueError:
            raise ValueError(_l("Tulis nominal rupiah tanpa sen, misalnya 25000 atau 25.000.")) from None
        if amount > MAX_AMOUNT:
            raise ValueError(_l("Jumlah terlalu besar."))
        self.data = amount

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else f"{self.data:,}".replace(",", ".")

