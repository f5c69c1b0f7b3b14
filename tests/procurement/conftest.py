import pytest

from bebeli.extensions import db


@pytest.fixture
def ctx(data_app):
    """The suite's `ctx`, inside a request context: services format translated messages, and
    the locale is chosen per request."""
    with data_app.test_request_context():
        yield
        db.session.rollback()
