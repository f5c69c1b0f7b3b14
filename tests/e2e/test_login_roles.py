"""Each demo role logs in at phone width and lands on its own home."""
import pytest
from playwright.sync_api import expect

from bebeli.cli import DEMO_PASSWORD
from tests.e2e.conftest import login, logout

ROLE_HOMES = [
    ("admin@bebeli.test", "/admin/", "[data-testid=admin-home]"),
    ("siti.rahmawati@bebeli.test", "/", "[data-testid=asn-home]"),
    ("199211082019022003", "/", "[data-testid=asn-home]"),  # an ASN by NIP
]


@pytest.mark.parametrize("identifier,path,marker", ROLE_HOMES)
def test_demo_role_lands_on_its_home_at_phone_width(page, live_server, demo_data, identifier, path, marker):
    login(page, identifier, DEMO_PASSWORD)
    assert page.url == live_server + path
    expect(page.locator(marker)).to_be_visible()
    # The page fits a 360 px screen: nothing wider than the viewport.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    # The menu is collapsed behind the toggle and opens.
    toggle = page.locator(".nav-toggle")
    expect(toggle).to_be_visible()
    toggle.click()
    expect(page.locator("#site-nav")).to_be_visible()
    assert page.errors == []
    logout(page)
    assert "/masuk" in page.url


def test_wrong_password_shows_a_message(page, demo_data):
    login(page, "admin@bebeli.test", "salah-salah-salah")
    expect(page.get_by_text("Email/NIP atau kata sandi salah.")).to_be_visible()
