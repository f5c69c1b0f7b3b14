"""gunicorn settings, read from the environment: the same for `make serve`, the container and a
server. The app logs every request itself (with its request id), so gunicorn's access log is
off; in JSON mode gunicorn's own messages are JSON lines too.

BIND                 address(es) to listen on, comma-separated (default 127.0.0.1:8000)
WEB_CONCURRENCY      worker processes (default 2 × CPUs + 1, at most 8)
GUNICORN_THREADS     threads per worker (default 1: plain sync workers)
GUNICORN_TIMEOUT     seconds a request may take before its worker is restarted (default 30)
FORWARDED_ALLOW_IPS  proxies whose X-Forwarded-Proto gunicorn believes (default 127.0.0.1,::1)
LOG_LEVEL            default info
PROMETHEUS_MULTIPROC_DIR  a directory the workers write their metrics to (bebeli.metrics), so
                     that a scrape answered by any worker counts them all; emptied at start
GUNICORN_PIDFILE     where the master writes its pid (scripts/rolling-restart.sh reads it); default none
"""
import multiprocessing
import os

from config import CONFIGS

_config = CONFIGS[os.environ.get("BEBELI_CONFIG", "production")]

bind = [address.strip() for address in os.environ.get("BIND", "127.0.0.1:8000").split(",") if address.strip()]
workers = int(os.environ.get("WEB_CONCURRENCY") or min(multiprocessing.cpu_count() * 2 + 1, 8))
threads = int(os.environ.get("GUNICORN_THREADS") or 1)
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 30)
graceful_timeout = 30  # on deploy or SIGTERM, requests in flight get this long to finish
keepalive = 5
# Recycle each worker after a few thousand requests (jittered so they never all restart at
# once): whatever memory a long-lived process accumulates is given back.
max_requests = 10000
max_requests_jitter = 1000
# The app is built once, in the master, with every template compiled and every language loaded
# (bebeli.warm_up): a worker forked from it — at start, or after recycling — is ready at once.
# A HUP does not load new code with preloading: a deploy upgrades with scripts/rolling-restart.sh
# (USR2: a new master from the new code on the same socket, then TERM to the old one).
preload_app = True
pidfile = os.environ.get("GUNICORN_PIDFILE") or None
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
control_socket_disable = True
proc_name = "bebeli"
# The worker heartbeat file on tmpfs: a slow container disk must not make workers look dead.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
if _config.LOG_JSON:
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "bebeli.observability.JsonFormatter"}},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}},
        "root": {"level": loglevel.upper(), "handlers": ["console"]},
        "loggers": {
            "gunicorn.error": {"level": loglevel.upper(), "handlers": ["console"], "propagate": False},
            "gunicorn.access": {"level": "CRITICAL", "handlers": [], "propagate": False},
            "alembic.runtime.plugins": {"level": "WARNING"},  # a line per plugin as each worker starts
        },
    }


def on_starting(server):
    """Metrics of a previous run would be added to this run's: start from an empty directory.
    The variable must be set before gunicorn starts (prometheus_client reads it at import)."""
    path = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if path:
        os.makedirs(path, exist_ok=True)
        for name in os.listdir(path):
            if name.endswith(".db"):
                os.remove(os.path.join(path, name))


def child_exit(server, worker):
    """A worker is gone (recycled, killed, timed out): drop its live gauges (pool, breaker);
    its counters stay, so totals never go backwards."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def when_ready(server):
    from bebeli import warm_up

    warm_up(server.app.wsgi())


def post_fork(server, worker):
    """Connections are each worker's own: none made in the master is ever shared."""
    from bebeli.extensions import db

    with server.app.wsgi().app_context():
        db.engine.dispose(close=False)
