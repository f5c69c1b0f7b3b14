"""Redis is optional at run time: one client per app, with short timeouts and a circuit breaker.

Redis holds the shared page cache (bebeli.catalog.cache) and the rate-limit counters
(Flask-Limiter's own storage, see config.py). Neither is needed to answer a request: a page
is rendered (and kept in the worker's own cache) without it, and the limiter counts in the
worker's memory while its storage is away. What must not happen is every request waiting on
a Redis that is down or hung, so every call here

- has a short connect and read timeout (REDIS_SOCKET_TIMEOUT) and no retries of redis-py's
  own (its default retries three times with backoff, seconds per request on a hung server);
- goes through a pybreaker circuit breaker: after REDIS_BREAKER_FAIL_MAX failures in a row
  the breaker opens and calls fail at once, without touching the network, for
  REDIS_BREAKER_RESET_SECONDS; then one call is let through to try Redis again, and its
  success closes the breaker.

The breaker is per worker process, like the page cache it protects. /readyz reports Redis as
"degraded" (with the reason) while it is open or failing: the server still serves.
"""
from __future__ import annotations

import logging

import pybreaker
import redis
from flask import Flask
from redis.backoff import NoBackoff
from redis.exceptions import DataError, RedisError, ResponseError
from redis.retry import Retry

from bebeli.metrics.instruments import breaker_state

log = logging.getLogger(__name__)

# What a caller catches: Redis failed, or the breaker is open and Redis was not asked.
UNAVAILABLE = (RedisError, pybreaker.CircuitBreakerError)


class _LogChanges(pybreaker.CircuitBreakerListener):
    def state_change(self, cb, old_state, new_state) -> None:
        breaker_state(new_state.name)
        level = logging.INFO if new_state.name == pybreaker.STATE_CLOSED else logging.WARNING
        log.log(level, "redis circuit breaker %s -> %s", getattr(old_state, "name", None), new_state.name)

    def failure(self, cb, exc) -> None:
        log.warning("redis call failed: %r", exc)  # the details (address) stay in the log
        cb.last_failure = exc.__class__.__name__


class GuardedRedis:
    """A redis client whose calls go through a circuit breaker: `call(fn, *args)` runs
    `fn(client, *args)`, or raises one of UNAVAILABLE."""

    def __init__(self, url: str, *, timeout: float, fail_max: int, reset_seconds: float):
        self.client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout,
                                           retry=Retry(NoBackoff(), 0))
        # A wrong command or value is a bug of ours, not Redis being away: it does not count.
        self.breaker = pybreaker.CircuitBreaker(fail_max=fail_max, reset_timeout=reset_seconds, name="redis",
                                                exclude=[ResponseError, DataError], listeners=[_LogChanges()])
        self.breaker.last_failure = ""
        breaker_state(self.breaker.current_state)

    def call(self, fn, *args, **kwargs):
        return self.breaker.call(fn, self.client, *args, **kwargs)

    @property
    def state(self) -> str:
        """"closed" (in use), "open" (skipped) or "half-open" (being tried again)."""
        return self.breaker.current_state

    def degraded_reason(self, error: Exception) -> str:
        """Why Redis is not in use, for /readyz: the kind of failure, never its details."""
        if isinstance(error, pybreaker.CircuitBreakerError):
            return f"circuit open after {self.breaker.last_failure or 'a failure'}"
        return error.__class__.__name__


def guarded_redis(app: Flask) -> GuardedRedis:
    """The app's one guarded client (and connection pool), shared by the page cache and /readyz."""
    guarded = app.extensions.get("bebeli_redis")
    if guarded is None:
        guarded = app.extensions["bebeli_redis"] = GuardedRedis(
            app.config["REDIS_URL"], timeout=app.config["REDIS_SOCKET_TIMEOUT"],
            fail_max=app.config["REDIS_BREAKER_FAIL_MAX"], reset_seconds=app.config["REDIS_BREAKER_RESET_SECONDS"])
    return guarded
