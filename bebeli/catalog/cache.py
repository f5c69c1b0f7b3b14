"""Caches for catalog pages: whole pages for visitors who are not signed in, and the
shared pieces of pages (results, product grids) for everyone.

A cached piece is keyed by the catalog generation, a counter in `catalog_state` moved after
every commit that wrote a product, image, category, shop or certificate through the ORM,
whichever module did it. So a product taken down, a shop suspended or a price changed is
not served stale: the worker that committed renders afresh on its next request, the others
within GENERATION_CHECK_SECONDS. Changes made behind the ORM's back (the checkout's
conditional stock UPDATE) show within CATALOG_CACHE_SECONDS. Whole pages are cached only
for visitors (no flash message, a 200 GET): they carry no CSRF token or personal data.
Signed-in users get their own page around cached pieces that are the same for everyone.

Each worker process keeps its own bounded LRU; nothing is shared, nothing to invalidate.
"""
from __future__ import annotations

import logging
import time
from collections import OrderedDict
from functools import wraps
from itertools import chain
from threading import Lock
from typing import Callable

import sqlalchemy as sa
from flask import Response, current_app, request, session
from flask_babel import get_locale
from flask_login import current_user
from flask_sqlalchemy.session import Session
from markupsafe import Markup
from sqlalchemy import event

from bebeli.catalog.models import CatalogState, Category, Product, ProductImage
from bebeli.sellers.models import Shop, ShopCertificate

log = logging.getLogger(__name__)
MAX_ENTRIES = 2_000
WATCHED = (Product, ProductImage, Category, Shop, ShopCertificate)


# How long a worker trusts the generation it last read. Writes committed in this process are
# seen at once; writes from another worker within this many seconds. It keeps a cached page
# free of any database round trip under load.
GENERATION_CHECK_SECONDS = 1.0


@event.listens_for(Session, "after_flush")
def _note_catalog_change(session, flush_context) -> None:
    if any(isinstance(obj, WATCHED) for obj in chain(session.new, session.dirty, session.deleted)):
        session.info["catalog_changed"] = True


@event.listens_for(Session, "after_commit")
def _bump_generation(session) -> None:
    """Move the generation once the change is committed, in its own short transaction: no
    lock is held through the writer's transaction, and whoever reads the new generation
    also reads the new data."""
    if not session.info.pop("catalog_changed", False):
        return
    try:
        with session.get_bind(mapper=sa.inspect(CatalogState)).begin() as conn:
            conn.execute(sa.update(CatalogState.__table__).where(CatalogState.__table__.c.id == 1)
                         .values(generation=CatalogState.__table__.c.generation + 1))
    except sa.exc.SQLAlchemyError:
        log.exception("catalog generation not moved: cached pages refresh within CATALOG_CACHE_SECONDS")
    _generation_memo.forget()


@event.listens_for(Session, "after_rollback")
def _discard_change(session) -> None:
    session.info.pop("catalog_changed", None)


class _GenerationMemo:
    def __init__(self):
        self._lock = Lock()
        self._value: int | None = None
        self._read_at = float("-inf")

    def forget(self) -> None:
        with self._lock:
            self._read_at = float("-inf")

    def get(self, read) -> int | None:
        with self._lock:
            if time.monotonic() - self._read_at <= GENERATION_CHECK_SECONDS:
                return self._value
        value = read()
        with self._lock:
            self._value, self._read_at = value, time.monotonic()
        return value


_generation_memo = _GenerationMemo()


class PageCache:
    """A bounded LRU of values that expire after a time to live."""

    def __init__(self, max_entries: int = MAX_ENTRIES):
        self.max_entries = max_entries
        self._entries: OrderedDict[tuple, tuple[float, object]] = OrderedDict()
        self._lock = Lock()  # gthread workers serve several requests at once

    def get(self, key: tuple, ttl: float):
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if time.monotonic() - entry[0] > ttl:
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return entry[1]

    def put(self, key: tuple, value) -> None:
        with self._lock:
            self._entries[key] = (time.monotonic(), value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def page_cache() -> PageCache:
    app = current_app._get_current_object()
    cache = app.extensions.get("bebeli.page_cache")
    if cache is None:
        cache = app.extensions["bebeli.page_cache"] = PageCache()
    return cache


def _read_generation() -> int | None:
    from bebeli.extensions import db

    return db.session.scalar(sa.select(CatalogState.generation).where(CatalogState.id == 1))


def _ttl() -> int:
    return current_app.config.get("CATALOG_CACHE_SECONDS", 0)


def _url_key(*parts) -> tuple | None:
    """Key for what this URL shows in this language at this catalog generation (None: don't cache)."""
    if not _ttl() or request.method != "GET":
        return None
    generation = _generation_memo.get(_read_generation)
    if generation is None:
        return None
    return (*parts, generation, str(get_locale()), request.full_path)


def cached_for_visitors(view):
    """Serve the view's whole page from the cache to visitors who are not signed in."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        personal = current_user.is_authenticated or "_flashes" in session
        key = None if personal else _url_key("page")
        if key is not None and (hit := page_cache().get(key, _ttl())):
            response = Response(hit[0], mimetype=hit[1])
            response.headers["X-Cache"] = "HIT"
            return response
        response = current_app.make_response(view(*args, **kwargs))
        if key is not None and response.status_code == 200 and not response.direct_passthrough:
            page_cache().put(key, (response.get_data(), response.mimetype))
            response.headers["X-Cache"] = "MISS"
        return response

    return wrapped


def cached_fragment(name: str, render: Callable[[], str]) -> Markup:
    """A piece of a page that every viewer of this URL sees alike (a page of results, a grid
    of products): cached for signed-in users too, whose pages are otherwise personal."""
    key = _url_key("fragment", name)
    if key is not None and (hit := page_cache().get(key, _ttl())) is not None:
        return hit
    html = Markup(render())
    if key is not None:
        page_cache().put(key, html)
    return html
