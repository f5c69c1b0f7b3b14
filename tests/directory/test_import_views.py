"""The ASN import through the admin screens: upload, preview, confirm, re-import."""
from datetime import timedelta

import pytest

from bebeli.audit.models import AuditEvent
from bebeli.auth.models import Role, User
from bebeli.auth.services import UNUSABLE_PASSWORD
from bebeli.db import utcnow
from bebeli.directory.models import AsnImportBatch, AsnProfile, Echelon
from bebeli.extensions import db
from tests.directory.helpers import (
    IMPORT_URL,
    batch_url,
    count,
    csv_bytes,
    nip,
    preview_errors,
    upload,
    xlsx_bytes,
)
from tests.factories import AgencyFactory, AsnFactory, UserFactory, admin, agency_admin


@pytest.fixture
def disdik(ctx):
    return AgencyFactory(code="DISDIK", name="Dinas Pendidikan")


@pytest.fixture
def dinkes(ctx):
    return AgencyFactory(code="DINKES", name="Dinas Kesehatan")


def _profiles():
    db.session.expire_all()
    return sorted(db.session.scalars(db.select(AsnProfile)).all(), key=lambda p: p.user.name)


MIXED = [
    [nip(1), "Andi Wijaya", "andi@contoh.go.id", "DISDIK", "III/a", "staf", "Guru", "4.500.000", "", "ya"],
    [nip(2)[:17], "Budi Salah", "budi@contoh.go.id", "DISDIK", "", "", "", "", "", ""],
    [nip(3), "Citra Salah", "bukan-email", "TIDAKADA", "", "", "", "", "", ""],
    [nip(4), "Dedi Kurniawan", "dedi@contoh.go.id", "disdik", "", "IV", "Kasubag", "", "", ""],
    [nip(1), "Andi Kembar", "andi2@contoh.go.id", "DISDIK", "", "", "", "", "", ""],
]


def test_mixed_file_shows_errors_per_row_and_column_and_writes_only_after_confirm(client, ctx, disdik):
    user = admin()
    client.login(user)
    url = batch_url(upload(client, csv_bytes(MIXED)))

    html = client.get(url).get_data(as_text=True)
    assert (count(html, "valid"), count(html, "invalid"), count(html, "new"), count(html, "updated")) == (2, 3, 2, 0)
    errors = preview_errors(html)
    assert set(errors) == {3, 4, 6}  # spreadsheet rows: the header is row 1
    assert list(errors[3]) == ["nip"] and "NIP harus 18 digit." in errors[3]["nip"]
    assert "Alamat email tidak valid." in errors[4]["email"]
    assert "TIDAKADA tidak dikenal" in errors[4]["kode_opd"]
    assert "NIP sama dengan baris 2." in errors[6]["nip"]
    # Nothing is written before the admin confirms.
    assert _profiles() == []
    assert db.session.scalar(db.select(User).where(User.email == "andi@contoh.go.id")) is None

    response = client.post_form(url + "/konfirmasi", page=url)
    assert response.status_code == 302 and response.headers["Location"].endswith("/direktori/")
    assert "2 ASN baru" in client.get("/direktori/").get_data(as_text=True)

    profiles = _profiles()
    assert [(p.user.name, p.agency_id) for p in profiles] == [("Andi Wijaya", disdik.id), ("Dedi Kurniawan", disdik.id)]
    andi, dedi = profiles
    assert (andi.rank, andi.tpp_amount, andi.position, andi.is_active) == ("III/a", 4_500_000, "Guru", True)
    assert (dedi.echelon, dedi.tpp_amount, dedi.is_pppk) == (Echelon.IV, None, False)
    # New accounts are buyers without a usable password: they activate through the reset mail.
    assert andi.user.password_hash == UNUSABLE_PASSWORD and andi.user.has_role(Role.BUYER)
    actions = db.session.scalars(db.select(AuditEvent.action).where(AuditEvent.actor_id == user.id)).all()
    assert actions.count("directory.asn_created") == 2 and "directory.asn_imported" in actions
    # The preview is spent: opening it again leads to the directory.
    assert client.get(url).headers["Location"].endswith("/direktori/")
    assert db.session.get(AsnImportBatch, int(url.rsplit("/", 1)[1])).rows is None


