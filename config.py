"""Configuration classes, read from the environment.

`create_app("production")` refuses to start without a real SECRET_KEY and DATABASE_URL, and
without real Stripe keys (the simulated payment screen is for development and the demo only).
"""
from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from redis.backoff import NoBackoff
from redis.retry import Retry

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = BASE_DIR / "instance"


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def _env_float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value not in (None, "") else default


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEV_SECRET_KEY = "dev-only-not-secret"


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
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
    # Redis holds the rate-limit counters so that several app servers count as one.
    REDIS_URL = os.environ.get("REDIS_URL", "")
    # Redis is optional at run time (bebeli.redisguard): every call has this connect and read
    # timeout in seconds and no retries; after REDIS_BREAKER_FAIL_MAX failures in a row the
    # circuit breaker skips Redis for REDIS_BREAKER_RESET_SECONDS, then tries it again.
    REDIS_SOCKET_TIMEOUT = _env_float("REDIS_SOCKET_TIMEOUT", 0.25)
    REDIS_BREAKER_FAIL_MAX = _env_int("REDIS_BREAKER_FAIL_MAX", 1)
    REDIS_BREAKER_RESET_SECONDS = _env_float("REDIS_BREAKER_RESET_SECONDS", 30.0)
    RATELIMIT_STORAGE_URI = REDIS_URL or "memory://"
    # Never hang a worker: the limiter's own Redis client has the same short timeouts, no retries.
    RATELIMIT_STORAGE_OPTIONS = {"socket_timeout": REDIS_SOCKET_TIMEOUT, "socket_connect_timeout": REDIS_SOCKET_TIMEOUT,
                                 "retry": Retry(NoBackoff(), 0)}
    # With its storage (Redis) failing, Flask-Limiter keeps counting every limit in the worker's
    # memory (per IP and per account, as the routes declare them) and tries the storage again
    # with growing pauses; any other storage error is logged, never a 500, in every config.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True
    RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "bebeli")
    RATELIMIT_STRATEGY = "moving-window"
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_LIMIT_PER_IP = os.environ.get("LOGIN_LIMIT_PER_IP", "20 per minute;200 per hour")
    LOGIN_LIMIT_PER_ACCOUNT = os.environ.get("LOGIN_LIMIT_PER_ACCOUNT", "10 per minute")
    LOGIN_MAX_FAILURES = _env_int("LOGIN_MAX_FAILURES", 5)
    LOGIN_LOCKOUT_MINUTES = _env_int("LOGIN_LOCKOUT_MINUTES", 15)
    # argon2.profiles entry for new password hashes; logins rehash older ones.
    PASSWORD_HASH_PROFILE = "RFC_9106_LOW_MEMORY"
    PASSWORD_RESET_MAX_AGE = _env_int("PASSWORD_RESET_MAX_AGE", 3600)
    PASSWORD_MIN_LENGTH = 10
    # Email addresses at the reserved .test domain (the demo accounts) are accepted; never in
    # production, where such an address is refused with the reason.
    EMAIL_ALLOW_TEST_DOMAIN = True
    # zxcvbn's score (0–4) a new password must reach: 3 resists an offline attack on a slow hash.
    PASSWORD_MIN_SCORE = _env_int("PASSWORD_MIN_SCORE", 3)

    # Two-step login (TOTP) for administrators; the secret is encrypted with TOTP_ENCRYPTION_KEY
    # (or, when unset, a key derived from SECRET_KEY).
    ADMIN_TOTP_REQUIRED = _env_bool("ADMIN_TOTP_REQUIRED", True)
    TOTP_ISSUER = os.environ.get("TOTP_ISSUER", "BEBELI")
    TOTP_ENCRYPTION_KEY = os.environ.get("TOTP_ENCRYPTION_KEY", "")
    TOTP_LIMIT_PER_ACCOUNT = os.environ.get("TOTP_LIMIT_PER_ACCOUNT", "5 per minute;30 per hour")
    # Reverse proxies in front of the app whose X-Forwarded-For/-Proto are believed.
    TRUSTED_PROXY_COUNT = _env_int("TRUSTED_PROXY_COUNT", 0)

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

    # Background jobs (bebeli/jobs): "procrastinate" — a queue in PostgreSQL, worked by
    # `flask worker`, jobs written in the transaction that causes them — or "inline" — the job
    # runs in the web process after the request's commit (SQLite, development). Empty: procrastinate
    # on PostgreSQL, inline otherwise.
    JOB_QUEUE = os.environ.get("JOB_QUEUE", "")
    JOB_WORKER_CONCURRENCY = _env_int("JOB_WORKER_CONCURRENCY", 1)

    # Uploads
    UPLOAD_DIR = os.environ.get("UPLOAD_DIR", str(INSTANCE_DIR / "uploads"))
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024
    # Largest image decoded, in pixels: a phone photo (12–24 MP) passes; a bigger bitmap costs
    # seconds of CPU and hundreds of MB and is refused from its header before decoding.
    IMAGE_MAX_PIXELS = _env_int("IMAGE_MAX_PIXELS", 25_000_000)
    # Where uploads live: "local" (UPLOAD_DIR, served by the app) or "s3" (any S3-compatible
    # store; needs boto3 and the usual AWS_* credentials in the environment).
    STORAGE_BACKEND = os.environ.get("STORAGE_BACKEND", "local")
    S3_BUCKET = os.environ.get("S3_BUCKET", "")
    S3_ENDPOINT_URL = os.environ.get("S3_ENDPOINT_URL", "")
    S3_PUBLIC_URL = os.environ.get("S3_PUBLIC_URL", "")  # e.g. a CDN in front of the bucket
    # Catalog pages are cached per worker for this many seconds (whole pages for visitors and,
    # with their own name and CSRF token stamped in, for signed-in buyers); any catalog write
    # through the app invalidates them at once (0 turns it off).
    CATALOG_CACHE_SECONDS = _env_int("CATALOG_CACHE_SECONDS", 30)
    # How long the frame of a public catalog page (name, roles) is drawn from the signed session
    # instead of the database (bebeli.auth.frame): a deactivated account or an ended session
    # leaves the frame of those pages within this many seconds (0: load the account every time).
    FRAME_TRUST_SECONDS = _env_int("FRAME_TRUST_SECONDS", 60)
    # With REDIS_URL, the cached pages live in Redis too, shared by every worker and server,
    # under this prefix (one per deployment sharing a Redis).
    CACHE_KEY_PREFIX = os.environ.get("CACHE_KEY_PREFIX", "bebeli")
    # Product views a worker counted in its own memory are handed on to Redis (or, with Redis
    # away, to the table) at most this often (bebeli.pageviews).
    PAGEVIEWS_DRAIN_SECONDS = _env_int("PAGEVIEWS_DRAIN_SECONDS", 5)
    ASN_IMPORT_MAX_ROWS = _env_int("ASN_IMPORT_MAX_ROWS", 20000)
    ASN_IMPORT_BATCH_HOURS = _env_int("ASN_IMPORT_BATCH_HOURS", 24)  # an unconfirmed preview expires

    # Stripe (payments); without keys a simulated gateway stands in (never in production)
    STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
    STRIPE_PUBLISHABLE_KEY = os.environ.get("STRIPE_PUBLISHABLE_KEY", "")
    STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
    STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "")
    STRIPE_HTTP_CLIENT = None  # a stripe.HTTPClient instance: tests put a fake Stripe API here
    PAYMENTS_SIMULATED_ALLOWED = True  # the simulated payment screen when no Stripe key is set

    # Orders: how long an unpaid order holds its stock, and how many days after delivery an
    # order the buyer has not confirmed completes by itself.
    ORDER_HOLD_MINUTES = _env_int("ORDER_HOLD_MINUTES", 30)
    ORDER_AUTOCOMPLETE_DAYS = _env_int("ORDER_AUTOCOMPLETE_DAYS", 7)
    # Reviews: ratings are a Bayesian average, as if every product and shop had RATING_PRIOR_WEIGHT
    # extra reviews of RATING_PRIOR_MEAN stars (one 5-star review does not outrank a hundred
    # 4.8s); a review stays editable REVIEW_EDIT_DAYS after it was written. After changing the
    # prior, `flask reviews recount` recomputes the stored scores.
    RATING_PRIOR_MEAN = _env_float("RATING_PRIOR_MEAN", 4.0)
    RATING_PRIOR_WEIGHT = _env_int("RATING_PRIOR_WEIGHT", 5)
    REVIEW_EDIT_DAYS = _env_int("REVIEW_EDIT_DAYS", 30)
    REVIEW_PAGE_SIZE = _env_int("REVIEW_PAGE_SIZE", 10)
    # Settlement: the platform's fee on goods sold (basis points, frozen on each order line at
    # checkout; 0 for a government platform), how long a completed sale stays pending before it
    # may be paid out, and the smallest balance a scheduled payout sends.
    PLATFORM_FEE_BP = _env_int("PLATFORM_FEE_BP", 0)
    SETTLEMENT_HOLD_DAYS = _env_int("SETTLEMENT_HOLD_DAYS", 3)
    PAYOUT_MINIMUM_AMOUNT = _env_int("PAYOUT_MINIMUM_AMOUNT", 10_000)
    # Complaints: how many days after delivery a buyer may complain, how long the seller has to
    # answer (then the complaint goes to the Dinas by itself), and how long the buyer has to
    # answer the seller's offer (then the offer stands as accepted).
    COMPLAINT_WINDOW_DAYS = _env_int("COMPLAINT_WINDOW_DAYS", 7)
    COMPLAINT_SELLER_DAYS = _env_int("COMPLAINT_SELLER_DAYS", 3)
    COMPLAINT_BUYER_DAYS = _env_int("COMPLAINT_BUYER_DAYS", 3)
    # Sanctions: a shop with at least N upheld complaints within D days is suggested to the
    # administrators ("N/D" pairs, comma-separated); nothing happens without their confirmation.
    SANCTION_COMPLAINT_RULES = os.environ.get("SANCTION_COMPLAINT_RULES", "3/30,5/90")
    # A rating floor over at least N published reviews, "floor/N" (empty: no rating rule).
    SANCTION_RATING_FLOOR = os.environ.get("SANCTION_RATING_FLOOR", "2.5/10")
    # The payout schedule: "weekly" (on PAYOUT_WEEKDAY, 0 = Monday … 6 = Sunday, Jakarta time)
    # or "daily". `flask payouts create` may run every day: it makes one batch per period.
    PAYOUT_SCHEDULE = os.environ.get("PAYOUT_SCHEDULE", "weekly")
    PAYOUT_WEEKDAY = _env_int("PAYOUT_WEEKDAY", 1)
    CART_MAX_LINES = _env_int("CART_MAX_LINES", 50)
    CART_MAX_QUANTITY = _env_int("CART_MAX_QUANTITY", 9999)
    # PPN charged by PKP sellers as an effective rate on the price (basis points), dated: the
    # entry in force on an order's date applies and is stored on it, so a new entry never
    # rewrites past documents. Since 2025: 12% on a base of 11/12 of the price = 11%.
    PPN_SCHEDULE = (
        ("2022-04-01", {"ppn_bp": 1100}),
        ("2025-01-01", {"ppn_bp": 1100}),
    )
    # The site's public address: every absolute link (mail, Stripe's return addresses,
    # notifications) starts with it, never with the Host header of a request (bebeli.urls).
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://localhost:5000")
    # Host names requests may use besides PUBLIC_BASE_URL's (comma-separated): with CHECK_HOST
    # (production) any other Host header is refused with 400 (Flask's TRUSTED_HOSTS).
    EXTRA_TRUSTED_HOSTS = tuple(h.strip() for h in os.environ.get("TRUSTED_HOSTS", "").split(",") if h.strip())
    CHECK_HOST = False
    # Quotas: `flask quota-reminders` mails ASN below their monthly minimum from this day of
    # the month (Jakarta time) on, once per person and month.
    QUOTA_REMINDER_DAY = _env_int("QUOTA_REMINDER_DAY", 20)
    # How long a worker keeps an ASN's closed months for their home page (0: never).
    QUOTA_HOME_HISTORY_SECONDS = _env_int("QUOTA_HOME_HISTORY_SECONDS", 300)

    # UMKM classes by annual sales (PP 7/2021, art. 35(5)): micro up to Rp 2 miliar, small up
    # to Rp 15 miliar, medium up to Rp 50 miliar; above that a business is large. The Dinas
    # growth page classes each shop by its BEBELI sales over the trailing 12 months.
    UMKM_CLASS_LIMITS = (
        ("mikro", _env_int("UMKM_MICRO_SALES_LIMIT", 2_000_000_000)),
        ("kecil", _env_int("UMKM_SMALL_SALES_LIMIT", 15_000_000_000)),
        ("menengah", _env_int("UMKM_MEDIUM_SALES_LIMIT", 50_000_000_000)),
    )
    # A shop that sold within this many days is active; otherwise dormant.
    GROWTH_ACTIVE_DAYS = _env_int("GROWTH_ACTIVE_DAYS", 90)

    # Agency procurement (the e-katalog channel). A package is one Surat Pesanan; its value
    # includes PPN. Packages above the limit are refused; the lower "BEBELI first" limit is
    # enforced only when AGENCY_ENFORCE_BEBELI_FIRST_LIMIT is on.
    AGENCY_PACKAGE_LIMIT_AMOUNT = _env_int("AGENCY_PACKAGE_LIMIT_AMOUNT", 200_000_000)
    AGENCY_BEBELI_FIRST_LIMIT_AMOUNT = _env_int("AGENCY_BEBELI_FIRST_LIMIT_AMOUNT", 50_000_000)
    AGENCY_ENFORCE_BEBELI_FIRST_LIMIT = _env_bool("AGENCY_ENFORCE_BEBELI_FIRST_LIMIT", False)
    # Package splitting: agency orders to one seller in one category within this many days.
    SPLIT_WINDOW_DAYS = _env_int("SPLIT_WINDOW_DAYS", 30)
    # Share of goods/services spending that must go to small businesses (Perpres 12/2021).
    SMALL_BUSINESS_TARGET_BP = _env_int("SMALL_BUSINESS_TARGET_BP", 4000)
    # What the agency treasurer withholds, dated: the entry in force on a Surat Pesanan's date
    # applies to it, so a new entry never rewrites past documents. PPh 22 is withheld on
    # purchases above its threshold (price excluding PPN); PPN is kept by the treasurer as
    # collector on payments above its threshold (including PPN).
    AGENCY_WITHHOLDING_SCHEDULE = (
        ("2022-04-01", {"pph22_bp": 150, "pph22_threshold_amount": 2_000_000,
                        "ppn_collection_threshold_amount": 2_000_000}),
    )
    # Open data (OCDS): the publisher's registered ocid prefix and name.
    OCDS_OCID_PREFIX = os.environ.get("OCDS_OCID_PREFIX", "ocds-bebeli")
    OCDS_PUBLISHER_NAME = os.environ.get("OCDS_PUBLISHER_NAME", "Pemerintah Kabupaten Bekasi — BEBELI")
    OCDS_PAGE_SIZE = _env_int("OCDS_PAGE_SIZE", 100)  # releases per page of /api/ocds/releases

    # Who may read /metrics (bebeli.metrics): a scraper sending `Authorization: Bearer
    # <METRICS_TOKEN>` (empty: no token accepted), or one connecting directly, not through the
    # reverse proxy, from these addresses or networks (comma-separated; empty: none).
    METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
    METRICS_ALLOW_IPS = os.environ.get("METRICS_ALLOW_IPS", "127.0.0.1,::1")

    PAGE_SIZE = 25
    LOG_JSON = _env_bool("LOG_JSON", False)
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")


