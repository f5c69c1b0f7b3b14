"""What an ASN's home page and the checkout show of their quota, computed by the views that
render those pages (templates query nothing)."""
from __future__ import annotations

from datetime import timedelta
from threading import Lock

from cachetools import TTLCache
from flask import current_app

from bebeli.dates import month_start, parse_month
from bebeli.quotas import asn_reports, services
from bebeli.quotas.obligations import Scope

# The closed months on an ASN's home page change only when a late refund reaches back into
# one, so each worker keeps them for QUOTA_HOME_HISTORY_SECONDS: the home page then computes
# only the open month (the full history page, /kuota/saya, always computes afresh).
_home_history: dict[int, TTLCache] = {}  # by lifetime in seconds: one cache in practice
_home_history_lock = Lock()


def home_history(user, months: int = 5) -> list[dict]:
    """The ASN's `months` months before this one, newest first, for their home page."""
    current = parse_month(None)
    seconds = current_app.config["QUOTA_HOME_HISTORY_SECONDS"]
    key = (user.id, current, months)
    if seconds:
        with _home_history_lock:
            cache = _home_history.setdefault(seconds, TTLCache(maxsize=20_000, ttl=seconds))
            rows = cache.get(key)
        if rows is not None:
            return rows
    previous = month_start(current - timedelta(days=1))
    rows = asn_reports.history(previous, Scope(user_id=user.id), months=months).rows
    if seconds:
        with _home_history_lock:
            cache[key] = rows
    return rows


def home_panel(user) -> dict:
    """For templates/quotas/_asn_progress.html: this month's progress (None when the user has
    no obligation this month) and, only then, the months before it."""
    progress = services.progress_for(user)
    return {"quota_progress": progress, "quota_history": home_history(user) if progress else []}


def checkout_room(user) -> dict:
    """For templates/quotas/_ceiling_room.html: the ceiling and the room left, or None."""
    return {"quota_room": services.quota_room_for(user)}
