"""The JSON API: schema and docs, token sign-in, JSON errors in Chinese, the anonymous status check."""

import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD, UserFactory


@pytest.mark.django_db
def test_schema_and_docs_are_served_without_a_cdn(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and b"/api/v1/claims/status/" in schema.content
    docs = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in docs
    assert not re.search(r'(src|href)="(https?:)?//', docs)  # every asset from this server, none from a CDN


@pytest.mark.django_db
class TestToken:
    def test_staff_get_a_token_and_use_it(self, client, county_user):
        token = client.post("/api/v1/auth/token/", {"username": county_user.username, "password": PASSWORD}).json()
        me = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token['token']}").json()
        assert me["username"] == county_user.username

    def test_wrong_password_is_a_chinese_json_error(self, client, county_user):
        response = client.post("/api/v1/auth/token/", {"username": county_user.username, "password": "nope"})
        body = response.json()
        assert response.status_code == 400 and body["code"] == "invalid" and "字段" in body["message"]

    def test_two_factor_users_need_the_code_for_a_token(self, client, tree, settings):
        settings.OTP_REQUIRED_FOR_ADMINS = True
        admin = UserFactory(organisation=tree["city"], roles=["city_admin"])
        refused = client.post("/api/v1/auth/token/", {"username": admin.username, "password": PASSWORD})
        assert refused.status_code == 400 and "otp_token" in refused.json()["fields"]
        device = TOTPDevice.objects.create(user=admin, name="phone", confirmed=True)
        ok = client.post(
            "/api/v1/auth/token/",
            {"username": admin.username, "password": PASSWORD, "otp_token": f"{totp(device.bin_key):06d}"},
        )
        assert ok.status_code == 200 and ok.json()["token"]

    def test_anonymous_api_call_is_a_json_401_or_403(self, client):
        response = client.get("/api/v1/organisations/")
        assert response.status_code in (401, 403) and response.json()["code"] in ("not_authenticated", "forbidden")
