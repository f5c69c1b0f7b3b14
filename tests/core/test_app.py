import pytest

from bebeli import create_app
from bebeli.money import parse_rupiah, percent_of, rupiah


def test_security_headers_on_every_page(client):
    response = client.get("/masuk")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Strict-Transport-Security" not in response.headers  # only in production
    assert response.headers["X-Request-ID"]


def test_no_inline_script_or_style_in_pages(client):
    html = client.get("/masuk").get_data(as_text=True)
    assert "<script>" not in html and "style=" not in html and " onclick=" not in html


def test_404_page_in_site_style_and_json(client):
    page = client.get("/tidak-ada")
    assert page.status_code == 404 and "Halaman tidak ditemukan" in page.get_data(as_text=True)
    assert 'class="site-header"' in page.get_data(as_text=True)
    api = client.get("/tidak-ada", headers={"Accept": "application/json"})
    assert api.status_code == 404 and api.get_json()["status"] == 404


def test_unexpected_error_gives_500_page_with_request_id(app, caplog):
    fresh = create_app("testing", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])

    @fresh.get("/_boom")
    def boom():
        raise RuntimeError("boom")

    response = fresh.test_client().get("/_boom", headers={"X-Request-ID": "req-12345678"})
    assert response.status_code == 500
    assert "req-12345678" in caplog.text  # the log line carries the same id
    assert "req-12345678" in response.get_data(as_text=True)


def test_health_endpoints(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.get_json()["checks"]["database"] == "ok"


def test_language_switch_to_english_and_back(client):
    client.get("/bahasa/en?next=/masuk")
    assert "Sign in" in client.get("/masuk").get_data(as_text=True)
    client.get("/bahasa/id")
    assert "Masuk ke BEBELI" in client.get("/masuk").get_data(as_text=True)


def test_production_refuses_weak_configuration(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    with pytest.raises(RuntimeError, match="DATABASE_URL"):
        create_app("production")
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u@127.0.0.1/x")
    with pytest.raises(RuntimeError, match="simulated payment"):
        create_app("production")


@pytest.mark.parametrize("amount,text", [(0, "Rp\u00a00"), (1250000, "Rp\u00a01.250.000"), (999, "Rp\u00a0999"),
                                         (-5000, "-Rp\u00a05.000"), (10_000_000_000, "Rp\u00a010.000.000.000")])
def test_rupiah_format(amount, text):
    assert rupiah(amount) == text


def test_rupiah_gives_what_babel_gives_for_indonesian_currency():
    from babel.numbers import format_currency

    amounts = [0, 1, 9, 10, 99, 100, 999, 1_000, 9_999, 10_000, 123_456, 999_999, 1_000_000, 1_250_000,
               12_345_678, 987_654_321, 10_000_000_000, 123_456_789_012]
    amounts += [7 ** n for n in range(1, 20)]
    for amount in amounts:
        babel = format_currency(amount, "IDR", format="¤\u00a0#,##0", currency_digits=False, locale="id_ID")
        assert rupiah(amount) == babel
        assert rupiah(-amount) == ("-" if amount else "") + rupiah(amount)


def test_rupiah_refuses_floats():
    with pytest.raises(TypeError):
        rupiah(1.5)


@pytest.mark.parametrize("text,value", [("1250000", 1250000), ("1.250.000", 1250000), ("Rp 1.250.000", 1250000),
                                        ("1.250.000,00", 1250000), (" 15000 ", 15000)])
def test_parse_rupiah(text, value):
    assert parse_rupiah(text) == value


@pytest.mark.parametrize("text", ["", "1,5", "12.34", "abc", "1.2345", "-", "1e5"])
def test_parse_rupiah_refuses(text):
    with pytest.raises(ValueError):
        parse_rupiah(text)


def test_percent_of_is_integer_and_rounds_half_up():
    assert percent_of(10_000_000, 150) == 150_000   # 1.5 %
    assert percent_of(3_500_000, 150) == 52_500
    assert percent_of(333, 150) == 5                # 4.995 → 5


def test_warm_up_compiles_every_template_and_loads_every_language(app):
    from bebeli import warm_up

    app.jinja_env.cache.clear()
    warm_up(app)
    names = app.jinja_env.list_templates(extensions=("html", "txt"))
    assert len(names) > 50 and len(app.jinja_env.cache) >= len(names)  # a broken template fails here
    with app.test_request_context():
        from flask_babel import force_locale, gettext

        with force_locale("en"):
            assert gettext("Keranjang") == "Cart"
