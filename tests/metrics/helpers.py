"""Reading a scrape: the value of one series, or every series of a text exposition."""
from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

TOKEN = "test-metrics-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def series(text: str) -> dict[tuple[str, tuple], float]:
    """{(sample name, sorted labels): value} of an exposition."""
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def value(text: str, name: str, **labels) -> float:
    """The sample `name` with exactly these labels (0 when absent: a counter not yet touched)."""
    return series(text).get((name, tuple(sorted(labels.items()))), 0.0)


def scrape(client) -> str:
    response = client.get("/metrics", headers=AUTH)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)
