"""ASN screens: list, search, filter and pagination; create and edit with NIP validation;
deactivation; and what an agency admin may and may not see."""
from datetime import date

import pytest

from bebeli.audit.models import AuditEvent
from bebeli.auth.models import Role
from bebeli.dates import jakarta_today
from bebeli.directory.models import AsnProfile, Echelon
from bebeli.extensions import db
from tests.directory.helpers import nip
from tests.factories import AgencyFactory, AsnFactory, UserFactory, admin, agency_admin

LIST = "/direktori/"


@pytest.fixture
def disdik(ctx):
    return AgencyFactory(code="DISDIK", name="Dinas Pendidikan")


@pytest.fixture
def dinkes(ctx):
    return AgencyFactory(code="DINKES", name="Dinas Kesehatan")


def _asn(agency, seq, name, **kw):
    return AsnFactory(agency=agency, nip=nip(seq), user__name=name, **kw)


def _names(client, query: str = "") -> list[str]:
    html = client.get(LIST + query).get_data(as_text=True)
    return [name for name in ("Andi", "Budi", "Citra", "Dewi", "Eko") if f">{name} " in html]


def _form(agency_id, **overrides):
    data = {"nip": nip(7), "name": "Fajar Nugraha", "email": "fajar@contoh.go.id", "agency_id": str(agency_id),
            "rank": "iii/b", "echelon": "staf", "position": "Pranata Komputer", "tpp_amount": "Rp 4.250.000",
            "active_from": ""}
    data.update(overrides)
    return data


def test_search_and_filters(client, ctx, disdik, dinkes):
    _asn(disdik, 1, "Andi Wijaya", echelon=Echelon.IV)
    _asn(disdik, 2, "Budi Santoso", is_pppk=True)
    _asn(dinkes, 3, "Citra Lestari")
    _asn(dinkes, 4, "Dewi Anggraini", is_active=False)
    client.login(admin())

    assert _names(client) == ["Andi", "Budi", "Citra"]  # active ones by default
    assert _names(client, "?status=semua") == ["Andi", "Budi", "Citra", "Dewi"]
    assert _names(client, "?status=nonaktif") == ["Dewi"]
    assert _names(client, "?q=santoso") == ["Budi"]
    assert _names(client, f"?q={nip(3)[:8]}.{nip(3)[8:]}") == ["Citra"]  # NIP, with a separator
    assert _names(client, f"?agency_id={dinkes.id}") == ["Citra"]
    assert _names(client, "?echelon=iv") == ["Andi"]
    assert _names(client, "?kind=pppk") == ["Budi"]
    assert _names(client, "?q=%25") == []  # LIKE wildcards are taken literally
    assert "Tidak ada ASN yang cocok" in client.get(LIST + "?q=tidak-ada").get_data(as_text=True)


def test_pagination(client, app, ctx, disdik):
    size = app.config["PAGE_SIZE"]
    for seq in range(size + 3):
        _asn(disdik, seq + 1, f"Pegawai {seq:02d}")
    client.login(admin())
    first = client.get(LIST).get_data(as_text=True)
    second = client.get(LIST + "?page=2").get_data(as_text=True)
    assert first.count("/direktori/asn/") - first.count("/direktori/asn/baru") == size
    assert "Pegawai 00" in first and f"Pegawai {size:02d}" in second and "Pegawai 00" not in second
    assert f"Halaman 2 dari 2 · {size + 3} data" in second
    assert 'rel="prev"' in second


def test_create_asn_with_nip_validation_messages(client, ctx, disdik):
    user = admin()
    client.login(user)
    cases = {
        "12345": "NIP harus 18 digit.",
        "19901315" + "201503" + "1001": "Tanggal lahir pada NIP tidak valid.",
        "19900115" + "200503" + "1001": "TMT CPNS pada NIP harus setelah usia 18 tahun.",
        "19900115" + "201503" + "3001": "Kode jenis kelamin pada NIP harus 1 atau 2.",
        "19900115" + "201521" + "1001": "TMT CPNS pada NIP tidak valid.",  # a PPPK number, box not ticked
        "1990011520150310O1": "NIP hanya boleh berisi angka.",
    }
    for bad, message in cases.items():
        response = client.post_form("/direktori/asn/baru", _form(disdik.id, nip=bad))
        assert response.status_code == 200 and message in response.get_data(as_text=True), bad
    assert db.session.scalar(db.select(db.func.count(AsnProfile.id))) == 0

    # The same PPPK number passes once flagged, and is stored with the flag.
    response = client.post_form("/direktori/asn/baru", _form(disdik.id, nip="19900115 201521 1 001", is_pppk="y"))
    assert response.status_code == 302
    asn = db.session.scalar(db.select(AsnProfile))
    assert (asn.nip, asn.is_pppk, asn.rank, asn.tpp_amount) == ("199001152015211001", True, "III/b", 4_250_000)
    assert asn.user.email == "fajar@contoh.go.id" and asn.user.has_role(Role.BUYER)
    assert db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "directory.asn_created")).actor_id == user.id

    response = client.post_form("/direktori/asn/baru", _form(disdik.id, nip="199001152015211001", is_pppk="y",
                                                             email="lain@contoh.go.id"))
    assert "NIP ini sudah terdaftar." in response.get_data(as_text=True)
    response = client.post_form("/direktori/asn/baru", _form(disdik.id, nip=nip(8)))
    assert "Email sudah terdaftar." in response.get_data(as_text=True)


