"""Every comparison that decides money, tax or an obligation, tested at its boundary and one
step either side: a rule written `>=` where `>` was meant (or the reverse) fails here."""
import pytest

from bebeli.extensions import db


@pytest.fixture
def ctx(data_app):
    """Inside a request context on the test's own app: services format translated messages."""
    with data_app.test_request_context():
        yield
        db.session.rollback()


@pytest.fixture
def config(data_app, monkeypatch):
    """Set a configuration value for the services the test calls (they run on `data_app`)."""
    def set_value(key, value):
        monkeypatch.setitem(data_app.config, key, value)
    return set_value


@pytest.fixture(autouse=True)
def _statements_built_afresh():
    """A statement built once per process (one person's month, in the quota services) is built
    again for each test here, so each test runs the rules it is about whatever ran before it
    (a mutation tool also learns from this which tests reach which rule)."""
    from bebeli.quotas import services

    services._one_person_month.cache_clear()