def test_importing_the_same_file_again_updates_instead_of_duplicating(client, ctx, disdik, dinkes):
    client.login(admin())
    rows = [
        [nip(1), "Andi Wijaya", "andi@contoh.go.id", "DISDIK", "III/a", "staf", "Guru", "4500000", "", ""],
        [nip(2), "Budi Santoso", "budi@contoh.go.id", "DINKES", "III/b", "", "Perawat", "", "", ""],
    ]
    first = batch_url(upload(client, csv_bytes(rows)))
    client.post_form(first + "/konfirmasi", page=first)

    again = batch_url(upload(client, csv_bytes(rows)))
    html = client.get(again).get_data(as_text=True)
    assert (count(html, "new"), count(html, "updated"), count(html, "invalid")) == (0, 0, 0)
    assert "2 tidak berubah" in html
    client.post_form(again + "/konfirmasi", page=again)
    assert len(_profiles()) == 2

    # A changed file updates the same people, keyed by NIP, and says what changed.
    rows[0][6], rows[0][7] = "Kepala Sekolah", "6.000.000"
    rows[1][3], rows[1][9] = "DISDIK", "tidak"
    changed = batch_url(upload(client, csv_bytes(rows, delimiter=";", bom=True), "asn-revisi.csv"))
    html = client.get(changed + "?tampil=diperbarui").get_data(as_text=True)
    assert count(html, "updated") == 2 and count(html, "new") == 0
    assert "Jabatan, TPP per bulan (Rp)" in html
    client.post_form(changed + "/konfirmasi", page=changed)

    andi, budi = _profiles()
    assert (andi.position, andi.tpp_amount) == ("Kepala Sekolah", 6_000_000)
    assert (budi.agency_id, budi.is_active, budi.active_until is not None) == (disdik.id, False, True)
    assert db.session.scalar(db.select(db.func.count(User.id)).where(User.email.in_(["andi@contoh.go.id", "budi@contoh.go.id"]))) == 2
    updated = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "directory.asn_updated")).all()
    assert {e.object_id for e in updated} == {str(andi.id), str(budi.id)}
    assert next(e for e in updated if e.object_id == str(andi.id)).details["changes"]["tpp_amount"] == [
        4_500_000, 6_000_000]


def test_columns_missing_from_the_file_are_left_alone(client, ctx, disdik):
    asn = AsnFactory(agency=disdik, nip=nip(1), rank="III/c", position="Guru", tpp_amount=5_000_000)
    client.login(admin())
    content = csv_bytes([[nip(1), "Nama Baru", asn.user.email, "DISDIK"]], header=["nip", "nama", "email", "kode_opd"])
    url = batch_url(upload(client, content))
    client.post_form(url + "/konfirmasi", page=url)
    [profile] = _profiles()
    assert (profile.user.name, profile.rank, profile.position, profile.tpp_amount) == (
        "Nama Baru", "III/c", "Guru", 5_000_000)


def test_xlsx_import_with_a_pppk_row(client, ctx, disdik):
    client.login(admin())
    pppk_nip = "198501012021212001"  # a PPPK number: "21" where a PNS month would be
    rows = [
        [pppk_nip, "Rina PPPK", "rina@contoh.go.id", "DISDIK", "IX", None, "Perawat", 3_000_000, "ya", True],
        [pppk_nip.replace("0101", "0102"), "Tanpa Tanda", "tanpa@contoh.go.id", "DISDIK", None, None, None, None,
         None, None],
        [int(nip(5)), "Angka", "angka@contoh.go.id", "DISDIK", None, None, None, None, None, None],
    ]
    url = batch_url(upload(client, xlsx_bytes(rows), "asn.xlsx"))
    html = client.get(url).get_data(as_text=True)
    errors = preview_errors(html)
    assert list(errors) == [3, 4]
    assert "TMT CPNS pada NIP tidak valid." in errors[3]["nip"] and "isi kolom pppk dengan ya" in errors[3]["nip"]
    assert "terbaca sebagai angka" in errors[4]["nip"] and "Format kolom NIP sebagai Teks" in errors[4]["nip"]
    client.post_form(url + "/konfirmasi", page=url)
    [profile] = _profiles()
    assert (profile.nip, profile.is_pppk, profile.rank, profile.tpp_amount) == (pppk_nip, True, "IX", 3_000_000)


def test_unreadable_uploads_are_refused_on_the_form(client, ctx, disdik):
    client.login(admin())
    response = upload(client, b"\xff\xfe not utf-8 \x81", "asn.csv")
    assert response.status_code == 422 and "UTF-8" in response.get_data(as_text=True)
    response = upload(client, csv_bytes([[nip(1), "Andi"]], header=["nip", "nama"]))
    assert response.status_code == 422 and "Kolom wajib tidak ada: email, kode_opd." in response.get_data(as_text=True)
    response = upload(client, b"PK\x03\x04 damaged", "asn.xlsx")
    assert response.status_code == 422 and "XLSX tidak dapat dibaca" in response.get_data(as_text=True)
    response = upload(client, b"nip,nama\n", "asn.txt")
    assert response.status_code == 422 and "csv atau .xlsx" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(AsnImportBatch.id))) == 0


def test_preview_is_refreshed_when_the_data_changed_before_confirming(client, ctx, disdik):
    client.login(admin())
    url = batch_url(upload(client, csv_bytes([[nip(1), "Andi", "andi@contoh.go.id", "DISDIK"] + [""] * 6])))
    UserFactory(email="andi@contoh.go.id")  # someone takes the email meanwhile

    response = client.post_form(url + "/konfirmasi", page=url)
    assert response.headers["Location"].endswith(url)
    html = client.get(url).get_data(as_text=True)
    assert "Data di sistem berubah sejak pratinjau dibuat" in html
    assert "Email sudah dipakai akun lain." in preview_errors(html)[2]["email"]
    assert _profiles() == []


