"""Appointing procurement officials cannot reach across agencies or create conflicts of
interest: an official is an active ASN of the agency, never the appointer, an administrator,
or someone who owns or works for a shop; appointing never changes another agency's data; the
person appointed is told by mail. Agency checkout refuses a PP or PPK tied to a shop in the
cart, whatever the appointment said."""
from __future__ import annotations

import pytest

from bebeli.audit.models import AuditEvent
from bebeli.auth.models import Role, RoleAssignment
from bebeli.extensions import db, limiter
from bebeli.mail.models import OutboundEmail
from bebeli.notifications.models import Notification
from bebeli.procurement.models import AgencyPurchase
from bebeli.procurement.officials import declaration_of, declare
from tests.conftest import _empty_all_tables
from tests.factories import AgencyFactory, AsnFactory, ProductFactory, ShopFactory, UserFactory, admin, agency_admin
from tests.procurement.factories import BudgetLineFactory, team
from tests.security.forms import forms_on
from tests.security.hostile import rendered_values

NIK = "3216015506900001"
BANK = "1234567890"


@pytest.fixture(autouse=True)
def _fresh_database(app):
    """Each test here builds its own data: empty the tables after it, as the rest of the suite
    does (this folder's conftest turns that off for the module-wide world of the other suites)."""
    yield
    with app.app_context():
        _empty_all_tables()
    limiter.reset()


def _officials_page(agency) -> str:
    return f"/pengadaan/instansi/{agency.id}/pejabat"


def _appoint(client, agency, **values):
    """The appointment form as the page renders it, with `values` typed in."""
    page = _officials_page(agency)
    [form] = [f for f in forms_on(page, client.get(page).get_data(as_text=True)) if "email" in f.fields]
    data = rendered_values(form)
    for name, value in values.items():
        data.setlist(name, [value])
    data.add("csrf_token", client.csrf_token(page))
    return client.post(form.action, data=data)


def _roles(user) -> set:
    db.session.expire_all()
    return {(a.role, a.agency_id) for a in user.roles}


@pytest.fixture
def two_agencies(ctx):
    mine, theirs = AgencyFactory(), AgencyFactory()
    return mine, theirs, agency_admin(mine)


def test_another_agencys_official_is_refused_and_their_declaration_kept(client, two_agencies):
    mine, theirs, operator = two_agencies
    official = AsnFactory(agency=theirs, user=UserFactory(roles=[Role.PPK], roles__agency_id=theirs.id)).user
    declare(official, nik=NIK, phone=None, bank_account_number=BANK, actor=None)
    db.session.commit()
    before = _roles(official)
    client.login(operator)
    response = _appoint(client, mine, email=official.email, role="ppk", nik="", bank_account="")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and f"Pejabat harus ASN aktif di {mine.name}" in page
    assert _roles(official) == before
    declaration = declaration_of(official.id)
    assert (declaration.nik, declaration.bank_account_number) == (NIK, BANK)
    # An unknown email gets the same answer: the form tells nothing about other agencies' people.
    unknown = _appoint(client, mine, email="tidak.ada@contoh.go.id", role="ppk").get_data(as_text=True)
    assert f"Pejabat harus ASN aktif di {mine.name}" in unknown


def test_a_former_asn_of_the_agency_is_refused(client, two_agencies):
    mine, _theirs, operator = two_agencies
    leaver = AsnFactory(agency=mine, is_active=False).user
    client.login(operator)
    assert "harus ASN aktif" in _appoint(client, mine, email=leaver.email, role="pp").get_data(as_text=True)
    assert not leaver.has_role(Role.PP)


@pytest.mark.parametrize("who", ["seller account", "shop owner", "same NIK", "same bank account", "same phone"])
def test_someone_tied_to_a_shop_is_refused(client, two_agencies, who):
    mine, _theirs, operator = two_agencies
    person = AsnFactory(agency=mine).user
    shop = ShopFactory(nik=NIK, bank_account_number=BANK, phone="6281277778888")
    typed = {}
    if who == "seller account":
        person.roles.append(RoleAssignment(role=Role.SELLER))
        db.session.commit()
    elif who == "shop owner":
        shop.owner = person
        db.session.commit()
    elif who == "same NIK":
        typed = {"nik": NIK}
    elif who == "same bank account":
        typed = {"bank_account": BANK}
    else:
        typed = {"phone": "0812-7777-8888"}
    client.login(operator)
    response = _appoint(client, mine, email=person.email, role="pp", **typed)
    assert response.status_code == 200
    assert "memiliki atau terkait dengan toko di BEBELI" in response.get_data(as_text=True)
    assert not _roles(person) & {(Role.PP, mine.id)}
    assert declaration_of(person.id) is None


def test_a_tie_declared_earlier_is_refused_too(client, two_agencies):
    mine, _theirs, operator = two_agencies
    person = AsnFactory(agency=mine).user
    ShopFactory(bank_account_number=BANK)
    declare(person, nik=None, phone=None, bank_account_number=BANK, actor=None)
    db.session.commit()
    client.login(operator)
    assert "terkait dengan toko" in _appoint(client, mine, email=person.email, role="ppk").get_data(as_text=True)


