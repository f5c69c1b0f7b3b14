"""The fault-injection suite runs the app under real gunicorn against PostgreSQL and Redis.
It runs in the PostgreSQL pass of `make test` (TEST_DATABASE_URL set) when a Redis answers at
TEST_REDIS_URL (default redis://127.0.0.1:6379/0), and is skipped otherwise. Its database is
its own: TEST_DATABASE_URL's name + "_faults", dropped at the end."""
from __future__ import annotations

import os

import pytest
import sqlalchemy as sa

from tests.faults.harness import FaultDatabase, answers, redis_answers

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def pytest_collection_modifyitems(config, items):
    here = os.path.dirname(__file__)
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(pytest.mark.faults)


@pytest.fixture(scope="session")
def fault_db():
    if not TEST_DATABASE_URL.startswith("postgresql"):
        pytest.skip("fault-injection suite: needs PostgreSQL (TEST_DATABASE_URL)")
    if not answers(TEST_DATABASE_URL):
        pytest.skip(f"fault-injection suite: no PostgreSQL answers at {TEST_DATABASE_URL}")
    if not redis_answers(REDIS_URL):
        pytest.skip(f"fault-injection suite: no Redis answers at {REDIS_URL}")
    url = sa.engine.make_url(TEST_DATABASE_URL)
    database = FaultDatabase(url.set(database=f"{url.database}_faults").render_as_string(hide_password=False))
    database.create()
    yield database
    database.drop()


@pytest.fixture(scope="session")
def redis_url():
    return REDIS_URL