def test_edit_asn_records_the_changes(client, ctx, disdik, dinkes):
    asn = _asn(disdik, 1, "Andi Wijaya", tpp_amount=4_000_000)
    client.login(admin())
    url = f"/direktori/asn/{asn.id}/ubah"
    assert asn.nip in client.get(url).get_data(as_text=True)
    response = client.post_form(url, _form(dinkes.id, nip=asn.nip, name="Andi W.", email=asn.user.email,
                                           tpp_amount="5000000", echelon="iii"))
    assert response.status_code == 302
    db.session.expire_all()
    asn = db.session.get(AsnProfile, asn.id)
    assert (asn.user.name, asn.agency_id, asn.tpp_amount, asn.echelon) == ("Andi W.", dinkes.id, 5_000_000, Echelon.III)
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "directory.asn_updated"))
    assert event.details["changes"]["tpp_amount"] == [4_000_000, 5_000_000]
    assert event.details["changes"]["agency_id"] == [disdik.id, dinkes.id]
    assert "directory.asn_updated" in client.get(f"/direktori/asn/{asn.id}").get_data(as_text=True)


def test_deactivate_needs_post_with_csrf_and_is_audited(client, ctx, disdik):
    asn = _asn(disdik, 1, "Andi Wijaya")
    user = admin()
    client.login(user)
    url = f"/direktori/asn/{asn.id}/nonaktifkan"
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 400  # no CSRF token
    db.session.expire_all()
    assert db.session.get(AsnProfile, asn.id).is_active

    response = client.post_form(url, page=f"/direktori/asn/{asn.id}")
    assert response.status_code == 302
    db.session.expire_all()
    asn = db.session.get(AsnProfile, asn.id)
    assert (asn.is_active, asn.active_until) == (False, jakarta_today())
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "directory.asn_deactivated"))
    assert (event.actor_id, event.object_id) == (user.id, str(asn.id))

    client.post_form(f"/direktori/asn/{asn.id}/aktifkan", page=f"/direktori/asn/{asn.id}")
    db.session.expire_all()
    assert db.session.get(AsnProfile, asn.id).is_active and db.session.get(AsnProfile, asn.id).active_until is None


def test_agency_admin_sees_and_manages_only_their_agency(client, ctx, disdik, dinkes):
    own = _asn(disdik, 1, "Andi Wijaya")
    other = _asn(dinkes, 2, "Budi Santoso")
    operator = agency_admin(disdik)
    client.login(operator)

    assert client.get("/masuk").headers["Location"].endswith(LIST)  # their home
    html = client.get(LIST).get_data(as_text=True)
    assert 'data-testid="agency-home"' in html
    assert _names(client) == ["Andi"] and _names(client, f"?agency_id={dinkes.id}") == []
    for path in (f"/direktori/asn/{other.id}", f"/direktori/asn/{other.id}/ubah"):
        assert client.get(path).status_code == 404, path
    for path in (f"/direktori/asn/{other.id}/ubah", f"/direktori/asn/{other.id}/nonaktifkan"):
        assert client.post_form(path, _form(disdik.id), page=LIST).status_code == 404, path
    db.session.expire_all()
    assert db.session.get(AsnProfile, other.id).is_active

    # Their own ASN cannot be moved to another agency: it is not among the choices.
    response = client.post_form(f"/direktori/asn/{own.id}/ubah",
                                _form(dinkes.id, nip=own.nip, name="Andi Wijaya", email=own.user.email))
    assert response.status_code == 200 and 'id="agency_id-error"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(AsnProfile, own.id).agency_id == disdik.id
    # Nor can a new one be created elsewhere.
    response = client.post_form("/direktori/asn/baru", _form(dinkes.id))
    assert response.status_code == 200 and db.session.scalar(db.select(AsnProfile).where(AsnProfile.nip == nip(7))) is None

    assert client.get("/direktori/opd/baru").status_code == 403
    agencies = client.get("/direktori/opd/").get_data(as_text=True)
    assert "Dinas Pendidikan" in agencies and "Dinas Kesehatan" not in agencies


def test_agency_admin_cannot_take_over_an_account_with_other_roles(client, ctx, disdik):
    colleague = UserFactory(roles=[Role.BUYER, Role.ADMIN], roles__totp=False)
    asn = AsnFactory(agency=disdik, user=colleague, nip=nip(1))
    client.login(agency_admin(disdik))
    response = client.post_form(f"/direktori/asn/{asn.id}/ubah",
                                _form(disdik.id, nip=asn.nip, name=colleague.name, email="penyusup@contoh.go.id"))
    assert "hanya dapat diubah administrator" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(AsnProfile, asn.id).user.email == colleague.email


def test_other_roles_cannot_open_the_directory(client, ctx, disdik):
    for user in (UserFactory(roles=[Role.BUYER]), UserFactory(roles=[Role.SELLER])):
        client.login(user)
        for path in (LIST, "/direktori/opd/", "/direktori/impor", "/direktori/asn/baru"):
            assert client.get(path).status_code == 403, path
        client.logout()
    assert "/masuk" in client.get(LIST).headers["Location"]


def test_active_from_is_kept(client, ctx, disdik):
    client.login(admin())
    client.post_form("/direktori/asn/baru", _form(disdik.id, active_from="2026-03-16"))
    assert db.session.scalar(db.select(AsnProfile)).active_from == date(2026, 3, 16)
