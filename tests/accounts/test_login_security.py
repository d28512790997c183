from datetime import timedelta

import pytest
import time_machine
from auditlog.models import LogEntry
from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD, UserFactory

LOGIN = reverse("accounts:login")


def post_login(client, username, password, address="10.1.1.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


@pytest.mark.django_db
def test_wrong_password_and_unknown_user_get_the_same_answer(client, county_user):
    wrong = post_login(client, county_user.username, "Wrong-pass-1")
    unknown = post_login(client, "nobody_here", "Wrong-pass-1")

    assert wrong.status_code == unknown.status_code == 200
    assert wrong.context["form"].non_field_errors() == unknown.context["form"].non_field_errors()
    assert "用户名或密码不正确" in wrong.content.decode()


@pytest.mark.django_db
def test_sixth_wrong_password_locks_that_username_at_that_address_only(client, county_user, other_county_user):
    for _ in range(5):
        post_login(client, county_user.username, "Wrong-pass-1", address="10.1.1.1")

    locked = post_login(client, county_user.username, PASSWORD, address="10.1.1.1")
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.content.decode()

    # A colleague at the same counter (same NAT address) still signs in ...
    colleague = post_login(client, other_county_user.username, PASSWORD, address="10.1.1.1")
    assert colleague.status_code == 302
    client.logout()
    # ... and so does the same user from another address.
    elsewhere = post_login(client, county_user.username, PASSWORD, address="10.9.9.9")
    assert elsewhere.status_code == 302


@pytest.mark.django_db
def test_lock_ends_after_thirty_minutes(client, county_user):
    for _ in range(5):
        post_login(client, county_user.username, "Wrong-pass-1")
    assert post_login(client, county_user.username, PASSWORD).status_code == 429

    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        assert post_login(client, county_user.username, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_security_admin_releases_a_lock_and_the_release_is_audited(client, tree, county_user, settings):
    settings.OTP_REQUIRED_FOR_ADMINS = False
    for _ in range(5):
        post_login(client, county_user.username, "Wrong-pass-1")
    security_admin = UserFactory(organisation=tree["city"], roles=["security_admin"])
    staff_client = Client()
    staff_client.force_login(security_admin)

    listing = staff_client.get(reverse("accounts:lockout-list"))
    assert county_user.username in listing.content.decode()
    attempt = AccessAttempt.objects.get(username=county_user.username)
    staff_client.post(reverse("accounts:lockout-release", args=[attempt.pk]))

    assert post_login(client, county_user.username, PASSWORD).status_code == 302
    release = LogEntry.objects.get(action=LogEntry.Action.DELETE, object_pk=str(attempt.pk))
    assert release.actor == security_admin


@pytest.mark.django_db
def test_lockout_page_is_closed_to_other_roles(client, county_user):
    client.force_login(county_user)
    assert client.get(reverse("accounts:lockout-list")).status_code == 403


@pytest.mark.django_db
def test_password_rules_need_eight_characters_of_three_kinds():
    with pytest.raises(ValidationError):
        validate_password("Abcdefg1"[:7])
    with pytest.raises(ValidationError):
        validate_password("abcdefgh12")  # two kinds only
    validate_password("Counter#2026")  # passes


@pytest.mark.django_db
def test_idle_session_is_signed_out_after_thirty_minutes(client, county_user):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert post_login(client, county_user.username, PASSWORD).status_code == 302
        assert client.get(reverse("core:workbench")).status_code == 200
    with time_machine.travel(start + timedelta(minutes=29), tick=False):
        assert client.get(reverse("core:workbench")).status_code == 200
    with time_machine.travel(start + timedelta(minutes=58), tick=False):
        # 29 minutes after the last request: still in
        assert client.get(reverse("core:workbench")).status_code == 200
    with time_machine.travel(start + timedelta(minutes=90), tick=False):
        response = client.get(reverse("core:workbench"), follow=True)
    assert response.redirect_chain[0][0].startswith(LOGIN)
    assert "30 分钟无操作" in response.content.decode()


@pytest.mark.django_db
def test_city_admin_must_set_up_two_factor_before_anything_else(client, tree, settings):
    settings.OTP_REQUIRED_FOR_ADMINS = True
    admin = UserFactory(organisation=tree["city"], roles=["city_admin"])
    post_login(client, admin.username, PASSWORD)

    response = client.get(reverse("core:workbench"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:otp-setup"))

    setup = client.get(response.url)
    device = TOTPDevice.objects.get(user=admin, confirmed=False)
    assert "<svg" in setup.content.decode()

    wrong = client.post(reverse("accounts:otp-setup"), {"token": "000000"})
    assert wrong.status_code == 200 and not TOTPDevice.objects.get(pk=device.pk).confirmed

    # After a wrong code the device refuses codes for a moment (django-otp's throttling).
    with time_machine.travel(timezone.now() + timedelta(seconds=5)):
        code = f"{totp(device.bin_key):06d}"
        done = client.post(reverse("accounts:otp-setup"), {"token": code, "next": "/"})
        assert done.status_code == 302
        assert TOTPDevice.objects.get(pk=device.pk).confirmed
        assert client.get(reverse("core:workbench")).status_code == 200


@pytest.mark.django_db
def test_relaxed_setting_lets_city_admin_in_with_password_only(client, tree, settings):
    settings.OTP_REQUIRED_FOR_ADMINS = False
    admin = UserFactory(organisation=tree["city"], roles=["city_admin"])
    post_login(client, admin.username, PASSWORD)
    assert client.get(reverse("core:workbench")).status_code == 200


@pytest.mark.django_db
def test_user_with_authenticator_is_asked_for_a_code_after_the_password(client, county_user):
    device = TOTPDevice.objects.create(user=county_user, name="phone", confirmed=True)
    post_login(client, county_user.username, PASSWORD)

    held = client.get(reverse("core:workbench"))
    assert held.status_code == 302 and held.url.startswith(reverse("accounts:otp-verify"))

    bad = client.post(reverse("accounts:otp-verify"), {"token": "12345"})
    assert "6 位数字" in bad.content.decode()  # a format error, told in Chinese; not a failed try

    ok = client.post(reverse("accounts:otp-verify"), {"token": f"{totp(device.bin_key):06d}", "next": "/"})
    assert ok.status_code == 302
    assert client.get(reverse("core:workbench")).status_code == 200


@pytest.mark.django_db
def test_forged_forwarded_for_header_does_not_dodge_the_lock(client, county_user):
    for n in range(5):
        client.post(
            LOGIN,
            {"username": county_user.username, "password": "Wrong-pass-1"},
            REMOTE_ADDR="10.1.1.1",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        )
    response = client.post(
        LOGIN,
        {"username": county_user.username, "password": PASSWORD},
        REMOTE_ADDR="10.1.1.1",
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    assert response.status_code == 429


@pytest.mark.django_db
def test_a_password_cannot_be_changed_to_itself(client, tree):
    user = UserFactory(username="same_pw", organisation=tree["shangzhou"], roles=["county_staff"])
    client.force_login(user)
    old_hash = user.password

    response = client.post(
        reverse("accounts:password-change"),
        {"old_password": PASSWORD, "new_password1": PASSWORD, "new_password2": PASSWORD},
    )

    assert response.status_code == 200 and "new_password2" in response.context["form"].errors
    user.refresh_from_db()
    assert user.password == old_hash
