"""BEBELI — Bekasi Berani Beli: the e-catalog where local UMKM sell to civil servants and agencies."""
from __future__ import annotations

import importlib
from functools import lru_cache

from flask import Flask

from config import CONFIGS

# Every room with a blueprint, in registration order; its views attach routes to its `bp`.
BLUEPRINTS = (
    "main", "auth", "audit", "mail", "notifications", "directory", "sellers", "catalog",
    "cart", "lifecycle", "orders", "quotas", "procurement", "settlement", "reviews", "complaints", "sanctions", "jobs", "admin", "metrics",
    "insights", "growth", "pageviews",
)
# The rooms with tables: importing them makes every table known to metadata and Alembic.
MODELS = (
    "auth", "audit", "mail", "notifications", "directory", "sellers", "catalog",
    "cart", "orders", "payments", "quotas", "procurement", "settlement", "reviews", "complaints", "sanctions", "jobs",
    "insights", "pageviews",
)


def create_app(config: str | type = "development", **overrides) -> Flask:
    from bebeli.urls import App  # absolute links on PUBLIC_BASE_URL, never the request's Host

    app = App(__name__, template_folder="../templates", static_folder="../static", instance_relative_config=True)
    config_class = CONFIGS[config] if isinstance(config, str) else config
    if hasattr(config_class, "validate"):
        config_class.validate()
    app.config.from_object(config_class)
    app.config.update(overrides)

    register_extensions(app)
    register_blueprints(app)
    connect_receivers()
    register_errorhandlers(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    from bebeli import database, i18n, ids, metrics, observability, security
    from bebeli.auth import frame
    from bebeli.extensions import csrf, db, limiter, login_manager, migrate

    ids.init_app(app)  # the `id` URL converter, before any route uses it
    database.configure_engine_events()
    db.init_app(app)
    migrate.init_app(app, db, directory=str(app.root_path + "/../migrations"), compare_type=True)
    csrf.init_app(app)
    limiter.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    observability.init_app(app)
    metrics.init_app(app)

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    frame.init_app(app)

    from flask_babel import lazy_gettext as _l

    login_manager.login_message = _l("Silakan masuk untuk membuka halaman ini.")

    @login_manager.user_loader
    def load_user(token: str):
        return db.session.scalars(_account_by_token(), {"session_token": token}).unique().first()

    from bebeli.jobs.queue import init_app as init_jobs

    init_jobs(app)  # JOB_QUEUE, and inline jobs after the response


@lru_cache(maxsize=1)
def _account_by_token():
    """Every signed-in request loads its user: one query for the account, its roles and ASN
    profile (their agencies only when a page asks for them). Built once: the options cost more
    Python than the query costs PostgreSQL."""
    from sqlalchemy import bindparam, select
    from sqlalchemy.orm import joinedload, lazyload

    from bebeli.auth.models import RoleAssignment, User
    from bebeli.directory.models import AsnProfile

    return select(User).options(
        joinedload(User.roles).options(lazyload(RoleAssignment.agency)),
        joinedload(User.asn).options(lazyload(AsnProfile.agency), lazyload(AsnProfile.user)),
    ).where(User.session_token == bindparam("session_token"))


def warm_up(app: Flask) -> None:
    """Compile every template and load every language's messages now, once: gunicorn does it in
    the master before forking (gunicorn.conf.py), so each worker, a recycled one too, answers
    its first request as fast as its thousandth. No database or Redis connection is opened."""
    from flask_babel import force_locale, get_translations

    for name in app.jinja_env.list_templates(extensions=("html", "txt")):
        app.jinja_env.get_template(name)
    with app.test_request_context():
        for language in app.config["LANGUAGES"]:
            with force_locale(language):
                get_translations()


def register_blueprints(app: Flask) -> None:
    for name in MODELS:
        importlib.import_module(f"bebeli.{name}.models")
    for name in BLUEPRINTS:
        importlib.import_module(f"bebeli.{name}.views")
        app.register_blueprint(importlib.import_module(f"bebeli.{name}").bp)


def connect_receivers() -> None:
    from bebeli.wiring import connect_receivers as connect

    connect()


def register_errorhandlers(app: Flask) -> None:
    from bebeli.errors import register_error_handlers

    register_error_handlers(app)


def register_commands(app: Flask) -> None:
    from bebeli import cli

    cli.init_app(app)
