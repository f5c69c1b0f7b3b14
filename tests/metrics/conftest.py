import pytest

from tests.metrics.helpers import TOKEN


@pytest.fixture
def metrics_token(app, monkeypatch):
    """The session's app accepts the test token for /metrics (no address is allowed in tests)."""
    monkeypatch.setitem(app.config, "METRICS_TOKEN", TOKEN)
    return TOKEN
