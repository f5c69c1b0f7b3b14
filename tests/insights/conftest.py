import pytest

from bebeli.extensions import db


@pytest.fixture
def ctx(data_app):
    """Inside a request context: the order services format translated messages."""
    with data_app.test_request_context():
        yield
        db.session.rollback()
