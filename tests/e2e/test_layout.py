"""Layout with long real-world names: nothing spills sideways on a phone, and the header keeps
the language switch on its row on a laptop screen."""
from bebeli.auth.models import Role
from tests.e2e.conftest import login
from tests.factories import TEST_PASSWORD, AgencyFactory, UserFactory

LONG_AGENCY = "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Bekasi Bidang Pelayanan Pendaftaran Penduduk"
LONG_NAME = "Prof. Dr. Ir. Raden Mas Bambang Wicaksono Hadiningrat Kusumawardhana, S.Kom., M.Kom., M.Sc."
LAPTOP = {"width": 1280, "height": 800}


def _no_sideways_scroll(page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url
    wider = page.evaluate("""(width) => [...document.querySelectorAll('main *')]
        .filter(e => e.getBoundingClientRect().right > width + 0.5).map(e => e.outerHTML.slice(0, 120))""", width)
    assert wider == [], wider


def test_the_account_page_fits_a_phone_with_a_long_role_badge(new_page, ctx):
    agency = AgencyFactory(name=LONG_AGENCY)
    user = UserFactory(name=LONG_NAME, roles=[Role.PP, Role.PPK], roles__agency_id=agency.id)
    page = new_page()
    login(page, user.email, TEST_PASSWORD)
    page.goto("/akun")
    badge = page.locator(".badge", has_text=LONG_AGENCY).first
    assert badge.is_visible()
    _no_sideways_scroll(page, 360)
    page.screenshot(path="/tmp/account-360.png", full_page=True)


def test_the_language_switch_stays_on_the_header_row_with_a_long_name(new_page, ctx):
    user = UserFactory(name=LONG_NAME, roles=[Role.BUYER])
    page = new_page(LAPTOP)
    login(page, user.email, TEST_PASSWORD)
    page.goto("/akun")
    brand = page.locator(".brand").bounding_box()
    switch = page.locator(".lang-switch").bounding_box()
    header = page.locator(".site-header").bounding_box()
    # Vertically within the brand's row (the header is one row), not dropped below it.
    assert switch["y"] < brand["y"] + brand["height"] and switch["y"] + switch["height"] > brand["y"], (switch, brand)
    assert header["height"] < 100, header
    assert page.locator(".nav-user a").first.is_visible()
    _no_sideways_scroll(page, LAPTOP["width"])
    page.screenshot(path="/tmp/header-1280.png")