def test_previews_are_private_and_expire(client, other_client, ctx, disdik):
    owner = admin()
    client.login(owner)
    url = batch_url(upload(client, csv_bytes([[nip(1), "Andi", "andi@contoh.go.id", "DISDIK"] + [""] * 6])))

    other_client.login(admin())
    assert other_client.get(url).status_code == 404
    assert other_client.post_form(url + "/konfirmasi", page=IMPORT_URL).status_code == 404

    batch = db.session.get(AsnImportBatch, int(url.rsplit("/", 1)[1]))
    batch.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    response = client.post_form(url + "/konfirmasi", page=IMPORT_URL)
    assert response.headers["Location"].endswith(IMPORT_URL)
    assert _profiles() == []
    # The next upload purges expired previews.
    upload(client, csv_bytes([[nip(2), "Budi", "budi@contoh.go.id", "DISDIK"] + [""] * 6]))
    expired = db.select(db.func.count(AsnImportBatch.id)).where(AsnImportBatch.expires_at < utcnow())
    assert db.session.scalar(expired) == 0


def test_cancelling_a_preview_writes_nothing(client, ctx, disdik):
    client.login(admin())
    url = batch_url(upload(client, csv_bytes([[nip(1), "Andi", "andi@contoh.go.id", "DISDIK"] + [""] * 6])))
    response = client.post_form(url + "/batal", page=url)
    assert response.headers["Location"].endswith(IMPORT_URL)
    assert client.get(url).status_code == 404
    assert _profiles() == []


def test_agency_admin_imports_only_into_their_own_agency(client, ctx, disdik, dinkes):
    outsider = AsnFactory(agency=dinkes, nip=nip(9))
    client.login(agency_admin(disdik))
    rows = [
        [nip(1), "Andi", "andi@contoh.go.id", "", "", "", "", "", "", ""],        # empty code: their agency
        [nip(2), "Budi", "budi@contoh.go.id", "DINKES", "", "", "", "", "", ""],  # another agency
        [nip(9), "Ambil Alih", outsider.user.email, "DISDIK", "", "", "", "", "", ""],  # another agency's ASN
    ]
    url = batch_url(upload(client, csv_bytes(rows)))
    errors = preview_errors(client.get(url).get_data(as_text=True))
    assert set(errors) == {3, 4}
    assert "hanya dapat mengimpor ASN untuk perangkat daerah Anda" in errors[3]["kode_opd"]
    assert "terdaftar di perangkat daerah lain" in errors[4]["nip"]
    client.post_form(url + "/konfirmasi", page=url)
    db.session.expire_all()
    assert db.session.scalar(db.select(AsnProfile).where(AsnProfile.nip == nip(1))).agency_id == disdik.id
    assert db.session.scalar(db.select(AsnProfile).where(AsnProfile.nip == nip(9))).user.name == outsider.user.name
    assert db.session.scalar(db.select(AsnProfile).where(AsnProfile.nip == nip(2))) is None


def test_agency_admin_cannot_change_the_email_of_an_account_with_other_roles(client, ctx, disdik):
    official = UserFactory(roles=[Role.BUYER, Role.PPK], roles__agency_id=disdik.id)
    AsnFactory(agency=disdik, user=official, nip=nip(1))
    client.login(agency_admin(disdik))
    rows = [[nip(1), official.name, "baru@contoh.go.id", "DISDIK", "", "", "", "", "", ""]]
    errors = preview_errors(client.get(batch_url(upload(client, csv_bytes(rows)))).get_data(as_text=True))
    assert "hanya dapat diubah administrator" in errors[2]["email"]


def test_import_templates_download(client, ctx):
    client.login(admin())
    response = client.get("/direktori/impor/templat.csv")
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    assert response.get_data(as_text=True).strip("\ufeff\r\n") == "nip,nama,email,kode_opd,pangkat,eselon,jabatan,tpp,pppk,aktif"
    response = client.get("/direktori/impor/templat.xlsx")
    assert response.data[:2] == b"PK"
    page = client.get(IMPORT_URL).get_data(as_text=True)
    for column in ("nip", "nama", "email", "kode_opd", "pangkat", "eselon", "jabatan", "tpp", "pppk", "aktif"):
        assert f"<code>{column}</code>" in page


def test_the_import_summary_reads_as_labelled_counts_in_english(client, ctx, disdik):
    """"1 new civil servants" would be wrong; the English summary names each count instead."""
    client.login(admin())
    client.get("/bahasa/en")
    rows = [[nip(1), "Andi Wijaya", "andi@contoh.go.id", "DISDIK", "", "", "", "", "", ""],
            [nip(2)[:17], "Budi Salah", "budi@contoh.go.id", "DISDIK", "", "", "", "", "", ""]]
    url = batch_url(upload(client, csv_bytes(rows)))
    client.post_form(url + "/konfirmasi", page=url)
    html = client.get("/direktori/").get_data(as_text=True)
    assert "Import finished. New civil servants: 1; updated: 0; unchanged: 0; problem rows skipped: 1." in html
