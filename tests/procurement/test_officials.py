"""Appointing and dismissing an agency's PP, PPK and Bendahara; who may do it."""
from bebeli.auth.models import Role, User
from bebeli.extensions import db
from bebeli.mail.models import OutboundEmail
from bebeli.procurement.officials import declaration_of, declarations_of, declare
from tests.factories import AgencyFactory, AsnFactory, UserFactory, admin, agency_admin


def test_agency_admin_appoints_an_asn_of_the_agency_with_declared_identifiers(client, ctx):
    agency = AgencyFactory()
    person = AsnFactory(agency=agency, user__email="rudi@contoh.go.id").user
    client.login(agency_admin(agency))
    response = client.post_form(f"/pengadaan/instansi/{agency.id}/pejabat", {
        "email": "Rudi@Contoh.go.id", "role": "ppk", "nik": "3216 0155 0690 0001", "phone": "0812-1111-2222",
        "bank_account": ""})
    assert response.status_code == 302
    db.session.refresh(person)
    assert person.agency_ids(Role.PPK) == {agency.id}
    declaration = declaration_of(person.id)
    assert (declaration.nik, declaration.phone, declaration.bank_account_number) == (
        "3216015506900001", "6281211112222", None)
    page = client.get(f"/pengadaan/instansi/{agency.id}/pejabat").get_data(as_text=True)
    assert "rudi@contoh.go.id" in page and "3216015506900001" not in page   # identifiers are never shown


def test_only_an_asn_of_the_agency_is_appointed_and_is_told_by_mail(client, ctx):
    agency = AgencyFactory()
    client.login(admin())
    refused = client.post_form(f"/pengadaan/instansi/{agency.id}/pejabat",
                               {"email": "bendahara@contoh.go.id", "role": "bendahara"})   # no such account
    assert refused.status_code == 200 and "harus ASN aktif di" in refused.get_data(as_text=True)
    assert db.session.scalar(db.select(User).where(User.email == "bendahara@contoh.go.id")) is None
    user = AsnFactory(agency=agency, user__email="bendahara@contoh.go.id").user
    response = client.post_form(f"/pengadaan/instansi/{agency.id}/pejabat",
                                {"email": "bendahara@contoh.go.id", "role": "bendahara"})
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.agency_ids(Role.TREASURER) == {agency.id}
    mail = db.session.scalar(db.select(OutboundEmail).where(OutboundEmail.to == user.email))
    assert "Bendahara" in mail.body and agency.name in mail.body


def test_dismiss_and_scope(client, ctx):
    mine, other = AgencyFactory(), AgencyFactory()
    pp = UserFactory(roles=[Role.PP], roles__agency_id=mine.id)
    client.login(agency_admin(other))
    assert client.get(f"/pengadaan/instansi/{mine.id}/pejabat").status_code == 404
    assert client.post_form(f"/pengadaan/instansi/{mine.id}/pejabat/{pp.id}/pp/cabut",
                            page=f"/pengadaan/instansi/{other.id}/pejabat").status_code == 404
    client.logout()
    client.login(agency_admin(mine))
    assert client.post_form(f"/pengadaan/instansi/{mine.id}/pejabat/{pp.id}/pp/cabut",
                            page=f"/pengadaan/instansi/{mine.id}/pejabat").status_code == 302
    db.session.refresh(pp)
    assert not pp.has_role(Role.PP)
    assert client.post_form(f"/pengadaan/instansi/{mine.id}/pejabat/{pp.id}/admin/cabut",
                            page=f"/pengadaan/instansi/{mine.id}/pejabat").status_code == 404
    client.logout()
    client.login(UserFactory(roles=[Role.PPK], roles__agency_id=mine.id))   # officials cannot appoint
    assert client.get(f"/pengadaan/instansi/{mine.id}/pejabat").status_code == 403


def test_the_officials_page_tells_who_declared_which_identifiers(client, ctx):
    agency = AgencyFactory()
    declared = UserFactory(roles=[Role.PP], roles__agency_id=agency.id)
    UserFactory(roles=[Role.PPK], roles__agency_id=agency.id)
    declare(declared, nik="3216015506900001", phone=None, bank_account_number="1234567890", actor=None)
    db.session.commit()
    assert declarations_of([]) == {}
    assert set(declarations_of([declared.id])) == {declared.id}
    client.login(agency_admin(agency))
    page = client.get(f"/pengadaan/instansi/{agency.id}/pejabat").get_data(as_text=True)
    assert "NIK, rekening" in page and "belum ada" in page
