"""Database blips: a connection lost in the middle of a request. A read runs once more and
answers as usual; a write answers 503 "coba lagi" with the request id (never 500) after rolling
back; a checkout submitted again after a blip still makes one order.

The first tests simulate the lost connection (any database); the last ones drop the app's real
connections with `pg_terminate_backend` (PostgreSQL only)."""
from __future__ import annotations

import contextlib

import pytest
import sqlalchemy as sa
from flask import current_app, has_app_context, has_request_context

from bebeli.cart.models import CartLine
from bebeli.extensions import db
from tests.conftest import TEST_DATABASE_URL
from tests.factories import ProductFactory
from tests.orders.factories import asn_buyer, fill_cart
from tests.orders.test_double_submit import CHECKOUT, _orders, rendered_checkout

ON_POSTGRES = (TEST_DATABASE_URL or "").startswith("postgresql")
BUSY = "Layanan sedang sibuk. Coba lagi sebentar lagi."


def lost_connection(conn, statement):
    raise sa.exc.OperationalError(statement, None, Exception("server closed the connection unexpectedly"),
                                  connection_invalidated=True)


@contextlib.contextmanager
def blips(app, match: str, times: int = 1, action=lost_connection):
    """The next `times` statements a request runs that contain `match` first meet `action`.
    Yields the list of statements it acted on."""
    hit: list[str] = []

    def listen(conn, cursor, statement, parameters, context, executemany):
        if len(hit) < times and has_request_context() and match in statement:
            hit.append(statement)
            action(conn, statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", listen)
    try:
        yield hit
    finally:
        sa.event.remove(engine, "before_cursor_execute", listen)


@pytest.fixture
def rollbacks():
    """Session rollbacks made while a request runs."""
    seen: list[int] = []

    def listen(session, previous_transaction):
        if has_request_context():
            seen.append(1)

    sa.event.listen(sa.orm.Session, "after_soft_rollback", listen)
    yield seen
    sa.event.remove(sa.orm.Session, "after_soft_rollback", listen)


def _product_page(product) -> str:
    return f"/produk/{product.id}/{product.slug}"


def assert_busy_page(response, *, json: bool = False):
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    request_id = response.headers["X-Request-ID"]
    if json:
        body = response.get_json()
        assert body["error"] == "database_unavailable" and body["status"] == 503
        assert body["request_id"] == request_id and body["message"] == BUSY
    else:
        html = response.get_data(as_text=True)
        assert BUSY in html and request_id in html and "Kode permintaan" in html


# --- simulated (any database) ----------------------------------------------------------------

def test_a_read_that_loses_its_connection_runs_once_more(app, client, ctx):
    product = ProductFactory(name="Kertas HVS A4")
    with blips(app, "FROM products") as hit:
        response = client.get(_product_page(product))
    assert len(hit) == 1
    assert response.status_code == 200 and "Kertas HVS A4" in response.get_data(as_text=True)


def test_a_connection_lost_after_the_last_statement_does_not_fail_the_answer(app, client, ctx):
    """pg_terminate_backend between a request's last statement and the end of its session: the
    closing ROLLBACK fails. The answer, already made, is sent (it was a bare 500 under gunicorn)."""
    product = ProductFactory(name="Kertas HVS A4")
    with app.app_context():
        engine = db.engine
    failed: list[bool] = []

    def rollback(conn):
        if has_app_context() and current_app._get_current_object() is app and not failed:
            failed.append(True)
            conn.invalidate()  # the server ended it: what SQLAlchemy does on a lost connection
            raise sa.exc.OperationalError("ROLLBACK", None, Exception("terminating connection due to administrator "
                                                                      "command"), connection_invalidated=True)

    sa.event.listen(engine, "rollback", rollback)
    try:
        response = client.get(_product_page(product))
        again = client.get(_product_page(product))
    finally:
        sa.event.remove(engine, "rollback", rollback)
    assert failed == [True]
    assert response.status_code == 200 and "Kertas HVS A4" in response.get_data(as_text=True)
    assert again.status_code == 200


def test_a_read_that_loses_it_twice_answers_503_coba_lagi(app, client, ctx):
    product = ProductFactory()
    with blips(app, "FROM products", times=5) as hit:
        response = client.get(_product_page(product))
        head = client.head(_product_page(product))
    assert len(hit) == 4  # each request: the first run and one more, never a third
    assert_busy_page(response)
    assert head.status_code == 503


def test_a_write_answers_503_with_the_request_id_and_is_rolled_back(app, client, ctx, rollbacks):
    buyer = asn_buyer()
    product = ProductFactory(stock=10)
    client.login(buyer)
    token = client.csrf_token(_product_page(product))
    with blips(app, "INSERT INTO cart_lines", times=2) as hit:
        response = client.post("/keranjang/tambah", data={"product_id": product.id, "quantity": 1, "csrf_token": token})
    assert len(hit) == 1  # a write is never run twice by the server
    assert_busy_page(response)
    assert rollbacks
    assert db.session.scalars(sa.select(CartLine)).all() == []


def test_a_json_request_gets_a_json_503(app, client, ctx):
    buyer = asn_buyer()
    product = ProductFactory(stock=10)
    client.login(buyer)
    token = client.csrf_token(_product_page(product))
    with blips(app, "INSERT INTO cart_lines"):
        response = client.post("/keranjang/tambah", headers={"Accept": "application/json"},
                               data={"product_id": product.id, "quantity": 1, "csrf_token": token})
    assert_busy_page(response, json=True)


def test_the_busy_page_in_english(app, client, ctx):
    product = ProductFactory()
    with client.session_transaction() as session:
        session["lang"] = "en"
    with blips(app, "FROM products", times=2):
        response = client.get(_product_page(product))
    assert response.status_code == 503
    html = response.get_data(as_text=True)
    assert "The service is busy. Please try again in a moment." in html
    assert response.headers["X-Request-ID"] in html


def test_when_the_page_itself_needs_the_database_a_plain_busy_page_answers(app, client, ctx):
    client.login(asn_buyer())  # the site's page frame shows the signed-in user: a query
    with blips(app, "FROM users", times=10):
        response = client.get("/akun")
    assert_busy_page(response)
    html = response.get_data(as_text=True)
    assert "<h1>Layanan sedang sibuk</h1>" in html and "error-page" not in html  # the plain one


def test_other_database_errors_keep_their_500(app, client, ctx):
    product = ProductFactory()

    def integrity_error(conn, statement):
        raise sa.exc.IntegrityError(statement, None, Exception("duplicate key"))

    with blips(app, "FROM products", times=2, action=integrity_error) as hit:
        response = client.get(_product_page(product))
    assert len(hit) == 1 and response.status_code == 500


# --- real dropped connections (PostgreSQL) -----------------------------------------------------

postgres_only = pytest.mark.skipif(not ON_POSTGRES, reason="pg_terminate_backend: PostgreSQL only")


@pytest.fixture
def admin():
    """A connection of its own, outside the app's pools, to end the app's connections with."""
    engine = sa.create_engine(TEST_DATABASE_URL, poolclass=sa.pool.NullPool)
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT")
        yield conn
    engine.dispose()


def terminate_everyone_else(admin) -> int:
    """End every other connection to the test database (the app's idle pooled ones)."""
    return len(admin.execute(sa.text(
        "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity"
        " WHERE datname = current_database() AND pid <> pg_backend_pid()")).all())


def terminating(admin):
    """An action for `blips`: the database ends the request's own connection, right now."""
    def action(conn, statement):
        pid = conn.connection.dbapi_connection.info.backend_pid
        assert admin.scalar(sa.text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid})
    return action


