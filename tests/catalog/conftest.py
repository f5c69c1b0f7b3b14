"""The catalog tests' page cache switch."""
import pytest

from bebeli.catalog.cache import page_cache
from bebeli.catalog.models import CatalogState
from bebeli.extensions import db


@pytest.fixture
def cache_on(app, ctx):
    """The page cache on for one test, empty, at catalog generation 0."""
    app.config["CATALOG_CACHE_SECONDS"] = 60
    with app.app_context():
        page_cache().clear()
    db.session.merge(CatalogState(id=1, generation=0))  # the table is emptied between tests
    db.session.commit()
    yield
    app.config["CATALOG_CACHE_SECONDS"] = 0
