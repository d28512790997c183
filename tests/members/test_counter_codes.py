"""A code that resets an open account belongs to the counter; every password change tells the member (item 12)."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from members import accounts
from members.models import AccountCode
from tests.factories import PASSWORD, UserFactory, make_member, make_member_account
from unionportal.notifications.models import Notice

NEW_PASSWORD = "Neu-Passwort-9"
ISSUE = "members:account-code-issue"


@pytest.fixture
def member(tree):
    return make_member(union=tree["union_sz"], name="王丽", phone="13912345678")


@pytest.fixture
def officer(tree):
    return UserFactory(username="sz_officer", organisation=tree["union_sz"], roles=["union_officer"])


@pytest.fixture
def clerk(tree):
    return UserFactory(username="sz_counter", organisation=tree["shangzhou"], roles=["counter_clerk"])


def redeem(client, member, code, password=NEW_PASSWORD):
    data = {"id_number": member.id_number, "code": code, "password1": password, "password2": password}
    return client.post(reverse("members:account-code"), data)


@pytest.mark.django_db
class TestWhoPrintsACode:
    @pytest.mark.parametrize("who", ["officer", "county_user"])
    def test_an_officer_or_county_staff_cannot_print_a_code_for_an_open_account(self, client, request, member, who):
        make_member_account(member)
        client.force_login(request.getfixturevalue(who))
        assert client.post(reverse(ISSUE, args=[member.pk])).status_code == 403
        assert not AccountCode.objects.filter(member=member, purpose="counter").exists()
        page = client.get(reverse("members:member-detail", args=[member.pk])).content.decode()
        assert 'data-testid="issue-account-code"' not in page

    def test_an_officer_still_prints_an_activation_code(self, client, member, officer):
        client.force_login(officer)
        assert client.post(reverse(ISSUE, args=[member.pk])).status_code == 200

    def test_the_counter_clerk_resets_an_open_account_with_the_member_present(self, client, member, clerk):
        make_member_account(member)
        client.force_login(clerk)
        code = client.post(reverse(ISSUE, args=[member.pk])).context["code"]
        client.logout()
        assert redeem(client, member, code).status_code == 302
        assert get_user_model().objects.get(member=member).check_password(NEW_PASSWORD)

    def test_an_activation_code_kept_back_does_not_reset_the_account_opened_since(self, client, member, officer):
        code = accounts.account_code_issue(actor=officer, member=member)
        make_member_account(member)  # the member opens the account with the three facts
        response = redeem(client, member, code, password="Stolen-Pass-99")
        assert response.status_code == 200
        assert get_user_model().objects.get(member=member).check_password(PASSWORD)


@pytest.mark.django_db
class TestEveryPasswordChangeSendsAnSms:
    def sms(self, member):
        return list(Notice.objects.filter(kind="account.password_changed", recipient_phone=member.phone))

    def test_activation_a_code_and_the_form_each_send_one_with_no_secret(self, client, member, clerk):
        make_member_account(member)
        assert len(self.sms(member)) == 1

        code = accounts.account_code_issue(actor=clerk, member=member)
        redeem(client, member, code)
        assert len(self.sms(member)) == 2

        client.post(
            reverse("accounts:password-change"),
            {"old_password": NEW_PASSWORD, "new_password1": "Third-Pass-77", "new_password2": "Third-Pass-77"},
        )
        notices = self.sms(member)
        assert len(notices) == 3
        for notice in notices:
            assert code not in notice.body and NEW_PASSWORD not in notice.body and "Third-Pass-77" not in notice.body
            assert not re.search(r"\d{8}", notice.body.replace(member.phone, ""))
            assert "密码" in notice.body

    def test_a_reset_by_sms_sends_the_notice_too(self, client, member):
        make_member_account(member)
        client.post(reverse("members:password-reset"), {"login": member.phone})
        code = re.search(r"\d{8}", Notice.objects.get(kind="account.reset_code").body).group(0)
        redeem(client, member, code)
        assert len(self.sms(member)) == 2