def test_administrators_and_oneself_are_refused(client, two_agencies):
    mine, _theirs, _operator = two_agencies
    operator = AsnFactory(agency=mine, user=agency_admin(mine)).user
    colleague = AsnFactory(agency=mine, user=agency_admin(mine)).user
    super_admin = AsnFactory(agency=mine, user=admin()).user
    client.login(operator)
    assert "diri sendiri" in _appoint(client, mine, email=operator.email, role="pp").get_data(as_text=True)
    for other in (colleague, super_admin):
        page = _appoint(client, mine, email=other.email, role="ppk").get_data(as_text=True)
        assert "Administrator tidak dapat merangkap" in page
    for person in (operator, colleague, super_admin):
        assert not {role for role, _agency in _roles(person)} & {Role.PP, Role.PPK}


def test_appointment_keeps_earlier_declarations_and_tells_the_person(client, two_agencies):
    mine, _theirs, operator = two_agencies
    person = AsnFactory(agency=mine).user
    declare(person, nik=NIK, phone=None, bank_account_number=BANK, actor=None)
    db.session.commit()
    client.login(operator)
    response = _appoint(client, mine, email=person.email, role="ppk", phone="0812-1111-2222")
    assert response.status_code == 302, response.get_data(as_text=True)
    assert (Role.PPK, mine.id) in _roles(person)
    declaration = declaration_of(person.id)
    assert (declaration.nik, declaration.phone, declaration.bank_account_number) == (NIK, "6281211112222", BANK)
    mail = db.session.scalar(db.select(OutboundEmail).where(OutboundEmail.to == person.email))
    assert mail is not None and "Pejabat Pembuat Komitmen (PPK)" in mail.body and mine.name in mail.body
    assert db.session.scalar(db.select(Notification).where(Notification.user_id == person.id))


def test_dismissing_through_ones_own_agency_cannot_touch_another_agencys_official(client, two_agencies):
    mine, theirs, operator = two_agencies
    official = UserFactory(roles=[Role.PPK], roles__agency_id=theirs.id)
    client.login(operator)
    page = _officials_page(mine)
    response = client.post_form(f"{page}/{official.id}/ppk/cabut", page=page)
    assert response.status_code == 404
    assert _roles(official) == {(Role.PPK, theirs.id)}
    assert db.session.scalar(db.select(db.func.count(AuditEvent.id)).where(
        AuditEvent.action == "procurement.official_dismissed")) == 0


def _agency_checkout(client, t, product, **values):
    """Put `product` in the PP's cart and submit the agency checkout as the page renders it."""
    page = f"/produk/{product.id}/{product.slug}"
    [add] = [f for f in forms_on(page, client.get(page).get_data(as_text=True)) if "/keranjang/tambah" in f.action]
    client.post(add.action, data={**rendered_values(add).to_dict(), "csrf_token": client.csrf_token(page)})
    [form] = [f for f in forms_on("/pengadaan/checkout", client.get("/pengadaan/checkout").get_data(as_text=True))
              if "budget_line" in f.fields]
    data = rendered_values(form)
    data.setlist("delivery_address", ["Kantor Dinas, Cikarang Pusat"])
    for name, value in values.items():
        data.setlist(name, [value])
    data.add("csrf_token", client.csrf_token("/pengadaan/checkout"))
    return client.post(form.action, data=data)


def test_agency_checkout_refuses_a_pp_tied_to_a_shop_in_the_cart(client, ctx):
    # (A PP's own shop never reaches the cart: nobody can add their own products.)
    t = team()
    BudgetLineFactory(agency=t.agency)
    product = ProductFactory(shop=ShopFactory(nik=NIK), stock=10)
    declare(t.pp, nik=NIK, phone=None, bank_account_number=None, actor=None)
    db.session.commit()
    client.login(t.pp)
    response = _agency_checkout(client, t, product)
    assert response.status_code == 200
    assert "Anda memiliki atau terkait dengan toko" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(AgencyPurchase.id))) == 0


def test_agency_checkout_refuses_a_ppk_tied_to_a_shop_in_the_cart(client, ctx):
    t = team()
    BudgetLineFactory(agency=t.agency)
    shop = ShopFactory(bank_account_number=BANK)
    product = ProductFactory(shop=shop, stock=10)
    declare(t.ppk, nik=None, phone=None, bank_account_number=BANK, actor=None)   # declared after appointment
    db.session.commit()
    client.login(t.pp)
    response = _agency_checkout(client, t, product, ppk=str(t.ppk.id))
    assert response.status_code == 200
    assert f"PPK yang dipilih memiliki atau terkait dengan toko {shop.name}" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(AgencyPurchase.id))) == 0
    other_ppk = UserFactory(roles=[Role.PPK], roles__agency_id=t.agency.id)
    assert _agency_checkout(client, t, product, ppk=str(other_ppk.id)).status_code == 302
