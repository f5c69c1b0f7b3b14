import re

from itsdangerous import TimestampSigner

from bebeli.auth.models import Role
from bebeli.extensions import db
from bebeli.mail.models import OutboundEmail
from tests.factories import TEST_PASSWORD, AsnFactory, UserFactory

NEW_PASSWORD = "kata-sandi-baru-99"


def _reset_link(email: str) -> str:
    message = db.session.scalars(
        db.select(OutboundEmail).where(OutboundEmail.to == email).order_by(OutboundEmail.id.desc())
    ).first()
    assert message is not None, "no reset mail queued"
    return re.search(r"http://localhost(/atur-ulang/\S+)", message.body).group(1)


def test_change_password_requires_current_and_ends_other_sessions(client, other_client, ctx):
    user = UserFactory(email="ani@contoh.go.id", roles=[Role.BUYER])
    client.login(user)
    other_client.login(user)

    bad = client.post_form("/akun/kata-sandi", {"current_password": "bukan-ini-123", "new_password": NEW_PASSWORD,
                                                "confirm": NEW_PASSWORD})
    assert "Kata sandi saat ini salah." in bad.get_data(as_text=True)

    short = client.post_form("/akun/kata-sandi", {"current_password": TEST_PASSWORD, "new_password": "pendek",
                                                  "confirm": "pendek"})
    assert "minimal" in short.get_data(as_text=True).lower()

    ok = client.post_form("/akun/kata-sandi", {"current_password": TEST_PASSWORD, "new_password": NEW_PASSWORD,
                                               "confirm": NEW_PASSWORD})
    assert ok.status_code == 302
    assert client.get("/akun").status_code == 200       # this session survives
    assert other_client.get("/akun").status_code == 302  # the other one is logged out
    client.logout()
    client.login("ani@contoh.go.id", NEW_PASSWORD)


def test_reset_by_nip_mails_a_single_use_link(client, ctx):
    asn = AsnFactory(nip="199007212015032001")
    response = client.post_form("/lupa-kata-sandi", {"identifier": "199007212015032001"})
    assert response.status_code == 302
    link = _reset_link(asn.user.email)

    assert client.get(link).status_code == 200
    done = client.post_form(link, {"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302
    client.login("199007212015032001", NEW_PASSWORD)
    client.logout()

    again = client.get(link)
    assert again.status_code == 400 and "tidak valid" in again.get_data(as_text=True)


def test_reset_for_unknown_account_says_the_same_and_sends_nothing(client, ctx):
    known = client.post_form("/lupa-kata-sandi", {"identifier": "nobody@contoh.go.id"}, follow_redirects=True)
    assert "Jika akun tersebut terdaftar" in known.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(OutboundEmail.id))) == 0


def test_reset_token_expires(client, ctx, monkeypatch, app):
    user = UserFactory(email="ani@contoh.go.id")
    real = TimestampSigner.get_timestamp
    two_hours_ago = lambda self: real(self) - 2 * 3600  # noqa: E731
    monkeypatch.setattr(TimestampSigner, "get_timestamp", two_hours_ago)
    client.post_form("/lupa-kata-sandi", {"identifier": "ani@contoh.go.id"})
    monkeypatch.setattr(TimestampSigner, "get_timestamp", real)
    link = _reset_link(user.email)
    response = client.post_form(link, {"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD}, page="/lupa-kata-sandi")
    assert response.status_code == 400
    client.login("ani@contoh.go.id", TEST_PASSWORD)  # old password still works


def test_tampered_reset_token_is_refused(client, ctx):
    UserFactory(email="ani@contoh.go.id")
    client.post_form("/lupa-kata-sandi", {"identifier": "ani@contoh.go.id"})
    link = _reset_link("ani@contoh.go.id")
    assert client.get(link[:-2] + "xx").status_code == 400
