"""Fixtures of the security suites: one town per module (see world.py), a logged-in test client
per persona, and a fingerprint of every table to prove that refused requests wrote nothing.

The suite's per-test emptying of tables is replaced here by per-module emptying: the requests
these tests send are all refused (or read-only), so one data set serves hundreds of them.
"""
from __future__ import annotations

import hashlib

import pytest

from bebeli.extensions import db, limiter
from tests.conftest import _empty_all_tables
from tests.factories import TEST_PASSWORD
from tests.security.world import ANONYMOUS, PERSONAS, World, build_world


@pytest.fixture(autouse=True)
def _fresh_database():
    """Overrides the suite's per-test emptying; `world` empties the tables once per module."""
    yield


@pytest.fixture(scope="module")
def world(app, data_app) -> World:
    with data_app.test_request_context():
        town = build_world()
        db.session.remove()
    yield town
    with app.app_context():
        _empty_all_tables()
    limiter.reset()


@pytest.fixture(scope="module")
def personas(app, world) -> dict:
    """A test client per persona, each logged in once for the whole module."""
    clients = {ANONYMOUS: app.test_client()}
    for persona in PERSONAS[1:]:
        client = app.test_client()
        client.login(world.logins[persona], TEST_PASSWORD)
        clients[persona] = client
    limiter.reset()
    return clients


def _rows(table) -> list[tuple]:
    order = list(table.primary_key.columns) or list(table.columns)  # association tables have no key
    return [tuple(row) for row in db.session.execute(table.select().order_by(*order))]


def table_fingerprints() -> dict[str, str]:
    """{table: digest of all its rows}: any insert, update or delete changes its table's digest."""
    db.session.expire_all()
    prints = {table.name: hashlib.sha1(repr(_rows(table)).encode()).hexdigest()
              for table in db.metadata.sorted_tables}
    db.session.rollback()
    return prints


@pytest.fixture(scope="module")
def fingerprint(data_app, world):
    """A function returning the current table fingerprints (read through the data app)."""

    def take() -> dict[str, str]:
        with data_app.app_context():
            return table_fingerprints()

    return take
