"""Members' own accounts: activation, one-time codes (counter and SMS), sign-in by ID number or phone, the lock."""

import re
from datetime import timedelta

import pytest
import time_machine
from auditlog.models import LogEntry
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from members.models import AccountCode
from tests.factories import PASSWORD, UserFactory, make_member, make_member_account
from unionportal.notifications.models import Notice

User = get_user_model()
ACTIVATE = reverse("members:activate")
CODE = reverse("members:account-code")
RESET = reverse("members:password-reset")
LOGIN = reverse("accounts:login")
NEW_PASSWORD = "Neu-Passwort-9"
NO_MATCH = "与我们可以开通的账号不符"


@pytest.fixture
def member(tree):
    return make_member(union=tree["union_sz"], name="王丽", phone="13912345678")


@pytest.fixture
def clerk(tree):
    return UserFactory(username="sz_clerk", organisation=tree["shangzhou"], roles=["counter_clerk"])


def activate(client, member, *, address="10.0.0.1", **overrides):
    data = {
        "id_number": member.id_number, "phone": member.phone, "member_number": member.member_number,
        "password1": NEW_PASSWORD, "password2": NEW_PASSWORD, **overrides,
    }  # fmt: skip
    return client.post(ACTIVATE, data, REMOTE_ADDR=address)


def redeem(client, member, code, *, address="10.0.0.1", password=NEW_PASSWORD):
    data = {"id_number": member.id_number, "code": code, "password1": password, "password2": password}
    return client.post(CODE, data, REMOTE_ADDR=address)


def errors(response) -> str:
    return " ".join(str(e) for e in response.context["form"].non_field_errors())


@pytest.mark.django_db
class TestActivation:
    def test_the_three_facts_open_the_account_and_sign_the_member_in(self, client, member):
        response = activate(client, member)

        assert response.status_code == 302 and response["Location"] == reverse("mutualaid:my-claims")
        user = User.objects.get(member=member)
        assert user.has_role("member") and user.organisation is None and user.check_password(NEW_PASSWORD)
        assert client.get(reverse("mutualaid:my-claims")).status_code == 200

    @pytest.mark.parametrize(
        "overrides",
        [{"phone": "13900000000"}, {"member_number": "61100099999999"}, {"id_number": "11010519491231002X"}],
        ids=["wrong phone", "wrong member number", "ID number of nobody"],
    )
    def test_any_mismatch_gets_one_answer_that_reveals_nothing_and_changes_nothing(self, client, member, overrides):
        response = activate(client, member, **overrides)

        assert response.status_code == 200
        assert NO_MATCH in errors(response)
        page = response.content.decode()
        # Nothing the visitor did not type comes back: not the name, not the right value of the wrong field.
        (field,) = overrides
        assert member.name not in page and getattr(member, field) not in page
        assert not User.objects.filter(member__isnull=False).exists()

    def test_the_answers_for_a_member_and_for_a_stranger_are_the_same(self, client, member):
        wrong_phone = activate(client, member, phone="13900000000")
        stranger = activate(client, member, id_number="11010519491231002X")
        assert errors(wrong_phone) == errors(stranger)

    def test_a_wrong_check_character_is_a_typing_mistake_with_its_own_message(self, client, member):
        wrong = member.id_number[:17] + ("1" if member.id_number[17] != "1" else "2")
        response = activate(client, member, id_number=wrong)

        message = " ".join(response.context["form"].errors["id_number"])
        assert "校验" in message and NO_MATCH not in errors(response)
        assert not User.objects.filter(member=member).exists()

    def test_a_weak_password_is_refused_after_the_match_with_the_rules(self, client, member):
        response = activate(client, member, password1="12345678", password2="12345678")
        assert response.status_code == 200 and response.context["form"].errors
        assert not User.objects.filter(member=member).exists()

    def test_a_second_activation_is_refused(self, client, member):
        make_member_account(member)
        response = activate(client, member)
        assert "已有账号" in errors(response)
        assert User.objects.get(member=member).check_password(PASSWORD)

    def test_attempts_are_limited_per_id_number(self, client, member, settings):
        for _ in range(settings.ACCOUNT_TRIES_PER_ID):
            activate(client, member, phone="13900000000")
        response = activate(client, member)  # even the right facts wait now

        assert response.status_code == 429 and "尝试次数过多" in response.content.decode()
        assert not User.objects.filter(member=member).exists()

    def test_attempts_are_limited_per_address(self, client, tree, settings):
        settings.ACCOUNT_TRIES_PER_ADDRESS = 3
        people = [make_member(union=tree["union_sz"]) for _ in range(4)]
        codes = [activate(client, person, phone="13900000000", address="10.7.7.7").status_code for person in people]
        assert codes == [200, 200, 200, 429]


