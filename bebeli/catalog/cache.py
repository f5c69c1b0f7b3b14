"""Caches for catalog pages: whole pages for visitors who are not signed in, and the
shared pieces of pages (results, product grids) for everyone.

A cached piece is keyed by the catalog generation, a counter in `catalog_state` moved after
every commit that wrote a product, image, category, shop or certificate through the ORM,
whichever module did it. So a product taken down, a shop suspended or a price changed is
not served stale: the worker that committed renders afresh on its next request, the others
within GENERATION_CHECK_SECONDS. Changes made behind the ORM's back (the checkout's
conditional stock UPDATE) show within CATALOG_CACHE_SECONDS. Whole pages (a 200 GET, no
flash message waiting) are cached for visitors, and for signed-in buyers rendered once per
set of roles with marks where the name and CSRF token go (bebeli.auth.frame stamps each
viewer's own in). Administrators and sellers get their own page around cached pieces that
are the same for everyone.

Each worker process keeps its own LRU, bounded in entries and in bytes. With REDIS_URL, Redis
holds the same entries for every worker and server (SharedCache): a page rendered by one is
served by all, and the generation in every key invalidates them all at once. Redis is
reached through bebeli.redisguard: short timeouts and a circuit breaker, so with Redis down
or hung pages come from the worker's own cache (or are rendered) at their usual speed.
"""
from __future__ import annotations

import hashlib
import logging
import time
from collections import OrderedDict
from functools import wraps
from itertools import chain
from threading import Lock
from typing import Callable

import sqlalchemy as sa
from flask import Response, current_app, g, request, session
from flask_babel import get_locale
from flask_login import current_user
from flask_sqlalchemy.session import Session
from markupsafe import Markup
from sqlalchemy import event

from bebeli.auth.frame import FrameUser
from bebeli.catalog.models import CatalogState, Category, Product, ProductImage
from bebeli.redisguard import UNAVAILABLE
from bebeli.sellers.models import Shop, ShopCertificate

log = logging.getLogger(__name__)
MAX_ENTRIES = 10_000
MAX_BYTES = 64 * 1024 * 1024  # per worker
WATCHED = (Product, ProductImage, Category, Shop, ShopCertificate)


# How long a worker trusts the generation it last read. Writes committed in this process are
# seen at once; writes from another worker within this many seconds. It keeps a cached page
# free of any database round trip under load.
GENERATION_CHECK_SECONDS = 1.0


@event.listens_for(Session, "after_flush")
def _note_catalog_change(session, flush_context) -> None:
    if any(isinstance(obj, WATCHED) for obj in chain(session.new, session.dirty, session.deleted)):
        session.info["catalog_changed"] = True


def mark_catalog_changed() -> None:
    """Drop cached catalog pages when this transaction commits: for writes the ORM does not see
    as changes of WATCHED rows (a conditional UPDATE of a product's rating, a review)."""
    from bebeli.extensions import db

    db.session.info["catalog_changed"] = True


@event.listens_for(Session, "after_commit")
def _bump_generation(session) -> None:
    """Move the generation once the change is committed, in its own short transaction: no
    lock is held through the writer's transaction, and whoever reads the new generation
    also reads the new data."""
    if session.in_nested_transaction():
        return  # a savepoint released inside a larger transaction: the flag waits for its commit
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


def _size(value) -> int:
    return len(value[0]) if isinstance(value, tuple) else len(value)


class SharedCache:
    """The cache all workers and servers share, in Redis: a page rendered by one is served by
    every other. Values carry the time they were rendered, so a copy taken into a worker's own
    LRU expires when the original does. Redis failing costs a rendering, never a request;
    while its circuit breaker is open Redis is not asked at all."""

    def __init__(self, redis, prefix: str):
        self.redis, self.prefix = redis, prefix  # a bebeli.redisguard.GuardedRedis
        self._quiet_until = 0.0

    def _name(self, key: tuple) -> str:
        return f"{self.prefix}:page:{hashlib.sha256(repr(key).encode()).hexdigest()}"

    def _failed(self, action: str) -> None:
        if time.monotonic() >= self._quiet_until:  # one line a minute while Redis is away
            log.warning("shared page cache: %s failed; rendering instead", action, exc_info=True)
            self._quiet_until = time.monotonic() + 60

    def get(self, key: tuple) -> tuple[float, object] | None:
        """(seconds since it was rendered, value), or None."""
        try:
            blob = self.redis.call(lambda client, name: client.get(name), self._name(key))
        except UNAVAILABLE:
            self._failed("read")
            return None
        if not blob:
            return None
        kind, written, body = blob[:1], float(blob[1:18]), blob[18:]
        if kind == b"F":
            value = Markup(body.decode())
        else:
            mimetype, _, data = body.partition(b"\n")
            value = (data, mimetype.decode())
        return max(0.0, time.time() - written), value

    def put(self, key: tuple, value, ttl: int) -> None:
        if isinstance(value, tuple):
            kind, body = b"P", value[1].encode() + b"\n" + value[0]
        else:
            kind, body = b"F", str(value).encode()
        try:
            self.redis.call(lambda client, name, blob: client.set(name, blob, ex=ttl),
                            self._name(key), kind + f"{time.time():17.3f}".encode() + body)
        except UNAVAILABLE:
            self._failed("write")

    def clear(self) -> None:
        def clear_all(client):
            for name in client.scan_iter(f"{self.prefix}:page:*", count=500):
                client.delete(name)

        try:
            self.redis.call(clear_all)
        except UNAVAILABLE:
            self._failed("clear")


