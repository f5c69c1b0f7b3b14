from flask_babel import lazy_gettext as _l
from bebeli.forms import BaseForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length


class LoginForm(BaseForm):
    identifier = StringField(_l("Email atau NIP"), validators=[DataRequired(), Length(max=254)],
                             render_kw={"autocomplete": "username", "autofocus": True})
    password = PasswordField(_l("Kata sandi"), validators=[DataRequired(), Length(max=200)],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField(_l("Ingat saya di perangkat ini"))


class ChangePasswordForm(BaseForm):
    current_password = PasswordField(_l("Kata sandi saat ini"), validators=[DataRequired(), Length(max=200)],
                                     render_kw={"autocomplete": "current-password"})
    new_password = PasswordField(_l("Kata sandi baru"), validators=[DataRequired(), Length(max=200)],
                                 render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Ulangi kata sandi baru"),
                            validators=[DataRequired(), EqualTo("new_password", _l("Kata sandi tidak sama."))],
                            render_kw={"autocomplete": "new-password"})


class ForgotPasswordForm(BaseForm):
    identifier = StringField(_l("Email atau NIP"), validators=[DataRequired(), Length(max=254)],
                             render_kw={"autocomplete": "username"})


class ResetPasswordForm(BaseForm):
    new_password = PasswordField(_l("Kata sandi baru"), validators=[DataRequired(), Length(max=200)],
                                 render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Ulangi kata sandi baru"),
                            validators=[DataRequired(), EqualTo("new_password", _l("Kata sandi tidak sama."))],
                            render_kw={"autocomplete": "new-password"})


class TotpCodeForm(BaseForm):
    code = StringField(_l("Kode verifikasi"), validators=[DataRequired(), Length(max=32)],
                       render_kw={"autocomplete": "one-time-code", "autofocus": True, "autocapitalize": "off",
                                  "spellcheck": "false"})
