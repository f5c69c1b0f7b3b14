"""Screens of the two-step login: the code step after the password, enrolment with a QR
code, and the account page for recovery codes.

Between the password and the code the browser's session holds only a pending marker (user
id, session token, start time); nobody is logged in until the code is verified. The marker
expires after PENDING_MAX_AGE seconds and dies with a password change (the token rotates).
"""
from __future__ import annotations

import time

from flask import current_app, flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required, login_user

from bebeli.auth import bp
from bebeli.auth.forms import TotpCodeForm
from bebeli.auth.models import User
from bebeli.auth.totp import (
    enable_totp,
    is_enrolled,
    must_enrol,
    new_secret,
    provisioning_uri,
    qr_data_uri,
    regenerate_recovery_codes,
    remaining_recovery_codes,
    verify_second_step,
)
from bebeli.errors import AccountLocked, DomainError
from bebeli.extensions import db, limiter
from bebeli.i18n import sentence
from bebeli.auth.homes import home_url_for

PENDING_KEY = "totp_pending"
CANDIDATE_KEY = "totp_candidate"
PENDING_MAX_AGE = 600  # seconds from the password to the code (enrolment takes a while)

# Reachable by a signed-in administrator who has not enrolled yet.
_ENROLMENT_OPEN = {"auth.totp_enroll", "auth.logout", "static", "main.healthz", "main.readyz", "main.set_language"}


def start_second_step(user: User, *, remember: bool, next_url: str | None):
    """After a correct password: remember who is half-way in and ask for the code."""
    session.pop(CANDIDATE_KEY, None)
    session[PENDING_KEY] = {"uid": user.id, "token": user.session_token, "remember": bool(remember),
                            "next": next_url, "at": int(time.time())}
    return redirect(url_for("auth.totp_verify" if is_enrolled(user) else "auth.totp_enroll"))


def _pending_user() -> User | None:
    pending = session.get(PENDING_KEY)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_MAX_AGE:
        return None
    user = db.session.get(User, pending.get("uid"))
    if user is None or user.session_token != pending.get("token") or not user.is_active_account:
        return None
    return user


def _finish_login(user: User):
    pending = session.pop(PENDING_KEY, None) or {}
    session.pop(CANDIDATE_KEY, None)
    if not current_user.is_authenticated:
        login_user(user, remember=pending.get("remember", False))
        flash(sentence(_("Selamat datang, %(name)s.", name=user.name)), "success")
    return pending.get("next") or home_url_for(user)


def _login_expired():
    session.pop(PENDING_KEY, None)
    flash(_("Sesi masuk telah berakhir. Silakan masuk lagi."), "info")
    return redirect(url_for("auth.login"))


def _ip_limit() -> str:
    return current_app.config["LOGIN_LIMIT_PER_IP"]


def _account_limit() -> str:
    return current_app.config["TOTP_LIMIT_PER_ACCOUNT"]


def _account_key() -> str:
    pending = session.get(PENDING_KEY)
    if isinstance(pending, dict) and pending.get("uid"):
        return f"totp:{pending['uid']}"
    if current_user.is_authenticated:
        return f"totp:{current_user.id}"
    return f"totp-ip:{request.remote_addr}"


def _no_store(html: str, status: int = 200):
    # Pages showing secrets or recovery codes must not stay in any cache.
    response = make_response(html, status)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/masuk/verifikasi", methods=["GET", "POST"])
@limiter.limit(_ip_limit, methods=["POST"])
@limiter.limit(_account_limit, methods=["POST"], key_func=_account_key)
def totp_verify():
    user = _pending_user()
    if user is None or not is_enrolled(user):
        return _login_expired()
    form = TotpCodeForm()
    if form.validate_on_submit():
        try:
            method = verify_second_step(user, form.code.data)
        except DomainError as error:
            db.session.commit()  # keep the failure count, the lockout and the audit row
            if isinstance(error, AccountLocked):
                session.pop(PENDING_KEY, None)
            form.code.errors.append(str(error.message))
            return render_template("auth/totp_verify.html", form=form), error.status_code
        db.session.commit()
        if method == "recovery":
            remaining = remaining_recovery_codes(user)
            flash(ngettext("Anda masuk dengan kode pemulihan; sisa kode: %(num)d. Buat kode baru bila hampir habis.",
                           "Anda masuk dengan kode pemulihan; sisa kode: %(num)d. Buat kode baru bila hampir habis.",
                           remaining), "warning")
        return redirect(_finish_login(user))
    return render_template("auth/totp_verify.html", form=form)


@bp.route("/masuk/aktifkan-dua-langkah", methods=["GET", "POST"])
@limiter.limit(_ip_limit, methods=["POST"])
@limiter.limit(_account_limit, methods=["POST"], key_func=_account_key)
def totp_enroll():
    user = current_user._get_current_object() if current_user.is_authenticated else _pending_user()
    if user is None:
        return _login_expired()
    if is_enrolled(user):
        return redirect(url_for("auth.totp_settings"))
    secret = session.get(CANDIDATE_KEY) or new_secret()
    session[CANDIDATE_KEY] = secret  # the same QR code after a reload or a wrong code
    form = TotpCodeForm()
    if form.validate_on_submit():
        try:
            codes = enable_totp(user, secret, form.code.data)
        except DomainError as error:
            form.code.errors.append(str(error.message))
        else:
            db.session.commit()
            next_url = _finish_login(user)
            return _no_store(render_template("auth/totp_recovery_codes.html", codes=codes, next_url=next_url))
    uri = provisioning_uri(user, secret)
    html = render_template("auth/totp_enroll.html", form=form, qr=qr_data_uri(uri), uri=uri,
                           secret=" ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
                           required=must_enrol(user))
    return _no_store(html)


@bp.get("/akun/dua-langkah")
@login_required
def totp_settings():
    remaining = remaining_recovery_codes(current_user) if is_enrolled(current_user) else None
    return render_template("auth/totp_settings.html", form=TotpCodeForm(), remaining=remaining)


@bp.post("/akun/dua-langkah/kode-pemulihan")
@login_required
@limiter.limit(_account_limit, key_func=_account_key)
def totp_recovery_codes():
    if not is_enrolled(current_user):
        return redirect(url_for("auth.totp_enroll"))
    form = TotpCodeForm()
    if form.validate_on_submit():
        try:
            codes = regenerate_recovery_codes(current_user, form.code.data)
        except DomainError as error:
            db.session.commit()  # keep the failure count and the audit row
            form.code.errors.append(str(error.message))
        else:
            db.session.commit()
            return _no_store(render_template("auth/totp_recovery_codes.html", codes=codes,
                                             next_url=url_for("auth.totp_settings")))
    remaining = remaining_recovery_codes(current_user)
    return render_template("auth/totp_settings.html", form=form, remaining=remaining), 400


@bp.before_app_request
def require_enrolment():
    """A signed-in administrator without an authenticator (say, the role was granted during
    the session) may do nothing but enrol."""
    # The setting first: where it is off, no request needs to load its user for this.
    if not current_app.config["ADMIN_TOTP_REQUIRED"] or request.endpoint in _ENROLMENT_OPEN:
        return None
    if current_user.is_authenticated and must_enrol(current_user):
        return redirect(url_for("auth.totp_enroll"))
    return None