@pytest.mark.django_db
class TestCounterCode:
    def issue(self, client, clerk, member):
        client.force_login(clerk)
        response = client.post(reverse("members:account-code-issue", args=[member.pk]))
        client.logout()
        assert response.status_code == 200
        return re.search(r'data-testid="account-code-value">(\d{8})<', response.content.decode()).group(1)

    def test_a_counter_code_activates_once_and_only_a_hash_is_stored(self, client, clerk, member):
        code = self.issue(client, clerk, member)
        row = AccountCode.objects.get(member=member)
        assert code not in row.code_hash and row.issued_by == clerk

        assert redeem(client, member, code).status_code == 302
        assert User.objects.get(member=member).check_password(NEW_PASSWORD)
        client.logout()
        again = redeem(client, member, code, password="Anderes-Pw-7")
        assert NO_MATCH in errors(again)
        assert User.objects.get(member=member).check_password(NEW_PASSWORD)

    def test_a_counter_code_resets_a_forgotten_password_and_the_audit_trail_says_who(self, client, clerk, member):
        make_member_account(member)
        code = self.issue(client, clerk, member)
        assert redeem(client, member, code).status_code == 302
        assert User.objects.get(member=member).check_password(NEW_PASSWORD)
        issued = LogEntry.objects.get_for_object(AccountCode.objects.get(member=member)).order_by("pk").first()
        assert issued.actor == clerk

    def test_a_reset_back_to_the_current_password_is_refused(self, client, clerk, member):
        make_member_account(member, password=NEW_PASSWORD)
        code = self.issue(client, clerk, member)

        response = redeem(client, member, code, password=NEW_PASSWORD)

        assert response.status_code == 200
        assert "当前密码" in str(response.context["form"].errors)
        assert User.objects.get(member=member).check_password(NEW_PASSWORD)

    def test_an_expired_code_is_refused(self, client, clerk, member, settings):
        code = self.issue(client, clerk, member)
        with time_machine.travel(timezone.now() + timedelta(days=settings.ACCOUNT_COUNTER_CODE_DAYS, minutes=1)):
            response = redeem(client, member, code)
        assert NO_MATCH in errors(response) and not User.objects.filter(member=member).exists()

    def test_a_code_dies_after_five_wrong_tries(self, client, clerk, member, settings):
        settings.ACCOUNT_TRIES_PER_ID = 100
        code = self.issue(client, clerk, member)
        for _ in range(AccountCode.MAX_ATTEMPTS):
            redeem(client, member, "00000000" if code != "00000000" else "11111111")
        assert NO_MATCH in errors(redeem(client, member, code))
        assert not User.objects.filter(member=member).exists()

    def test_a_disabled_account_is_not_reopened_by_a_code(self, client, clerk, member):
        user = make_member_account(member)
        user.is_active = False
        user.save()
        code = self.issue(client, clerk, member)
        response = redeem(client, member, code)

        assert "已停用" in errors(response) and member.name not in response.content.decode()
        user.refresh_from_db()
        assert not user.is_active and user.check_password(PASSWORD)
        assert AccountCode.objects.get(member=member).used_at is None

    def test_the_counter_sees_whether_the_member_is_online(self, client, clerk, member):
        client.force_login(clerk)
        url = reverse("members:member-detail", args=[member.pk])

        def state():
            page = client.get(url).content.decode()
            start = page.index('data-testid="online-account"')
            return page[start : page.index("</dd>", start)]

        assert "未开通" in state()
        make_member_account(member)
        assert "已开通" in state()

    def test_a_clerk_of_another_county_cannot_issue_a_code(self, client, tree, member):
        other = UserFactory(username="sy_clerk", organisation=tree["shanyang"], roles=["counter_clerk"])
        client.force_login(other)
        assert client.post(reverse("members:account-code-issue", args=[member.pk])).status_code == 404
        assert not AccountCode.objects.exists()

    def test_a_reviewer_cannot_issue_a_code(self, client, tree, member):
        reviewer = UserFactory(username="sz_rev", organisation=tree["shangzhou"], roles=["reviewer"])
        client.force_login(reviewer)
        assert client.post(reverse("members:account-code-issue", args=[member.pk])).status_code == 403


@pytest.mark.django_db
class TestSmsReset:
    def test_a_code_by_sms_resets_the_password(self, client, member):
        make_member_account(member)
        response = client.post(RESET, {"login": member.phone}, REMOTE_ADDR="10.0.0.2")
        assert response.status_code == 302

        notice = Notice.objects.get(kind="account.reset_code")
        assert notice.recipient_phone == member.phone
        code = re.search(r"\d{8}", notice.body).group(0)
        assert code not in AccountCode.objects.get(member=member).code_hash
        assert redeem(client, member, code).status_code == 302
        assert User.objects.get(member=member).check_password(NEW_PASSWORD)

    def test_the_answer_is_the_same_for_nobody_and_no_sms_is_sent(self, client, member):
        make_member_account(member)
        known = client.post(RESET, {"login": member.id_number}, follow=True)
        unknown = client.post(RESET, {"login": "11010519491231002X"}, follow=True)
        assert [str(m) for m in known.context["messages"]] == [str(m) for m in unknown.context["messages"]]
        assert Notice.objects.filter(kind="account.reset_code").count() == 1

    def test_an_sms_code_expires_after_ten_minutes(self, client, member):
        make_member_account(member)
        client.post(RESET, {"login": member.id_number})
        code = re.search(r"\d{8}", Notice.objects.get(kind="account.reset_code").body).group(0)
        with time_machine.travel(timezone.now() + timedelta(minutes=11)):
            response = redeem(client, member, code)
        assert NO_MATCH in errors(response)
        assert User.objects.get(member=member).check_password(PASSWORD)

    def test_reset_requests_are_limited(self, client, member, settings):
        make_member_account(member)
        for _ in range(settings.ACCOUNT_TRIES_PER_ID):
            client.post(RESET, {"login": member.phone})
        assert client.post(RESET, {"login": member.phone}).status_code == 429


