"""Forms shared across modules, and the base every form of the app derives from."""
from flask import request
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, MultipleFileField
from werkzeug.datastructures import CombinedMultiDict


class BaseForm(FlaskForm):
    """FlaskForm that hands uploaded files only to file fields.

    Flask-WTF merges request.files into the form data, so a file posted under a text field's
    name reaches that field's validators (e.g. Length) as a FileStorage and crashes them; and it
    reads a JSON body as form data with numbers, lists and nulls where strings are expected.
    HTML forms take form-encoded data only.
    """

    class Meta(FlaskForm.Meta):
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


class EmptyForm(BaseForm):
    """A form with only the CSRF token: for action buttons (publish, approve, delete…)."""
