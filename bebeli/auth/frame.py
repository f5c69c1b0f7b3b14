"""The signed-in frame of shared pages, without a database query.

A public catalog page (search, category, shop, product) shows the same content to every
viewer; a signed-in buyer's copy differs only in its frame: the menu their roles open, their
name, and the CSRF token of their forms. Loading the account for that costs more than the
page itself when the page comes from the cache, so the session carries a small snapshot of
the frame — the session token, the name and the roles — written whenever a request has
loaded the real account, and trusted for FRAME_TRUST_SECONDS:

- On a GET of a view marked with `shares_frame` (see `bebeli.catalog.cache.cached_page`),
  a fresh snapshot whose token is the session's own puts a `FrameUser` in place of the
  account (Flask-Login's `g._login_user`). It knows the id, name and roles, and nothing else:
  a page that reaches for more raises AttributeError instead of showing something wrong.
- Any other request, or a snapshot past its time, loads the real account as always; the
  request then writes a new snapshot. So a deactivated account, a session ended by a
  password change or a role taken away shows in the frame of public pages within
  FRAME_TRUST_SECONDS, and everywhere else at once.
- Administrators and sellers never get a stand-in: their copy of a catalog page depends on
  who they are (moderation, previews of their own products).
- A session ended on the server (logout, "log out everywhere", a password change or reset:
  the account's `sessions_ended_at`) is never stood in for again, not even by a copy of its
  cookie: each worker keeps the accounts whose sessions ended within FRAME_TRUST_SECONDS,
  read at most once every ENDED_CHECK_SECONDS (at once after an end committed in the same
  worker), and a snapshot written before its account's end is not trusted.

The session cookie is signed with SECRET_KEY, so a snapshot cannot be forged; it names only
what the account holder already sees. Shared pages are rendered with `NAME_MARK` and
`CSRF_MARK` where the name and the token go (`stamp` puts the viewer's own in), so one
rendering serves every buyer with the same roles.
"""
from __future__ import annotations

import hashlib
import hmac
import time
from datetime import datetime, timedelta, timezone
from threading import Lock

import sqlalchemy as sa
from flask import Flask, current_app, g, request, session
from flask_sqlalchemy.session import Session
from flask_wtf.csrf import generate_csrf
from markupsafe import escape

from bebeli.auth.models import Role, User

SNAPSHOT_KEY = "_frame"
# What the snapshot is made of, all loaded already when a request may write it without a query.
SNAPSHOT_COLUMNS = frozenset({"id", "session_token", "name", "is_active_account", "roles"})
PERSONAL_ROLES = frozenset({Role.ADMIN.value, Role.SELLER.value})
# How long a worker trusts its list of recently ended sessions (ends in another worker show
# within this many seconds; ends in this worker at once).
ENDED_CHECK_SECONDS = 1.0


class FrameUser:
    """Who is signed in, as far as the frame of a shared page needs to know."""

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def __init__(self, user_id: int, token: str, name: str, roles: tuple[str, ...]):
        self.id = user_id
        self.session_token = token
        self.real_name = name
        self.name = marks()[0]  # pages are rendered once for every viewer: `stamp` puts the name in
        self.role_names = sorted(roles)

    def get_id(self) -> str:
        return self.session_token

    def has_role(self, *roles: Role | str) -> bool:
        return any(Role(r).value in self.role_names for r in roles)

    def __getattr__(self, name: str):
        raise AttributeError(f"{name!r} is not part of the shared frame: load the account for this page")


def marks() -> tuple[str, str]:
    """(name mark, CSRF mark): derived from SECRET_KEY, so page content cannot guess them, and
    plain letters and digits, so HTML escaping leaves them as they are."""
    app = current_app._get_current_object()
    cached = app.extensions.get("bebeli.frame_marks")
    if cached is None:
        digest = hmac.new(app.config["SECRET_KEY"].encode(), b"bebeli shared frame", hashlib.sha256).hexdigest()
        cached = app.extensions["bebeli.frame_marks"] = (f"frame-name-{digest[:20]}", f"frame-csrf-{digest[20:40]}")
    return cached


def stamp(body: bytes, name: str, csrf_token: str) -> bytes:
    """A shared rendering with this viewer's name and CSRF token in place of the marks."""
    name_mark, csrf_mark = marks()
    return (body.replace(name_mark.encode(), str(escape(name)).encode())
            .replace(csrf_mark.encode(), csrf_token.encode()))


