"""A session that passed the password but not the authenticator code gets nothing from the API (issue 11, item 1)."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD, UserFactory, make_member
from tests.reporting.conftest import catalogue, reports  # noqa: F401

REPORT_URL = "/api/v1/reporting/reports/611002/2026-10/"


def password_only(client, user):
    """Sign in through the form with the password alone, and pick up the CSRF cookie as a browser would."""
    client.get("/accounts/login/")
    form = {"username": user.username, "password": PASSWORD, "csrfmiddlewaretoken": client.cookies["csrftoken"].value}
    response = client.post("/accounts/login/", form)
    assert response.status_code == 302
    client.get("/accounts/2fa/verify/")
    return {"HTTP_X_CSRFTOKEN": client.cookies["csrftoken"].value}


@pytest.fixture
def paired_county_user(county_user):
    TOTPDevice.objects.create(user=county_user, name="phone", confirmed=True)
    return county_user


@pytest.mark.django_db
class TestApiRefusesAnUnverifiedSession:
    def test_member_lookup_with_reveal_is_refused(self, tree, paired_county_user):
        from django.test import Client

        client = Client(enforce_csrf_checks=True)
        member = make_member(union=tree["union_sz"])
        headers = password_only(client, paired_county_user)
        response = client.post(
            "/api/v1/members/lookup/",
            {"id_number": member.id_number, "reveal": True},
            content_type="application/json",
            **headers,
        )
        assert response.status_code in (401, 403)
        assert member.id_number not in response.content.decode()
        assert "验证码" in response.json()["message"]

    def test_claim_list_is_refused(self, client, paired_county_user):
        password_only(client, paired_county_user)
        assert client.get("/api/v1/claims/").status_code in (401, 403)

    def test_monthly_report_post_is_refused(self, client, paired_county_user, reports):  # noqa: F811
        headers = password_only(client, paired_county_user)
        response = client.post(
            REPORT_URL, {"figures": {"warmth_visits": 9}}, content_type="application/json", **headers
        )
        assert response.status_code in (401, 403)

    def test_a_role_that_requires_two_factor_is_refused_before_pairing(self, client, tree, settings):
        settings.OTP_REQUIRED_FOR_ADMINS = True
        admin = UserFactory(organisation=tree["city"], roles=["city_admin", "city_staff"])
        password_only(client, admin)
        assert client.get("/api/v1/me/").status_code in (401, 403)
        assert client.get("/api/v1/claims/").status_code in (401, 403)

    def test_the_same_session_is_served_once_the_code_is_entered(self, client, paired_county_user):
        password_only(client, paired_county_user)
        device = TOTPDevice.objects.get(user=paired_county_user)
        client.post("/accounts/2fa/verify/", {"token": f"{totp(device.bin_key):06d}"})
        assert client.get("/api/v1/claims/").status_code == 200

    def test_a_user_without_two_factor_uses_the_session_as_before(self, client, county_user):
        password_only(client, county_user)
        assert client.get("/api/v1/claims/").status_code == 200
