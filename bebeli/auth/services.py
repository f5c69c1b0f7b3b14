"""Authentication rules: password hashing, login with lockout, password change and reset."""
from __future__ import annotations

import hashlib
from datetime import timedelta
from functools import lru_cache

import sqlalchemy as sa
from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from bebeli.audit.services import record
from bebeli.auth.frame import note_sessions_ended
from bebeli.auth.models import LoginThrottle, Role, RoleAssignment, User, new_session_token
from bebeli.auth.passwords import personal_inputs, weakness
from bebeli.db import utcnow
from bebeli.errors import AccountLocked, DomainError, ValidationFailed
from bebeli.extensions import db

DEFAULT_HASH_PROFILE = "RFC_9106_LOW_MEMORY"


@lru_cache(maxsize=4)
def _hashing(profile: str) -> tuple[PasswordHasher, str]:
    """The Argon2 hasher for a named argon2.profiles entry, and a hash of a throwaway password
    that is verified against when the account does not exist, so both paths cost the same time."""
    hasher = PasswordHasher.from_parameters(getattr(profiles, profile))
    return hasher, hasher.hash("not-a-real-password")


def _hasher() -> PasswordHasher:
    return _current_hashing()[0]


def _current_hashing() -> tuple[PasswordHasher, str]:
    profile = current_app.config.get("PASSWORD_HASH_PROFILE", DEFAULT_HASH_PROFILE) if has_app_context() \
        else DEFAULT_HASH_PROFILE
    return _hashing(profile)


class InvalidCredentials(DomainError):
    status_code = 401
    code = "invalid_credentials"
    default_message = _l("Email/NIP atau kata sandi salah.")


class InvalidResetToken(DomainError):
    code = "invalid_token"
    default_message = _l("Tautan atur ulang kata sandi tidak valid, sudah dipakai, atau kedaluwarsa. Minta tautan baru.")


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(user: User | None, password: str) -> bool:
    try:
        hasher, dummy_hash = _current_hashing()
        return hasher.verify(user.password_hash if user else dummy_hash, password) and user is not None
    except (VerificationError, InvalidHashError):
        return False


def normalize_identifier(identifier: str) -> str:
    identifier = (identifier or "").strip()
    if "@" in identifier:
        return identifier.lower()
    digits = "".join(ch for ch in identifier if not ch.isspace() and ch not in ".-")
    return digits


def find_user_by_login(identifier: str) -> User | None:
    """Email (case-insensitive) or an 18-digit NIP."""
    key = normalize_identifier(identifier)
    if not key:
        return None
    if "@" in key:
        return db.session.scalar(db.select(User).where(User.email == key))
    if key.isdigit() and len(key) == 18:
        from bebeli.directory.models import AsnProfile

        return db.session.scalar(db.select(User).join(AsnProfile).where(AsnProfile.nip == key))
    return None


def _throttle_key(user: User | None, identifier: str) -> str:
    if user is not None:
        return f"user:{user.id}"
    digest = hashlib.sha256(normalize_identifier(identifier).encode()).hexdigest()[:40]
    return f"id:{digest}"


def _lock_message(minutes: int):
    return ngettext(
        "Terlalu banyak percobaan masuk yang gagal. Akun dikunci sementara; coba lagi dalam "
        "%(num)d menit atau atur ulang kata sandi.",
        "Terlalu banyak percobaan masuk yang gagal. Akun dikunci sementara; coba lagi dalam "
        "%(num)d menit atau atur ulang kata sandi.",
        minutes,
    )