@pytest.mark.django_db
class TestMemberSignIn:
    @pytest.mark.parametrize("login", ["id_number", "phone"])
    def test_a_member_signs_in_with_id_number_or_phone_and_lands_on_their_pages(self, client, member, login):
        make_member_account(member)
        response = client.post(LOGIN, {"username": getattr(member, login), "password": PASSWORD}, follow=True)
        assert response.redirect_chain[-1][0] == reverse("mutualaid:my-claims")
        page = response.content.decode()
        assert "我的理赔" in page and "工作台" not in page

    def test_a_phone_shared_by_two_accounts_signs_nobody_in(self, client, tree, member):
        make_member_account(member)
        spouse = make_member(union=tree["union_sz"], phone=member.phone)
        make_member_account(spouse)
        response = client.post(LOGIN, {"username": member.phone, "password": PASSWORD})
        assert response.status_code == 200 and "_auth_user_id" not in client.session

    def test_failures_lock_the_account_whichever_login_was_typed(self, client, member, settings):
        make_member_account(member)
        for attempt in range(settings.AXES_FAILURE_LIMIT):
            login = member.id_number if attempt % 2 else member.phone
            client.post(LOGIN, {"username": login, "password": "Wrong-pass-1"}, REMOTE_ADDR="10.3.3.3")
        locked = client.post(LOGIN, {"username": member.id_number, "password": PASSWORD}, REMOTE_ADDR="10.3.3.3")
        assert locked.status_code == 429
        assert member.id_number not in locked.content.decode()
        # Another address is not locked.
        assert (
            client.post(LOGIN, {"username": member.phone, "password": PASSWORD}, REMOTE_ADDR="10.4.4.4").status_code
            == 302
        )

    def test_the_lockout_table_never_holds_an_id_number_in_clear(self, client, member):
        from axes.models import AccessAttempt

        client.post(LOGIN, {"username": "11010519491231002X", "password": "Wrong-pass-1"})
        make_member_account(member)
        client.post(LOGIN, {"username": member.id_number, "password": "Wrong-pass-1"})
        usernames = list(AccessAttempt.objects.values_list("username", flat=True))
        assert usernames and not any(re.search(r"\d{17}", name) for name in usernames)

    def test_a_disabled_member_account_cannot_sign_in(self, client, member):
        user = make_member_account(member)
        user.is_active = False
        user.save()
        client.post(LOGIN, {"username": member.id_number, "password": PASSWORD})
        assert "_auth_user_id" not in client.session

    def test_a_member_who_left_still_follows_their_claims_online(self, client, member):
        make_member_account(member)
        member.status = member.Status.LEFT
        member.save(update_fields=["status"])
        response = client.post(LOGIN, {"username": member.id_number, "password": PASSWORD}, follow=True)
        assert response.redirect_chain[-1][0] == reverse("mutualaid:my-claims")

    def test_a_deceased_members_account_signs_in_no_more_and_its_open_session_ends(self, client, member):
        make_member_account(member)
        client.post(LOGIN, {"username": member.phone, "password": PASSWORD})
        assert client.get(reverse("mutualaid:my-claims")).status_code == 200
        member.status = member.Status.DECEASED
        member.save(update_fields=["status"])
        assert client.get(reverse("mutualaid:my-claims")).status_code == 302  # to the sign-in page
        client.logout()
        assert client.post(LOGIN, {"username": member.id_number, "password": PASSWORD}).status_code == 200
        assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_the_outbox_never_shows_a_reset_code_to_staff(client, member, city_user):
    make_member_account(member)
    client.post(RESET, {"login": member.phone})
    code = re.search(r"\d{8}", Notice.objects.get(kind="account.reset_code").body).group(0)
    client.force_login(city_user)
    page = client.get(reverse("notifications:outbox")).content.decode()
    assert "重置密码验证码" in page and code not in page


@pytest.mark.django_db
def test_a_member_account_holds_no_staff_permission(client, member):
    user = make_member_account(member)
    client.post(LOGIN, {"username": member.id_number, "password": PASSWORD})
    signed_in = User.objects.get(pk=int(client.session["_auth_user_id"]))
    assert signed_in == user and not signed_in.get_all_permissions()
    assert not signed_in.has_perm("members.view_member")


@pytest.mark.django_db
def test_the_printed_code_says_activation_until_the_account_exists(client, member, clerk):
    client.force_login(clerk)
    url = reverse("members:account-code-issue", args=[member.pk])
    assert "网上账号激活码" in client.post(url).content.decode()
    make_member_account(member)
    assert "重置密码验证码" in client.post(url).content.decode()
