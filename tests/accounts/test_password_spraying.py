"""One address trying many usernames is paused; a service hall's typos are not (issue 11, item 16)."""

import pytest
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

LOGIN = reverse("accounts:login")
HALL = "10.20.30.40"


def try_login(client, username, password, address=HALL):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


@pytest.mark.django_db
class TestPasswordSpraying:
    def test_many_usernames_from_one_address_pause_sign_in_there(self, client, county_user, settings):
        limit = settings.LOGIN_FAILURES_PER_ADDRESS
        for n in range(limit):
            try_login(client, f"guess{n}", "Summer-2026!")
        refused = try_login(client, county_user.username, PASSWORD)
        assert refused.status_code == 200 and "_auth_user_id" not in client.session
        assert "此网络地址登录失败次数过多" in refused.content.decode()
        # Elsewhere the same account signs in as usual.
        assert try_login(client, county_user.username, PASSWORD, address="10.99.0.1").status_code == 302

    def test_the_token_endpoint_is_paused_too(self, client, county_user, settings):
        for n in range(settings.LOGIN_FAILURES_PER_ADDRESS):
            client.post("/api/v1/auth/token/", {"username": f"guess{n}", "password": "x"}, REMOTE_ADDR=HALL)
        refused = client.post(
            "/api/v1/auth/token/", {"username": county_user.username, "password": PASSWORD}, REMOTE_ADDR=HALL
        )
        assert refused.status_code == 429 and refused.json()["code"] == "address_paused"
        assert "token" not in refused.json()

    def test_a_service_halls_typos_do_not_reach_the_limit(self, client, tree):
        clerks = [UserFactory(username=f"hall{n}", organisation=tree["shangzhou"]) for n in range(10)]
        for clerk in clerks:  # every clerk of a busy morning mistypes four times, then gets it right
            for _ in range(4):
                try_login(client, clerk.username, "Wrong-pass-1")
            assert try_login(client, clerk.username, PASSWORD).status_code == 302
            client.logout()