def _raise_locked(user: User | None, locked_until) -> None:
    remaining = max(1, int((locked_until - utcnow()).total_seconds() // 60) + 1)
    record("auth.login_locked", actor=user, object_type="users", object_id=getattr(user, "id", None))
    raise AccountLocked(_lock_message(remaining))


def _upsert(table):
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table)


def claim_attempt(user: User | None, identifier: str = "") -> int:
    """Count one attempt *before* its password (or code) is checked, in one atomic statement;
    return the account's count, this attempt included. Raise AccountLocked when the account is
    locked. The attempt that reaches LOGIN_MAX_FAILURES sets the lock at once, so however many
    attempts arrive together, at most that many secrets are checked: PostgreSQL makes a second
    attempt on the same key wait for the first one's transaction (the row lock of INSERT … ON
    CONFLICT DO UPDATE), and SQLite's BEGIN IMMEDIATE lets one writer in at a time. A right
    secret clears the count (clear_failed_attempts); a wrong one leaves it (count_failed_attempt)."""
    cfg = current_app.config
    now = utcnow()
    key = _throttle_key(user, identifier)
    table = LoginThrottle.__table__
    expired = sa.and_(table.c.locked_until.is_not(None), table.c.locked_until <= now)
    failures = sa.case((expired, 1), else_=table.c.failures + 1)
    until = now + timedelta(minutes=cfg["LOGIN_LOCKOUT_MINUTES"])
    lock = sa.case((failures >= cfg["LOGIN_MAX_FAILURES"], sa.literal(until, table.c.locked_until.type)),
                   else_=sa.null())
    first_lock = until if cfg["LOGIN_MAX_FAILURES"] <= 1 else None
    statement = (
        _upsert(table)
        .values(key=key, failures=1, locked_until=first_lock, updated_at=now)
        .on_conflict_do_update(
            index_elements=[table.c.key],
            set_={"failures": failures, "locked_until": lock,
                  "updated_at": now},
            where=sa.or_(table.c.locked_until.is_(None), expired),
        )
        .returning(table.c.failures)
    )
    claimed = db.session.execute(statement).scalar()
    loaded = db.session.identity_map.get(db.session.identity_key(LoginThrottle, key))
    if loaded is not None:  # the statement went around the ORM: reload it when next read
        db.session.expire(loaded)
    if claimed is None:  # locked: the conditional update left the row alone
        locked_until = db.session.scalar(sa.select(table.c.locked_until).where(table.c.key == key))
        _raise_locked(user, locked_until or now)
    return claimed


def count_failed_attempt(user: User | None, identifier: str = "", failures: int | None = None, *,
                         action: str = "auth.login_failed") -> None:
    """Record a wrong password (or a wrong second-step code) whose attempt claim_attempt counted;
    raise AccountLocked when that attempt was the one that reached LOGIN_MAX_FAILURES."""
    if failures is None:
        failures = claim_attempt(user, identifier)
    record(action, actor=user, object_type="users", object_id=getattr(user, "id", None), failures=failures)
    if failures >= current_app.config["LOGIN_MAX_FAILURES"]:
        minutes = current_app.config["LOGIN_LOCKOUT_MINUTES"]
        record("auth.lockout", actor=user, object_type="users", object_id=getattr(user, "id", None))
        raise AccountLocked(_lock_message(minutes))


def clear_failed_attempts(user: User) -> None:
    throttle = db.session.get(LoginThrottle, _throttle_key(user, ""))
    if throttle:
        db.session.delete(throttle)


def authenticate(identifier: str, password: str) -> User:
    """Return the user for these credentials, or raise. The caller commits either way:
    failed attempts and lockouts are recorded even when login is refused."""
    user = find_user_by_login(identifier)
    failures = claim_attempt(user, identifier)

    if verify_password(user, password):
        clear_failed_attempts(user)
        if not user.is_active_account:
            record("auth.login_inactive", actor=user, obj=user)
            raise InvalidCredentials(_l("Akun ini telah dinonaktifkan. Hubungi administrator."))
        if _hasher().check_needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        user.last_login_at = utcnow()
        record("auth.login", actor=user, obj=user)
        return user

    count_failed_attempt(user, identifier, failures)
    raise InvalidCredentials()


def check_password_policy(password: str, user: User | None = None, *, related=()) -> None:
    """Refuse a new password that is short, or that zxcvbn guesses within PASSWORD_MIN_SCORE
    (told the account's own name, email, NIP and phone, and `related` details such as a shop's
    name and NIK)."""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        raise ValidationFailed(_l("Kata sandi minimal %(n)d karakter.", n=minimum), field="password")
    if password.isdigit():
        raise ValidationFailed(_l("Kata sandi tidak boleh hanya berisi angka."), field="password")
    personal = list(related)
    if user is not None:
        lowered = password.lower()
        nip = user.asn.nip if user.asn else None
        if lowered == user.email.lower() or (nip and nip in password):
            raise ValidationFailed(_l("Kata sandi tidak boleh sama dengan email atau NIP."), field="password")
        personal += [user.name, user.email, nip, user.phone]
    why = weakness(password, personal_inputs(*personal), current_app.config["PASSWORD_MIN_SCORE"])
    if why:
        raise ValidationFailed(why, field="password")


def set_password(user: User, password: str, *, actor: User | None = None, reason: str = "change") -> None:
    check_password_policy(password, user)
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    end_sessions(user)
    clear_failed_attempts(user)
    record(f"auth.password_{reason}", actor=actor or user, obj=user)


def end_sessions(user: User) -> None:
    """End every session and remember-me cookie of the account, copies included: they carry
    the old session token, which no longer loads anyone. A session that should go on (the
    one that changed the password) logs in again with the new token."""
    user.session_token = new_session_token()
    user.sessions_ended_at = utcnow()
    note_sessions_ended(db.session)


def log_out(user: User, *, everywhere: bool = False) -> None:
    """Sign out: the session cookie, the remember-me cookie and any copy of them stop working
    on the server, not only in this browser. The account has one session version, so this ends
    its other sessions too; "log out everywhere" says so, and is audited as such."""
    record("auth.logout_everywhere" if everywhere else "auth.logout", actor=user, obj=user)
    end_sessions(user)


def change_password(user: User, current: str, new: str) -> None:
    if not verify_password(user, current):
        raise ValidationFailed(_l("Kata sandi saat ini salah."), field="current_password")
    set_password(user, new, reason="change")


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="bebeli.password-reset")


