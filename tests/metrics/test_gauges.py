"""The database pool and Redis breaker gauges follow what happens in this worker."""
from __future__ import annotations

import sqlalchemy as sa

from bebeli import create_app
from bebeli.extensions import db
from tests.metrics.helpers import TOKEN, scrape, value


def test_the_pool_gauges_count_connections_while_they_are_checked_out(app):
    fresh = create_app("testing", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"], METRICS_TOKEN=TOKEN)
    seen = {}

    def holding():
        from bebeli.metrics.collectors import exposition

        with db.engine.connect() as connection:  # this request now holds a connection
            connection.execute(sa.text("SELECT 1"))
            seen["inside"] = exposition().decode()
        return "ok"

    fresh.add_url_rule("/__holding", "metrics_test_holding", holding)
    client = fresh.test_client()
    before = value(scrape(client), "bebeli_db_pool_in_use")
    assert client.get("/__holding").status_code == 200
    assert value(seen["inside"], "bebeli_db_pool_in_use") == before + 1
    assert value(scrape(client), "bebeli_db_pool_in_use") == before  # given back at the end of the request
    with fresh.app_context():
        pool = db.engine.pool
    if hasattr(pool, "size"):  # a QueuePool (PostgreSQL, a SQLite file)
        assert value(seen["inside"], "bebeli_db_pool_capacity") == pool.size() + pool._max_overflow


def test_the_breaker_gauge_follows_the_redis_breaker(app):
    from bebeli.redisguard import guarded_redis

    port_nobody_listens_on = 9  # discard: refused at once on this machine
    fresh = create_app("testing", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"], METRICS_TOKEN=TOKEN,
                       REDIS_URL=f"redis://127.0.0.1:{port_nobody_listens_on}/0", REDIS_BREAKER_RESET_SECONDS=60)
    client = fresh.test_client()
    guarded = guarded_redis(fresh)
    assert guarded.state == "closed"
    text = scrape(client)  # the readiness probe finds Redis away: the breaker opens
    assert guarded.state == "open"
    assert value(text, "bebeli_redis_breaker_state") == 2
    assert value(text, "bebeli_dependency_up", dependency="redis") == 0 and value(text, "bebeli_ready") == 1
    guarded.breaker.close()
    assert value(scrape_without_redis(client), "bebeli_redis_breaker_state") == 0


def scrape_without_redis(client) -> str:
    """A scrape whose readiness probe does not open the breaker again (Redis no longer configured)."""
    client.application.config["REDIS_URL"] = ""
    return scrape(client)


def test_a_connection_killed_in_use_is_given_back_to_the_count(app):
    import pytest

    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("pg_terminate_backend: PostgreSQL only")
    from bebeli.metrics.collectors import exposition

    fresh = create_app("testing", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])
    with fresh.app_context():
        engine = db.engine
        before = value(exposition().decode(), "bebeli_db_pool_in_use")
        victim = engine.connect()
        backend = victim.execute(sa.text("SELECT pg_backend_pid()")).scalar()
        assert value(exposition().decode(), "bebeli_db_pool_in_use") == before + 1
        with engine.connect() as killer:
            killer.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": backend})
            killer.commit()
        with pytest.raises(sa.exc.OperationalError):
            victim.execute(sa.text("SELECT 1"))
        victim.close()
        with engine.connect() as fresh_connection:  # pre-ping replaces the dead one unnoticed
            fresh_connection.execute(sa.text("SELECT 1"))
        assert value(exposition().decode(), "bebeli_db_pool_in_use") == before
