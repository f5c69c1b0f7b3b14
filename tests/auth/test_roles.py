import pytest

from bebeli.auth.models import Role
from tests.factories import AgencyFactory, UserFactory, agency_admin


@pytest.mark.parametrize("path", ["/admin/", "/admin/audit/"])
def test_admin_pages_refuse_other_roles(client, ctx, path):
    agency = AgencyFactory()
    for user in (UserFactory(roles=[Role.BUYER]), UserFactory(roles=[Role.SELLER]), agency_admin(agency)):
        client.login(user)
        assert client.get(path).status_code == 403, user
        client.logout()
    client.login(UserFactory(roles=[Role.ADMIN]))
    assert client.get(path).status_code == 200


def test_anonymous_is_sent_to_login(client):
    response = client.get("/admin/")
    assert response.status_code == 302 and "/masuk" in response.headers["Location"]


def test_each_role_lands_on_its_home(client, ctx):
    client.login(UserFactory(roles=[Role.ADMIN]))
    assert client.get("/masuk").headers["Location"].endswith("/admin/")


def test_one_person_may_hold_several_roles(client, ctx):
    user = UserFactory(roles=[Role.BUYER, Role.ADMIN])
    client.login(user)
    assert client.get("/admin/").status_code == 200
    assert user.has_role("buyer") and user.has_role(Role.ADMIN) and not user.has_role("seller")
