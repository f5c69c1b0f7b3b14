""""Keluar dari semua perangkat" in a browser: the button asks first, then signs the account out
on this phone and on every other device (a remembered one too)."""
from playwright.sync_api import expect

from bebeli.extensions import db
from tests.e2e.conftest import login
from tests.factories import TEST_PASSWORD, AsnFactory


def test_log_out_everywhere_asks_then_ends_every_device(new_page, ctx):
    user = AsnFactory(user__name="Dewi Pembeli").user
    db.session.commit()
    phone, laptop = new_page(), new_page(viewport={"width": 1280, "height": 800})
    laptop.goto("/masuk")
    laptop.get_by_label("Email atau NIP").fill(user.email)
    laptop.get_by_label("Kata sandi", exact=True).fill(TEST_PASSWORD)
    laptop.get_by_label("Ingat saya di perangkat ini").check()
    laptop.get_by_role("button", name="Masuk").click()
    laptop.wait_for_load_state()
    login(phone, user.email, TEST_PASSWORD)

    phone.goto("/akun")
    button = phone.get_by_role("button", name="Keluar dari semua perangkat")
    expect(button).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    # Changing one's mind keeps everyone signed in.
    phone.once("dialog", lambda dialog: dialog.dismiss())
    button.click()
    expect(button).to_be_visible()
    assert phone.url.endswith("/akun")
    laptop.goto("/akun")
    assert laptop.url.endswith("/akun")

    phone.once("dialog", lambda dialog: dialog.accept())
    button.click()
    expect(phone.get_by_text("Anda telah keluar dari semua perangkat.")).to_be_visible()
    assert "/masuk" in phone.url
    laptop.goto("/akun")
    assert "/masuk" in laptop.url  # the remembered laptop is signed out too
    assert phone.errors == [] and laptop.errors == []