class PageCache:
    """An LRU of pages (bytes, mimetype) and fragments (Markup) that expire after a time to
    live, bounded in entries and in bytes; in front of the shared cache when there is one."""

    def __init__(self, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES,
                 shared: SharedCache | None = None):
        self.max_entries, self.max_bytes, self.shared = max_entries, max_bytes, shared
        self._entries: OrderedDict[tuple, tuple[float, object]] = OrderedDict()
        self._bytes = 0
        self._lock = Lock()  # gthread workers serve several requests at once

    def get(self, key: tuple, ttl: float):
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                if time.monotonic() - entry[0] <= ttl:
                    self._entries.move_to_end(key)
                    return entry[1]
                self._bytes -= _size(self._entries.pop(key)[1])
        if self.shared is not None and (found := self.shared.get(key)) is not None and found[0] <= ttl:
            age, value = found
            self._keep(key, value, time.monotonic() - age)
            return value
        return None

    def put(self, key: tuple, value, ttl: int | None = None) -> None:
        self._keep(key, value, time.monotonic())
        if self.shared is not None and ttl:
            self.shared.put(key, value, ttl)

    def _keep(self, key: tuple, value, stamp: float) -> None:
        with self._lock:
            previous = self._entries.pop(key, None)
            if previous is not None:
                self._bytes -= _size(previous[1])
            self._entries[key] = (stamp, value)
            self._bytes += _size(value)
            while len(self._entries) > self.max_entries or (self._bytes > self.max_bytes and len(self._entries) > 1):
                self._bytes -= _size(self._entries.popitem(last=False)[1][1])

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0
        if self.shared is not None:
            self.shared.clear()


def page_cache() -> PageCache:
    app = current_app._get_current_object()
    cache = app.extensions.get("bebeli.page_cache")
    if cache is None:
        shared = None
        if app.config.get("REDIS_URL"):
            from bebeli.redisguard import guarded_redis

            shared = SharedCache(guarded_redis(app), app.config["CACHE_KEY_PREFIX"])
        cache = app.extensions["bebeli.page_cache"] = PageCache(shared=shared)
    return cache


def _read_generation() -> int | None:
    from bebeli.extensions import db

    return db.session.scalar(sa.select(CatalogState.generation).where(CatalogState.id == 1))


def _ttl() -> int:
    return current_app.config.get("CATALOG_CACHE_SECONDS", 0)


def _url_key(*parts, scope: str | None = None) -> tuple | None:
    """Key for what this URL (or `scope`) shows in this language at this catalog generation
    (None: don't cache)."""
    if not _ttl() or request.method != "GET":
        return None
    generation = _generation_memo.get(_read_generation)
    if generation is None:
        return None
    return (*parts, generation, str(get_locale()), request.full_path if scope is None else scope)


def cached_page(*, shares_frame: bool):
    """Serve the view's whole page from the cache to visitors who are not signed in and, with
    `shares_frame`, to signed-in buyers too: they get the page rendered once for everyone with
    the same roles, which bebeli.auth.frame stamps with their own name and CSRF token. Anyone
    else — an administrator, a seller, a snapshot too old to trust, a flash message waiting —
    gets the view's own rendering."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            viewer = g.get("_login_user")
            if isinstance(viewer, FrameUser):
                key = _url_key("page", "as", *viewer.role_names)
            elif "_flashes" in session or current_user.is_authenticated:
                key = None
            else:
                key = _url_key("page", "visitor")
            if key is not None and (hit := page_cache().get(key, _ttl())):
                response = Response(hit[0], mimetype=hit[1])
                response.headers["X-Cache"] = "HIT"
                return response
            response = current_app.make_response(view(*args, **kwargs))
            if key is not None and response.status_code == 200 and not response.direct_passthrough:
                page_cache().put(key, (response.get_data(), response.mimetype), _ttl())
                response.headers["X-Cache"] = "MISS"
            return response

        wrapped.shares_frame = shares_frame
        return wrapped

    return decorator


def cached_fragment(name: str, render: Callable[[], str], scope: str | None = None) -> Markup:
    """A piece of a page that every viewer of this URL sees alike (a page of results, a grid
    of products): cached for signed-in users too, whose pages are otherwise personal. With
    `scope`, the piece is shared by every URL that names the same scope (a shop's cards)."""
    key = _url_key("fragment", name, scope=scope)
    if key is not None and (hit := page_cache().get(key, _ttl())) is not None:
        return hit
    html = Markup(render())
    if key is not None:
        page_cache().put(key, html, _ttl())
    return html
