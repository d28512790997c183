"""The audit trail holds sign-ins, sign-outs and a member's password set with a code, in words (issue 11, item 9)."""

import pytest
from auditlog.models import LogEntry
from django.contrib.auth import get_user_model
from django.urls import reverse

from members import accounts
from tests.factories import PASSWORD, UserFactory, make_member, make_member_account

NEW_PASSWORD = "Neu-Passwort-9"


def events(user, kind):
    return LogEntry.objects.filter(object_pk=str(user.pk), content_type__model="user", additional_data__kind=kind)


def audit_page(client, auditor) -> str:
    client.force_login(auditor)
    return client.get(reverse("accounts:audit-list")).content.decode()


@pytest.mark.django_db
class TestAccountEvents:
    def test_a_staff_sign_in_and_sign_out_are_on_record_with_the_address(self, client, county_user, auditor):
        client.post(reverse("accounts:login"), {"username": county_user.username, "password": PASSWORD},
                    REMOTE_ADDR="10.9.9.9")  # fmt: skip
        client.post(reverse("accounts:logout"))
        signed_in = events(county_user, "sign_in").get()
        assert signed_in.actor == county_user and signed_in.remote_addr == "10.9.9.9"
        assert events(county_user, "sign_out").count() == 1
        page = audit_page(client, auditor)
        assert "登录" in page and "退出登录" in page

    def test_a_member_sign_in_is_on_record(self, client, tree, auditor):
        member = make_member(union=tree["union_sz"])
        account = make_member_account(member)
        client.post(reverse("accounts:login"), {"username": member.id_number, "password": PASSWORD})
        assert events(account, "sign_in").count() == 1

    def test_an_api_token_sign_in_is_on_record(self, client, county_user, auditor):
        client.post("/api/v1/auth/token/", {"username": county_user.username, "password": PASSWORD})
        assert events(county_user, "sign_in").get().additional_data["channel"] == "api"
        assert "登录（接口令牌）" in audit_page(client, auditor)

    def test_a_password_set_with_a_counter_code_is_on_record(self, client, tree, auditor):
        member = make_member(union=tree["union_sz"])
        make_member_account(member)
        clerk = UserFactory(username="sz_clerk_ev", organisation=tree["shangzhou"], roles=["counter_clerk"])
        code = accounts.account_code_issue(actor=clerk, member=member)
        data = {"id_number": member.id_number, "code": code, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
        assert client.post(reverse("members:account-code"), data).status_code == 302
        account = get_user_model().objects.get(member=member)
        entry = events(account, "password_changed").filter(additional_data__how="code").get()
        assert entry.additional_data["purpose"] == "counter" and code not in str(entry.additional_data)
        assert "凭一次性验证码设置密码" in audit_page(client, auditor)

    def test_the_auditor_can_read_an_entry_in_chinese(self, client, county_user, auditor):
        client.post(reverse("accounts:login"), {"username": county_user.username, "password": PASSWORD})
        entry = events(county_user, "sign_in").get()
        client.force_login(auditor)
        assert "登录" in client.get(reverse("accounts:audit-detail", args=[entry.pk])).content.decode()