@postgres_only
def test_connections_dropped_while_idle_are_replaced_before_use(app, client, ctx, admin):
    product = ProductFactory(name="Map plastik")
    assert client.get(_product_page(product)).status_code == 200
    assert terminate_everyone_else(admin) >= 1
    response = client.get(_product_page(product))
    assert response.status_code == 200 and "Map plastik" in response.get_data(as_text=True)


@postgres_only
def test_a_read_whose_connection_drops_midway_still_answers(app, client, ctx, admin):
    product = ProductFactory(name="Map plastik")
    with blips(app, "FROM products", action=terminating(admin)) as hit:
        response = client.get(_product_page(product))
    assert len(hit) == 1
    assert response.status_code == 200 and "Map plastik" in response.get_data(as_text=True)


@postgres_only
def test_a_write_whose_connection_drops_answers_503_and_the_next_try_works(app, client, ctx, admin):
    buyer = asn_buyer()
    product = ProductFactory(stock=10)
    client.login(buyer)
    token = client.csrf_token(_product_page(product))
    data = {"product_id": product.id, "quantity": 1, "csrf_token": token}
    with blips(app, "INSERT INTO cart_lines", action=terminating(admin)) as hit:
        response = client.post("/keranjang/tambah", data=data)
    assert len(hit) == 1
    assert_busy_page(response)
    db.session.expire_all()
    assert db.session.scalars(sa.select(CartLine)).all() == []
    assert client.post("/keranjang/tambah", data=data).status_code == 302  # "coba lagi"
    db.session.expire_all()
    assert len(db.session.scalars(sa.select(CartLine)).all()) == 1


@postgres_only
def test_checkout_submitted_again_after_a_blip_makes_one_order(app, client, ctx, admin):
    buyer = asn_buyer()
    product = ProductFactory(stock=10)
    fill_cart(buyer, (product, 2))
    client.login(buyer)
    form = rendered_checkout(client)
    with blips(app, "INSERT INTO orders", action=terminating(admin)) as hit:
        blipped = client.post(CHECKOUT, data=form)
    assert len(hit) == 1
    assert_busy_page(blipped)
    assert _orders() == []
    first = client.post(CHECKOUT, data=form)
    assert first.status_code == 302 and "/pesanan/" in first.location
    # A blip while the repeat looks for the order the first submission made: 503, then the
    # next repeat lands on that same order.
    with blips(app, "idempotency_key", action=terminating(admin)) as hit:
        repeat = client.post(CHECKOUT, data=form)
    assert len(hit) == 1
    assert_busy_page(repeat)
    again = client.post(CHECKOUT, data=form)
    assert (again.status_code, again.location) == (302, first.location)
    [order] = _orders()
    assert first.location.endswith(f"/pesanan/{order.id}")
