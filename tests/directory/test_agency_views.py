"""Agency screens: admins create, edit and (de)activate agencies; everyone else only looks."""
from bebeli.audit.models import AuditEvent
from bebeli.directory.models import Agency, AgencyKind
from bebeli.extensions import db
from tests.factories import AgencyFactory, AsnFactory, admin, agency_admin


def _agency_form(**overrides):
    data = {"code": " dinsos ", "name": "Dinas  Sosial", "kind": "dinas", "parent_id": "", "address": "",
            "kecamatan": "Cikarang Pusat"}
    data.update(overrides)
    return data


def test_admin_creates_and_edits_an_agency(client, ctx):
    setda = AgencyFactory(code="SETDA", name="Sekretariat Daerah", kind=AgencyKind.SEKRETARIAT)
    user = admin()
    client.login(user)
    assert client.post_form("/direktori/opd/baru", _agency_form(parent_id=str(setda.id))).status_code == 302
    agency = db.session.scalar(db.select(Agency).where(Agency.code == "DINSOS"))
    assert (agency.name, agency.parent_id, agency.address) == ("Dinas Sosial", setda.id, None)

    response = client.post_form("/direktori/opd/baru", _agency_form(name="Lain"))
    assert "Kode perangkat daerah ini sudah dipakai." in response.get_data(as_text=True)
    response = client.post_form("/direktori/opd/baru", _agency_form(code="DINAS SOSIAL!"))
    assert "Kode maksimal 20 karakter" in response.get_data(as_text=True)

    # An agency cannot sit under its own sub-agency.
    response = client.post_form(f"/direktori/opd/{setda.id}/ubah",
                                _agency_form(code="SETDA", name="Sekretariat Daerah", kind="sekretariat",
                                             parent_id=str(agency.id)))
    assert "Induk tidak boleh" in response.get_data(as_text=True)

    response = client.post_form(f"/direktori/opd/{agency.id}/ubah", _agency_form(code="DINSOS", kind="badan"))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Agency, agency.id).kind == AgencyKind.BADAN
    actions = db.session.scalars(db.select(AuditEvent.action).where(AuditEvent.actor_id == user.id)).all()
    assert "directory.agency_created" in actions and "directory.agency_updated" in actions


def test_deactivation_is_refused_while_staff_remain(client, ctx):
    agency = AgencyFactory()
    asn = AsnFactory(agency=agency)
    client.login(admin())
    url = f"/direktori/opd/{agency.id}/nonaktifkan"
    assert client.post(url).status_code == 400  # CSRF
    client.post_form(url, page=f"/direktori/opd/{agency.id}/ubah")
    assert "Masih ada 1 ASN aktif" in client.get(f"/direktori/opd/{agency.id}/ubah").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Agency, agency.id).is_active

    client.post_form(f"/direktori/asn/{asn.id}/nonaktifkan", page=f"/direktori/asn/{asn.id}")
    client.post_form(url, page=f"/direktori/opd/{agency.id}/ubah")
    db.session.expire_all()
    assert not db.session.get(Agency, agency.id).is_active
    assert db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "directory.agency_deactivated"))
    # An inactive agency is no longer offered for new ASN.
    assert agency.name not in client.get("/direktori/asn/baru").get_data(as_text=True)


def test_agency_list_search_and_scope(client, ctx):
    disdik = AgencyFactory(code="DISDIK", name="Dinas Pendidikan")
    AgencyFactory(code="KEC-CKU", name="Kecamatan Cikarang Utara", kind=AgencyKind.KECAMATAN)
    client.login(admin())
    html = client.get("/direktori/opd/?kind=kecamatan").get_data(as_text=True)
    assert "Kecamatan Cikarang Utara" in html and "Dinas Pendidikan" not in html
    html = client.get("/direktori/opd/?q=disdik").get_data(as_text=True)
    assert "Dinas Pendidikan" in html and "Cikarang Utara" not in html
    client.logout()

    client.login(agency_admin(disdik))
    html = client.get("/direktori/opd/").get_data(as_text=True)
    assert "Dinas Pendidikan" in html and "Cikarang Utara" not in html and "/ubah" not in html
    assert client.get(f"/direktori/opd/{disdik.id}/ubah").status_code == 403
    assert client.post_form(f"/direktori/opd/{disdik.id}/nonaktifkan", page="/direktori/opd/").status_code == 403