class DevelopmentConfig(Config):
    DEBUG = False  # the Werkzeug debugger is never on by default; `flask run --debug` turns it on
    DEV_OUTBOX = True


class TestingConfig(Config):
    TESTING = True
    SECRET_KEY = "testing-secret-key"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite:///:memory:")
    RATELIMIT_STORAGE_URI = "memory://"
    REDIS_URL = ""  # tests that need Redis pass it explicitly
    DEV_OUTBOX = True
    WTF_CSRF_ENABLED = True
    UPLOAD_DIR = os.environ.get("TEST_UPLOAD_DIR", "/tmp/bebeli-test-uploads")
    CATALOG_CACHE_SECONDS = 0  # tests that exercise the cache turn it on themselves
    PAGEVIEWS_DRAIN_SECONDS = 10**9  # counted views stay in memory until a test flushes them
    QUOTA_HOME_HISTORY_SECONDS = 0  # each test sees its own data
    PASSWORD_HASH_PROFILE = "CHEAPEST"  # Argon2's test profile; production keeps RFC 9106 low-memory
    PUBLIC_BASE_URL = "http://localhost"  # the test client's own address
    METRICS_ALLOW_IPS = ""  # the test client comes from 127.0.0.1: metrics tests allow it themselves


class ProductionConfig(Config):
    EMAIL_ALLOW_TEST_DOMAIN = False
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    # __Host- cookies are refused by browsers unless Secure, host-only and Path=/.
    SESSION_COOKIE_NAME = "__Host-bebeli_session"
    REMEMBER_COOKIE_NAME = "__Host-bebeli_remember"
    PREFERRED_URL_SCHEME = "https"
    FORCE_HTTPS = _env_bool("FORCE_HTTPS", True)
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "smtp")
    LOG_JSON = _env_bool("LOG_JSON", True)
    PAYMENTS_SIMULATED_ALLOWED = False
    CHECK_HOST = True
    TRUSTED_PROXY_COUNT = _env_int("TRUSTED_PROXY_COUNT", 1)

    @classmethod
    def validate(cls) -> None:
        problems = []
        secret = os.environ.get("SECRET_KEY", "")
        if len(secret) < 32 or secret == DEV_SECRET_KEY:
            problems.append("SECRET_KEY must be set to a random value of at least 32 characters")
        if not os.environ.get("DATABASE_URL"):
            problems.append("DATABASE_URL must be set (PostgreSQL)")
        if not os.environ.get("PUBLIC_BASE_URL", "").startswith(("https://", "http://")):
            problems.append("PUBLIC_BASE_URL must be set to the site's public address (https://…): "
                            "links in mail are built from it and requests for other hosts are refused")
        if not os.environ.get("REDIS_URL"):
            problems.append("REDIS_URL must be set: rate limits are shared between servers through Redis")
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
