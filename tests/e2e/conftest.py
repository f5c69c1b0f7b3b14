"""Browser tests: Playwright drives Debian's chromium against a live server on 127.0.0.1.

The server runs the same `app` as the test client, in a thread; the test writes its data
through `ctx` and commits it before the browser asks for a page.
"""
from __future__ import annotations

import os
import threading
import time

import pyotp
import pytest
from werkzeug.serving import make_server

from bebeli.auth.demo import DEMO_ADMIN_TOTP_SECRET

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
PHONE = {"width": 360, "height": 780}


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


@pytest.fixture(scope="session")
def browser():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"browser tests skipped: {CHROMIUM} is missing (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser, live_server):
    """Open a fresh browser context (own cookies) at phone width: `new_page()`."""
    contexts = []

    def _open(viewport=PHONE):
        context = browser.new_context(viewport=viewport, base_url=live_server, locale="id-ID")
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda exc: page.errors.append(str(exc)))
        page.on("console", lambda msg: page.errors.append(msg.text) if msg.type == "error" else None)
        return page

    yield _open
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def demo_data(app, ctx):
    """The demo data of `flask seed-demo`, loaded through the real command."""
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    return result.output


def login(page, identifier: str, password: str, totp_secret: str | None = None) -> None:
    """Sign in; administrators answer the two-step code (by default with the demo admin's key)."""
    page.goto("/masuk")
    page.get_by_label("Email atau NIP").fill(identifier)
    page.get_by_label("Kata sandi", exact=True).fill(password)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_load_state()
    if "/masuk/verifikasi" in page.url:
        answer_totp(page, totp_secret or DEMO_ADMIN_TOTP_SECRET)


def answer_totp(page, secret: str) -> None:
    # A code works once: a second sign-in within 30 seconds uses the next step's code.
    totp = pyotp.TOTP(secret)
    for at in (time.time(), time.time() + totp.interval):
        page.get_by_label("Kode verifikasi").fill(totp.at(at))
        page.get_by_role("button", name="Verifikasi").click()
        page.wait_for_load_state()
        if "/masuk/verifikasi" not in page.url:
            return


def logout(page) -> None:
    if page.locator(".nav-toggle").is_visible() and not page.locator(".nav-user button").is_visible():
        page.locator(".nav-toggle").click()
    page.locator(".nav-user button").click()
    page.wait_for_load_state()
