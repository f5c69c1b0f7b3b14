"""The schema comes only from migrations: the models must match what they build."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from bebeli.database import include_in_autogenerate
from bebeli.extensions import db


def test_models_match_migrations(app):
    with app.app_context(), db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True, "include_name": include_in_autogenerate}), db.metadata)
    assert diff == [], f"models differ from migrations; add a revision: {diff}"


def test_sqlite_pragmas(app):
    with app.app_context(), db.engine.connect() as conn:
        if conn.dialect.name != "sqlite":
            return
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
