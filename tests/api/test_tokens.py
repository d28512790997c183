"""API tokens expire when idle, are new at each sign-in, and die on sign-out and on a password change (item 11)."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from knox.models import AuthToken

from tests.factories import PASSWORD, UserFactory

TOKEN = "/api/v1/auth/token/"


def sign_in(client, user, password=PASSWORD):
    response = client.post(TOKEN, {"username": user.username, "password": password})
    assert response.status_code == 200, response.json()
    return response.json()


def me(client, token):
    return client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}")


@pytest.mark.django_db
class TestTokens:
    def test_the_answer_keeps_its_shape_and_says_when_it_expires(self, client, county_user):
        body = sign_in(client, county_user)
        assert set(body) == {"token", "expiry"} and me(client, body["token"]).status_code == 200
        # Only a hash is stored.
        assert not AuthToken.objects.filter(digest=body["token"]).exists()

    def test_each_sign_in_gets_a_new_token(self, client, county_user):
        assert sign_in(client, county_user)["token"] != sign_in(client, county_user)["token"]

    def test_an_unused_token_expires_and_a_used_one_lives_on(self, client, county_user, settings):
        idle = settings.REST_KNOX["TOKEN_TTL"]
        used = sign_in(client, county_user)["token"]
        unused = sign_in(client, county_user)["token"]
        start = timezone.now()
        with time_machine.travel(start + idle - timedelta(minutes=5), tick=False):
            assert me(client, used).status_code == 200
        with time_machine.travel(start + idle + timedelta(minutes=5), tick=False):
            assert me(client, unused).status_code == 401
            assert me(client, used).status_code == 200

    def test_sign_out_revokes_that_token_only(self, client, county_user):
        first = sign_in(client, county_user)["token"]
        second = sign_in(client, county_user)["token"]
        assert client.post("/api/v1/auth/logout/", HTTP_AUTHORIZATION=f"Token {first}").status_code == 204
        assert me(client, first).status_code == 401 and me(client, second).status_code == 200

    def test_sign_out_everywhere_revokes_every_token(self, client, county_user):
        first = sign_in(client, county_user)["token"]
        second = sign_in(client, county_user)["token"]
        assert client.post("/api/v1/auth/logout-all/", HTTP_AUTHORIZATION=f"Token {first}").status_code == 204
        assert me(client, first).status_code == 401 and me(client, second).status_code == 401

    def test_a_password_change_revokes_every_token(self, client, county_user):
        token = sign_in(client, county_user)["token"]
        client.force_login(county_user)
        new = "Brand-New-Pass-7"
        client.post(
            reverse("accounts:password-change"),
            {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
        )
        client.logout()
        assert me(client, token).status_code == 401

    def test_a_reset_by_the_security_admin_revokes_every_token(self, client, tree, county_user, settings):
        settings.OTP_REQUIRED_FOR_ADMINS = False
        token = sign_in(client, county_user)["token"]
        sec = UserFactory(username="sec_tok", organisation=tree["city"], roles=["security_admin"])
        client.force_login(sec)
        client.post(reverse("accounts:user-password-reset", args=[county_user.pk]))
        client.logout()
        assert me(client, token).status_code == 401
        # And no token for the temporary password until the owner has chosen a new one.
        county_user.refresh_from_db()
        assert county_user.must_change_password

    def test_the_token_endpoint_keeps_the_lockout(self, client, county_user, settings):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            client.post(TOKEN, {"username": county_user.username, "password": "Wrong-1-pass"})
        locked = client.post(TOKEN, {"username": county_user.username, "password": PASSWORD})
        assert locked.status_code == 429 and "token" not in locked.json()
