from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from bebeli.auth import bp
from bebeli.auth.forms import ChangePasswordForm, ForgotPasswordForm, LoginForm, ResetPasswordForm
from bebeli.auth.services import (
    InvalidResetToken,
    authenticate,
    change_password,
    log_out,
    normalize_identifier,
    request_password_reset,
    reset_password,
    user_for_reset_token,
)
from bebeli.auth.totp import second_step_required
from bebeli.auth.totp_views import start_second_step  # also registers the two-step screens
from bebeli.errors import AccountLocked, DomainError
from bebeli.extensions import db, limiter
from bebeli.forms import EmptyForm
from bebeli.i18n import sentence
from bebeli.auth.homes import home_url_for
from bebeli.urls import safe_next


def _login_account_key() -> str:
    return "login:" + normalize_identifier(request.form.get("identifier", ""))[:254]


def _ip_limit() -> str:
    return current_app.config["LOGIN_LIMIT_PER_IP"]


def _account_limit() -> str:
    return current_app.config["LOGIN_LIMIT_PER_ACCOUNT"]


@bp.route("/masuk", methods=["GET", "POST"])
@limiter.limit(_ip_limit, methods=["POST"])
@limiter.limit(_account_limit, methods=["POST"], key_func=_login_account_key)
def login():
    if current_user.is_authenticated:
        return redirect(home_url_for(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = authenticate(form.identifier.data, form.password.data)
        except DomainError as error:
            db.session.commit()  # keep the failure count and the audit row
            form.form_errors.append(str(error.message))
            status = 403 if isinstance(error, AccountLocked) else 200
            return render_template("auth/login.html", form=form), status
        db.session.commit()
        if second_step_required(user):  # nobody is logged in until the code is verified
            return start_second_step(user, remember=form.remember.data, next_url=safe_next(request.args.get("next")))
        login_user(user, remember=form.remember.data)
        flash(sentence(_("Selamat datang, %(name)s.", name=user.name)), "success")
        return redirect(safe_next(request.args.get("next")) or home_url_for(user))
    return render_template("auth/login.html", form=form)


@bp.post("/keluar")
@login_required
def logout():
    if EmptyForm().validate_on_submit():
        log_out(current_user._get_current_object())
        db.session.commit()
        logout_user()
        flash(_("Anda telah keluar."), "info")
    return redirect(url_for("auth.login"))


@bp.post("/akun/keluar-semua")
@login_required
def logout_everywhere():
    if EmptyForm().validate_on_submit():
        log_out(current_user._get_current_object(), everywhere=True)
        db.session.commit()
        logout_user()
        flash(_("Anda telah keluar dari semua perangkat."), "info")
        return redirect(url_for("auth.login"))
    return redirect(url_for("auth.account"))


@bp.get("/akun")
@login_required
def account():
    return render_template("auth/account.html")


@bp.route("/akun/kata-sandi", methods=["GET", "POST"], endpoint="change_password")
@login_required
def change_password_view():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            change_password(current_user, form.current_password.data, form.new_password.data)
        except DomainError as error:
            field = getattr(form, error.details.get("field", "new_password"), form.new_password)
            field.errors.append(str(error.message))
        else:
            db.session.commit()
            # The session token rotated: log in again with it so this session survives.
            login_user(current_user._get_current_object())
            flash(_("Kata sandi berhasil diubah."), "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/lupa-kata-sandi", methods=["GET", "POST"])
@limiter.limit(_ip_limit, methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        request_password_reset(form.identifier.data)
        db.session.commit()
        flash(_("Jika akun tersebut terdaftar, kami telah mengirim tautan untuk mengatur ulang kata sandi. "
                "Periksa email Anda."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/atur-ulang/<token>", methods=["GET", "POST"], endpoint="reset_password")
@limiter.limit(_ip_limit, methods=["POST"])
def reset_password_view(token):
    try:
        user_for_reset_token(token)
    except InvalidResetToken as error:
        return render_template("auth/reset_invalid.html", message=error.message), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            reset_password(token, form.new_password.data)
        except DomainError as error:
            form.new_password.errors.append(str(error.message))
        else:
            db.session.commit()
            logout_user()
            flash(_("Kata sandi telah diatur ulang. Silakan masuk."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form)

