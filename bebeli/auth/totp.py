"""Two-step login: a 6-digit code from an authenticator app (TOTP, RFC 6238), or a recovery code.

Administrators must use it when ADMIN_TOTP_REQUIRED is on; any account that has enrolled uses it.

- The shared secret is stored encrypted (Fernet, keyed by TOTP_ENCRYPTION_KEY or SECRET_KEY), so
  a copy of the database or of a backup alone does not give away the second factor.
- A code is accepted once: the account keeps the last 30-second step whose code was used, and
  a conditional UPDATE refuses that step or an earlier one, so two parallel submissions of the
  same code cannot both pass.
- Wrong codes count towards the same lockout as wrong passwords (bebeli.auth.services).
- Recovery codes are random, shown once, and kept only as SHA-256 digests; each works once.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets

import pyotp
import segno
import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.attributes import set_committed_value

from bebeli.audit.services import record
from bebeli.auth.models import RecoveryCode, Role, User
from bebeli.auth.services import claim_attempt, clear_failed_attempts, count_failed_attempt
from bebeli.db import utcnow
from bebeli.errors import Conflict, DomainError, ValidationFailed
from bebeli.extensions import db

log = logging.getLogger(__name__)

RECOVERY_CODE_COUNT = 10
# No 0/o, 1/l/i: the codes are read off paper. 12 characters of 31 give about 59 bits.
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_RECOVERY_LENGTH = 12
# A code of the step before or after the server's clock is accepted too (phone clocks drift).
_VALID_STEPS = (-1, 0, 1)


class InvalidCode(DomainError):
    status_code = 400
    code = "invalid_code"
    default_message = _l("Kode verifikasi salah atau sudah dipakai.")


# --- who must use it ----------------------------------------------------------------------

def is_enrolled(user: User) -> bool:
    return user.totp_enabled_at is not None and user.totp_secret is not None


def must_enrol(user: User) -> bool:
    """An administrator without an authenticator, where the deployment requires one."""
    return (current_app.config["ADMIN_TOTP_REQUIRED"] and user.has_role(Role.ADMIN)
            and not is_enrolled(user))


def second_step_required(user: User) -> bool:
    return is_enrolled(user) or must_enrol(user)


# --- secrets ------------------------------------------------------------------------------

def _fernet() -> Fernet:
    key = current_app.config.get("TOTP_ENCRYPTION_KEY") or current_app.config["SECRET_KEY"]
    digest = hashlib.sha256(b"bebeli.totp-secret:" + key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def encrypt_secret(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def _decrypt_secret(user: User) -> str:
    try:
        return _fernet().decrypt(user.totp_secret.encode()).decode()
    except InvalidToken:
        # The key changed since enrolment: only a re-enrolment (reset by an operator) helps.
        log.error("TOTP secret of user %s cannot be decrypted: was TOTP_ENCRYPTION_KEY changed?", user.id)
        raise InvalidCode(_l("Verifikasi dua langkah akun ini perlu diatur ulang. Hubungi administrator.")) from None


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=current_app.config["TOTP_ISSUER"])


def qr_data_uri(uri: str) -> str:
    """The otpauth:// URI as a QR code, an SVG data: URI for an <img> (CSP allows data: images)."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


# --- codes --------------------------------------------------------------------------------

def _normalize(code: str) -> str:
    return "".join(ch for ch in (code or "").lower() if ch.isalnum())


def _matching_step(secret: str, code: str) -> int | None:
    totp = pyotp.TOTP(secret)
    now_step = totp.timecode(utcnow())
    for offset in _VALID_STEPS:
        if hmac.compare_digest(totp.generate_otp(now_step + offset), code):
            return now_step + offset
    return None


def _claim_step(user: User, step: int) -> bool:
    """Mark `step` used unless it (or a later one) already was: a code works only once."""
    result = db.session.execute(
        sa.update(User)
        .where(User.id == user.id, sa.or_(User.totp_last_used_step.is_(None), User.totp_last_used_step < step))
        .values(totp_last_used_step=step)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    set_committed_value(user, "totp_last_used_step", step)
    return True


def _digest(code: str) -> str:
    return hashlib.sha256(_normalize(code).encode()).hexdigest()


def _new_recovery_code() -> str:
    raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
    return "-".join(raw[i:i + 4] for i in range(0, _RECOVERY_LENGTH, 4))


def _use_recovery_code(user: User, code: str) -> bool:
    if len(_normalize(code)) != _RECOVERY_LENGTH:
        return False
    result = db.session.execute(
        sa.update(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _digest(code),
               RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def remaining_recovery_codes(user: User) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )


def _replace_recovery_codes(user: User) -> list[str]:
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_digest(code)) for code in codes)
    return codes


# --- the verbs ----------------------------------------------------------------------------

def enable_totp(user: User, secret: str, code: str) -> list[str]:
    """Confirm enrolment with a first code from the app; return the new recovery codes."""
    if is_enrolled(user):
        raise Conflict(_l("Verifikasi dua langkah sudah aktif untuk akun ini."))
    step = _matching_step(secret, _normalize(code))
    if step is None:
        raise ValidationFailed(_l("Kode tidak cocok. Periksa jam ponsel Anda lalu masukkan kode yang sedang tampil."),
                               field="code")
    user.totp_secret = encrypt_secret(secret)
    user.totp_enabled_at = utcnow()
    user.totp_last_used_step = step
    codes = _replace_recovery_codes(user)
    record("auth.totp_enabled", actor=user, obj=user)
    return codes


def verify_second_step(user: User, code: str, *, allow_recovery: bool = True) -> str:
    """Check a 6-digit code (or a recovery code) for an enrolled account; return which one
    was used ("totp" or "recovery"). Wrong codes count towards the account's lockout."""
    failures = claim_attempt(user)
    normalized = _normalize(code)
    used = None
    if normalized.isdigit() and len(normalized) == 6:
        step = _matching_step(_decrypt_secret(user), normalized)
        used = "totp" if step is not None and _claim_step(user, step) else None
    elif allow_recovery and _use_recovery_code(user, normalized):
        used = "recovery"
    if used is None:
        count_failed_attempt(user, "", failures, action="auth.totp_failed")
        raise InvalidCode()
    clear_failed_attempts(user)
    record("auth.totp_verified", actor=user, obj=user, method=used)
    return used


def regenerate_recovery_codes(user: User, code: str) -> list[str]:
    """New recovery codes (the old ones stop working), confirmed with a code from the app."""
    verify_second_step(user, code, allow_recovery=False)
    codes = _replace_recovery_codes(user)
    record("auth.recovery_codes_regenerated", actor=user, obj=user)
    return codes


def reset_totp(user: User, *, actor: User | None = None) -> None:
    """An operator removes a lost authenticator; the user enrols again at the next login."""
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_used_step = None
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    record("auth.totp_reset", actor=actor, obj=user)


def enrol_with_secret(user: User, secret: str) -> None:
    """Enrol without a confirming code: only for the demo administrator, whose secret is
    published so that the demo can be tried with any authenticator app."""
    if not is_enrolled(user):
        user.totp_secret = encrypt_secret(secret)
        user.totp_enabled_at = utcnow()