def _trust_seconds() -> int:
    return int(current_app.config.get("FRAME_TRUST_SECONDS", 0))


def stand_in() -> FrameUser | None:
    """The stand-in for this session's account, when its snapshot may be trusted."""
    snapshot = session.get(SNAPSHOT_KEY)
    token = session.get("_user_id")
    if not snapshot or not token or "_flashes" in session:
        return None
    try:
        user_id, snap_token, name = snapshot["i"], snapshot["t"], snapshot["n"]
        roles, written = tuple(snapshot["r"]), snapshot["at"]
    except (KeyError, TypeError):
        return None
    if snap_token != token or PERSONAL_ROLES.intersection(roles):
        return None
    if not 0 <= time.time() - written < _trust_seconds():
        return None
    ended = _ended_sessions.get().get(user_id)
    if ended is not None and written <= ended:
        return None  # written before the account's sessions ended: maybe a copied cookie
    return FrameUser(user_id, token, name, roles)


class _EndedSessions:
    """{account id: when its sessions ended (epoch seconds)} for ends within FRAME_TRUST_SECONDS."""

    def __init__(self):
        self._lock = Lock()
        self._ended: dict[int, float] = {}
        self._read_at = float("-inf")

    def forget(self) -> None:
        with self._lock:
            self._read_at = float("-inf")

    def get(self) -> dict[int, float]:
        with self._lock:
            if time.monotonic() - self._read_at <= ENDED_CHECK_SECONDS:
                return self._ended
        from bebeli.extensions import db

        since = datetime.now(timezone.utc) - timedelta(seconds=_trust_seconds())
        rows = db.session.execute(sa.select(User.id, User.sessions_ended_at).where(User.sessions_ended_at >= since))
        ended = {user_id: at.timestamp() for user_id, at in rows}
        with self._lock:
            self._ended, self._read_at = ended, time.monotonic()
        return ended


_ended_sessions = _EndedSessions()


def note_sessions_ended(db_session) -> None:
    """Called by `end_sessions`: once its transaction commits, this worker rereads the list."""
    db_session.info["sessions_ended"] = True


def _after_commit(db_session) -> None:
    if db_session.info.pop("sessions_ended", False):
        _ended_sessions.forget()


def _after_rollback(db_session) -> None:
    db_session.info.pop("sessions_ended", None)


def _install_stand_in() -> None:
    if request.method != "GET" or _trust_seconds() <= 0:
        return
    view = current_app.view_functions.get(request.endpoint)
    if not getattr(view, "shares_frame", False):
        return
    user = stand_in()
    if user is not None:
        g._login_user = user
        g.csrf_token = marks()[1]  # Flask-WTF hands out g.csrf_token: every form gets the mark


def _finish_frame(response):
    """Stamp a page rendered for a stand-in (its error pages too); after a request that loaded
    the real account, keep the snapshot current."""
    user = g.get("_login_user")
    if isinstance(user, FrameUser):
        g.pop("csrf_token", None)
        if response.mimetype == "text/html" and not response.direct_passthrough:
            response.set_data(stamp(response.get_data(), user.real_name, generate_csrf()))
        return response
    if user is None:
        return response  # nothing loaded the account: nothing new to say about it
    state = sa.inspect(user, raiseerr=False)
    if state is not None and not SNAPSHOT_COLUMNS <= state.dict.keys():
        return response  # expired by the view's commit: a later request writes the snapshot
    if not user.is_authenticated:
        session.pop(SNAPSHOT_KEY, None)
        return response
    previous = session.get(SNAPSHOT_KEY) or {}
    now = int(time.time())
    current = {"i": user.id, "t": user.get_id(), "n": user.name, "r": user.role_names}
    if any(previous.get(k) != v for k, v in current.items()) or now - previous.get("at", 0) >= _trust_seconds() / 2:
        session[SNAPSHOT_KEY] = {**current, "at": now}
    return response


def init_app(app: Flask) -> None:
    """Before every other hook, so that none of them loads the account of a shared page."""
    app.before_request_funcs.setdefault(None, []).insert(0, _install_stand_in)
    app.after_request(_finish_frame)
    if not sa.event.contains(Session, "after_commit", _after_commit):
        sa.event.listen(Session, "after_commit", _after_commit)
        sa.event.listen(Session, "after_rollback", _after_rollback)
