"""A second app on the test database configured for Stripe, talking to the fake Stripe API."""
import pytest

from bebeli import create_app
from tests.conftest import Client
from tests.payments.fake_stripe import SECRET_KEY, WEBHOOK_SECRET, FakeStripe


@pytest.fixture(scope="session")
def stripe_app(app, database_uri):
    stripe_app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_uri, UPLOAD_DIR=app.config["UPLOAD_DIR"],
                            STRIPE_SECRET_KEY=SECRET_KEY, STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
                            STRIPE_HTTP_CLIENT=FakeStripe())
    stripe_app.test_client_class = Client
    return stripe_app


@pytest.fixture
def fake_stripe(stripe_app) -> FakeStripe:
    fake = stripe_app.config["STRIPE_HTTP_CLIENT"]
    fake.reset()
    return fake


@pytest.fixture
def stripe_client(stripe_app) -> Client:
    return stripe_app.test_client()
