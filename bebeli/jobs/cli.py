"""`flask worker`: the job worker, periodic jobs included (one process; run one per server
or one in all — the locks keep every periodic job to one run at a time)."""
from __future__ import annotations

import logging

import click
from flask import current_app
from flask.cli import with_appcontext


def procrastinate_conninfo(uri: str) -> str:
    """A libpq address from the SQLAlchemy URL (`postgresql+psycopg://…` → `postgresql://…`)."""
    from sqlalchemy.engine import make_url

    return make_url(uri).set(drivername="postgresql").render_as_string(hide_password=False)


def run_worker(app, **options) -> None:
    """Run procrastinate's worker for `app` with its own connection pool (the web processes
    defer through their sessions). `wait=False` works what is due and returns."""
    from procrastinate import PsycopgConnector

    from bebeli.jobs.queue import jobs_app, worker_flask_app

    connector = PsycopgConnector(conninfo=procrastinate_conninfo(app.config["SQLALCHEMY_DATABASE_URI"]),
                                 min_size=1, max_size=max(2, app.config["JOB_WORKER_CONCURRENCY"] + 1))
    token = worker_flask_app.set(app)
    try:
        with jobs_app.replace_connector(connector):
            jobs_app.run_worker(**options)
    finally:
        worker_flask_app.reset(token)


@click.command("worker")
@click.option("--burst", is_flag=True, help="Work what is waiting, then stop (no periodic jobs).")
@click.option("--queue", "queues", multiple=True, help="Only these queues (default: all).")
@with_appcontext
def worker(burst: bool, queues: tuple[str, ...]):
    """Run the job worker: mail delivery, periodic jobs, everything deferred."""
    from bebeli.jobs.queue import PROCRASTINATE

    app = current_app._get_current_object()
    if app.config["JOB_QUEUE"] != PROCRASTINATE:
        raise click.ClickException(
            "JOB_QUEUE is inline (SQLite): jobs run in the web process after each request; "
            "run periodic jobs by hand (flask expire-orders, flask send-mail …).")
    logging.getLogger("procrastinate").setLevel(logging.INFO)
    # On SIGTERM the worker takes no new job and lets running ones finish (a mail attempt
    # takes at most its 10 s SMTP timeout) before the service manager's kill.
    run_worker(app, wait=not burst, queues=list(queues) or None, shutdown_graceful_timeout=25,
               concurrency=app.config["JOB_WORKER_CONCURRENCY"], install_signal_handlers=not burst)


commands = [worker]
