"""Configuration classes, read from the environment.

`create_app("production")` refuses to start without a real SECRET_KEY and DATABASE_URL, and
without real Stripe keys (the simulated payment screen is for development and the demo only).
"""
from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret")
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'bebeli.sqlite3'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    SQLALCHEMY_RECORD_QUERIES = False

    # Deploying region: regency codes (Kemendagri) and the areaid province/regency names
    # that give kecamatan and kelurahan lists. Any regency can deploy BEBELI by changing these.
    REGION_NAME = os.environ.get("REGION_NAME", "Kabupaten Bekasi")
    REGION_REGENCY_CODES = tuple(
        c.strip() for c in os.environ.get("REGION_REGENCY_CODES", "32.16,32.75").split(",") if c.strip()
    )
    REGION_PROVINCE = os.environ.get("REGION_PROVINCE", "Jawa Barat")
    REGION_REGENCIES = tuple(
        c.strip()
        for c in os.environ.get("REGION_REGENCIES", "Kabupaten Bekasi,Kota Bekasi").split(",")
        if c.strip()
    )

    # Sessions and cookies
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False
    REMEMBER_COOKIE_DURATION = timedelta(days=14)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    WTF_CSRF_TIME_LIMIT = 3600 * 8
    PREFERRED_URL_SCHEME = "http"
    FORCE_HTTPS = False

    # i18n: Bahasa Indonesia first, English second; times shown in Asia/Jakarta
    BABEL_DEFAULT_LOCALE = "id"
    BABEL_DEFAULT_TIMEZONE = "Asia/Jakarta"
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "translations")
    LANGUAGES = ("id", "en")

    # Login protection (per IP and per account by Flask-Limiter, then lockout in the database)
    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL", "memory://")
    RATELIMIT_STRATEGY = "moving-window"
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_LIMIT_PER_IP = os.environ.get("LOGIN_LIMIT_PER_IP", "20 per minute;200 per hour")
    LOGIN_LIMIT_PER_ACCOUNT = os.environ.get("LOGIN_LIMIT_PER_ACCOUNT", "10 per minute")
    LOGIN_MAX_FAILURES = _env_int("LOGIN_MAX_FAILURES", 5)
    LOGIN_LOCKOUT_MINUTES = _env_int("LOGIN_LOCKOUT_MINUTES", 15)
    PASSWORD_RESET_MAX_AGE = _env_int("PASSWORD_RESET_MAX_AGE", 3600)
    PASSWORD_MIN_LENGTH = 10

    # Mail: every message goes through the outbox table; the backend delivers it.
    # "log" writes it to the log (and the dev outbox page shows it); "smtp" sends it.
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "log")
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = _env_int("MAIL_PORT", 587)
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS", True)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "BEBELI <noreply@bebeli.local>")
    DEV_OUTBOX = False

    # Uploads
    UPLOAD_DIR = os.environ.get("UPLOAD_DIR", str(INSTANCE_DIR / "uploads"))
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024
    ASN_IMPORT_MAX_ROWS = _env_int("ASN_IMPORT_MAX_ROWS", 20000)
    ASN_IMPORT_BATCH_HOURS = _env_int("ASN_IMPORT_BATCH_HOURS", 24)  # an unconfirmed preview expires

    # Stripe (payments); without keys a simulated gateway stands in (never in production)
    STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
    STRIPE_PUBLISHABLE_KEY = os.environ.get("STRIPE_PUBLISHABLE_KEY", "")
    STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
    STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "")

    PAGE_SIZE = 25
    LOG_JSON = _env_bool("LOG_JSON", False)


class DevelopmentConfig(Config):
    DEBUG = False  # the Werkzeug debugger is never on by default; `flask run --debug` turns it on
    DEV_OUTBOX = True


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing-secret-key"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite:///:memory:")
    RATELIMIT_STORAGE_URI = "memory://"
    DEV_OUTBOX = True
    WTF_CSRF_ENABLED = True
    UPLOAD_DIR = os.environ.get("TEST_UPLOAD_DIR", "/tmp/bebeli-test-uploads")


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    FORCE_HTTPS = _env_bool("FORCE_HTTPS", True)
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "smtp")
    LOG_JSON = _env_bool("LOG_JSON", True)

    @classmethod
    def validate(cls) -> None:
        problems = []
        secret = os.environ.get("SECRET_KEY", "")
        if len(secret) < 32 or secret == Config.SECRET_KEY:
            problems.append("SECRET_KEY must be set to a random value of at least 32 characters")
        if not os.environ.get("DATABASE_URL"):
            problems.append("DATABASE_URL must be set (PostgreSQL)")
        if not os.environ.get("STRIPE_SECRET_KEY") or not os.environ.get("STRIPE_WEBHOOK_SECRET"):
            problems.append(
                "STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET must be set: "
                "the simulated payment screen is not allowed in production"
            )
        if problems:
            raise RuntimeError("Refusing to start in production: " + "; ".join(problems))


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}