def _password_fingerprint(user: User) -> str:
    # The token carries a digest of the current hash: once the password changes (by this
    # token or otherwise) the token no longer matches, which makes it single-use.
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def make_reset_token(user: User) -> str:
    return _reset_serializer().dumps({"u": user.id, "f": _password_fingerprint(user)})


def request_password_reset(identifier: str) -> None:
    """Mail a reset link if the account exists; says nothing either way."""
    from flask import url_for

    from bebeli.mail.services import send_mail

    user = find_user_by_login(identifier)
    if user is None or not user.is_active_account:
        record("auth.reset_requested_unknown", object_type="users")
        return
    token = make_reset_token(user)
    send_mail(
        user.email,
        _l("Atur ulang kata sandi BEBELI"),
        "password_reset",
        kind="password_reset",
        user=user,
        url=url_for("auth.reset_password", token=token, _external=True),
        minutes=current_app.config["PASSWORD_RESET_MAX_AGE"] // 60,
    )
    record("auth.reset_requested", actor=user, obj=user)


def user_for_reset_token(token: str) -> User:
    try:
        data = _reset_serializer().loads(token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
    except (SignatureExpired, BadSignature):
        raise InvalidResetToken() from None
    user = db.session.get(User, data.get("u")) if isinstance(data, dict) else None
    if user is None or not user.is_active_account or data.get("f") != _password_fingerprint(user):
        raise InvalidResetToken()
    return user


def reset_password(token: str, new_password: str) -> User:
    user = user_for_reset_token(token)
    set_password(user, new_password, reason="reset")
    return user


def grant_role(user: User, role: Role | str, *, agency_id: int | None = None, actor: User | None = None) -> RoleAssignment:
    role = Role(role)
    if role.agency_scoped and agency_id is None:
        raise ValidationFailed(_l("Peran ini harus terkait dengan satu perangkat daerah."))
    if not role.agency_scoped:
        agency_id = None
    for existing in user.roles:
        if existing.role == role and existing.agency_id == agency_id:
            return existing
    assignment = RoleAssignment(role=role, agency_id=agency_id)
    user.roles.append(assignment)
    record("auth.role_granted", actor=actor, obj=user, role=role.value, agency_id=agency_id)
    return assignment


def revoke_role(user: User, role: Role | str, *, agency_id: int | None = None, actor: User | None = None) -> None:
    role = Role(role)
    for existing in list(user.roles):
        if existing.role == role and (agency_id is None or existing.agency_id == agency_id):
            user.roles.remove(existing)
            record("auth.role_revoked", actor=actor, obj=user, role=role.value, agency_id=existing.agency_id)


# A hash no password verifies against: accounts created by import or by an administrator
# start with it and are activated through the password-reset mail.
UNUSABLE_PASSWORD = "!"


def create_user(*, email: str, name: str, password: str | None = None, roles=(), phone: str | None = None,
                actor: User | None = None, agency_id: int | None = None, related=()) -> User:
    email = email.strip().lower()
    if db.session.scalar(db.select(User.id).where(User.email == email)):
        raise ValidationFailed(_l("Email sudah terdaftar."), field="email")
    user = User(email=email, name=name.strip(), phone=phone, password_hash=UNUSABLE_PASSWORD)
    if password is not None:
        check_password_policy(password, user, related=related)
        user.password_hash = hash_password(password)
    db.session.add(user)
    db.session.flush()
    for role in roles:
        grant_role(user, role, agency_id=agency_id if Role(role).agency_scoped else None, actor=actor)
    record("auth.user_created", actor=actor or user, obj=user, roles=[Role(r).value for r in roles])
    return user
