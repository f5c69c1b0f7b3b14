"""The ASN directory in a real browser at phone width: an agency admin's home, and an admin
importing a CSV through the upload page (progress, preview, confirm)."""
from playwright.sync_api import expect

from bebeli.cli import DEMO_PASSWORD
from bebeli.directory.models import AsnProfile
from bebeli.extensions import db
from tests.e2e.conftest import PHONE, login

IMPORT_CSV = (
    "nip;nama;email;kode_opd;pangkat;eselon;jabatan;tpp;pppk;aktif\r\n"
    "199203142018011001;Rudi Hartono;rudi.hartono@bekasikab.go.id;DISDIK;III/a;staf;Guru;4.000.000;;ya\r\n"
    "199203142018012002;Sari Wulandari;bukan-email;DISDIK;III/a;staf;Guru;;;\r\n"
    "199007212015032001;Siti Rahmawati, S.E.;siti.rahmawati@bebeli.test;DISDIK;III/c;IV;Kepala Subbagian;5000000;;\r\n"
).encode()


def test_agency_admin_lands_on_their_own_agency(page, live_server, demo_data):
    login(page, "operator.disdik@bebeli.test", DEMO_PASSWORD)
    assert page.url == live_server + "/direktori/"
    expect(page.locator("[data-testid=agency-home]")).to_be_visible()
    table = page.locator("[data-testid=asn-table]")
    expect(table.get_by_text("Siti Rahmawati")).to_be_visible()
    # Only Dinas Pendidikan: the demo ASN of other agencies are not listed.
    assert table.get_by_text("Budi Santoso").count() == 0 and table.get_by_text("Dewi Lestari").count() == 0
    assert table.get_by_text("Dinas Kesehatan").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path="/tmp/directory-agency-home.png", full_page=True)
    assert page.errors == []


def test_admin_imports_a_csv_through_the_page(page, live_server, demo_data, ctx):
    login(page, "admin@bebeli.test", DEMO_PASSWORD)
    page.goto("/direktori/impor")
    page.screenshot(path="/tmp/directory-import.png", full_page=True)
    page.set_input_files("input[type=file]", files=[{"name": "asn-disdik.csv", "mimeType": "text/csv",
                                                      "buffer": IMPORT_CSV}])
    page.evaluate("window.sameDocument = true")
    page.get_by_role("button", name="Unggah dan periksa").click()
    page.wait_for_url("**/direktori/impor/*")
    # The upload went through XMLHttpRequest (with its progress bar), not a page load.
    assert page.evaluate("window.sameDocument") is True

    summary = page.locator("[data-testid=import-summary]")
    assert summary.locator("[data-count=valid]").inner_text() == "2"
    assert summary.locator("[data-count=invalid]").inner_text() == "1"
    assert summary.locator("[data-count=new]").inner_text() == "1"
    assert summary.locator("[data-count=updated]").inner_text() == "1"
    problem = page.locator("[data-testid=import-rows] [data-column=email]")
    assert "Alamat email tidak valid." in problem.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path="/tmp/directory-preview.png", full_page=True)
    assert db.session.scalar(db.select(AsnProfile).where(AsnProfile.nip == "199203142018011001")) is None

    page.once("dialog", lambda dialog: dialog.accept())  # "1 baris bermasalah akan dilewati"
    page.get_by_role("button", name="Impor 2 baris valid").click()
    page.wait_for_url(live_server + "/direktori/")
    expect(page.get_by_text("Impor selesai: 1 ASN baru, 1 diperbarui")).to_be_visible()
    expect(page.locator("[data-testid=asn-table]").get_by_text("Rudi Hartono")).to_be_visible()
    assert page.errors == []

    db.session.rollback()  # end the test's read snapshot to see what the server wrote
    siti = db.session.scalar(db.select(AsnProfile).where(AsnProfile.nip == "199007212015032001"))
    assert (siti.rank, siti.tpp_amount, siti.position) == ("III/c", 5_000_000, "Kepala Subbagian")
