"""Roles are granted on the portal by the security administrator, never to oneself, the auditor's and the security
administrator's with a second administrator; no administrator sets another's password (issue 11, item 4)."""

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory


@pytest.fixture(autouse=True)
def _no_forced_two_factor(settings):
    settings.OTP_REQUIRED_FOR_ADMINS = False


@pytest.fixture
def city_admin(tree):
    return UserFactory(username="sysadmin", organisation=tree["city"], roles=["city_admin"], is_staff=True)


@pytest.fixture
def sec_admin(tree):
    return UserFactory(username="secadmin", organisation=tree["city"], roles=["security_admin"], is_staff=True)


@pytest.fixture
def sec_admin2(tree):
    return UserFactory(username="secadmin2", organisation=tree["city"], roles=["security_admin"], is_staff=True)


@pytest.fixture
def clerk(tree):
    return UserFactory(username="clerk_sod", organisation=tree["shangzhou"])


def roles_url(user):
    return reverse("accounts:user-roles", args=[user.pk])


def role_codes(user):
    return set(user.groups.values_list("name", flat=True))


@pytest.mark.django_db
class TestAdminIsNoPlaceForRoles:
    def test_the_admin_form_shows_roles_read_only_and_a_post_does_not_change_them(self, client, city_admin, clerk):
        client.force_login(city_admin)
        url = reverse("admin:accounts_user_change", args=[clerk.pk])
        page = client.get(url).content.decode()
        assert 'name="groups"' not in page
        client.post(
            url,
            {"username": clerk.username, "name": "x", "organisation": clerk.organisation_id, "is_active": "on",
             "groups": ["1", "2", "3"], "date_joined_0": "2026-01-01", "date_joined_1": "08:00:00"},
        )  # fmt: skip
        assert role_codes(clerk) == set()

    def test_the_admin_cannot_grant_itself_the_auditor_role(self, client, city_admin):
        client.force_login(city_admin)
        from django.contrib.auth.models import Group

        auditor = Group.objects.get(name="auditor")
        client.post(
            reverse("admin:accounts_user_change", args=[city_admin.pk]),
            {"username": city_admin.username, "organisation": city_admin.organisation_id, "is_active": "on",
             "is_staff": "on", "groups": [auditor.pk], "date_joined_0": "2026-01-01", "date_joined_1": "08:00:00"},
        )  # fmt: skip
        assert "auditor" not in role_codes(city_admin)

    def test_the_admin_has_no_password_form(self, client, city_admin, sec_admin, tree):
        auditor = UserFactory(username="aud_sod", organisation=tree["city"], roles=["auditor"])
        client.force_login(city_admin)
        response = client.post(
            reverse("admin:auth_user_password_change", args=[auditor.pk]),
            {"password1": "Takeover-123", "password2": "Takeover-123"},
        )
        assert response.status_code == 403
        auditor.refresh_from_db()
        assert auditor.check_password(PASSWORD)

    def test_the_admin_still_creates_an_account_on_a_node_with_no_role(self, client, city_admin, tree):
        client.force_login(city_admin)
        response = client.post(
            reverse("admin:accounts_user_add"),
            {"username": "newclerk", "name": "新人", "organisation": tree["shanyang"].pk,
             "password1": "Neu-Passwort-9", "password2": "Neu-Passwort-9"},
        )  # fmt: skip
        assert response.status_code == 302
        from django.contrib.auth import get_user_model

        created = get_user_model().objects.get(username="newclerk")
        assert created.organisation == tree["shanyang"] and role_codes(created) == set()


@pytest.mark.django_db
class TestRolesOnThePortal:
    def test_the_security_admin_grants_a_role_and_the_log_says_which(self, client, tree, sec_admin, clerk):
        client.force_login(sec_admin)
        response = client.post(roles_url(clerk), {"roles": ["counter_clerk"]})
        assert response.status_code == 302 and role_codes(clerk) == {"counter_clerk"}
        entry = LogEntry.objects.filter(object_pk=str(clerk.pk), additional_data__kind="roles").latest("pk")
        assert entry.actor == sec_admin and entry.additional_data["added"] == ["counter_clerk"]

        client.post(roles_url(clerk), {"roles": ["reviewer"]})
        entry = LogEntry.objects.filter(object_pk=str(clerk.pk), additional_data__kind="roles").latest("pk")
        assert entry.additional_data == {"kind": "roles", "added": ["reviewer"], "removed": ["counter_clerk"]}
        audit_page = client.get(reverse("accounts:audit-detail", args=[entry.pk]))
        assert audit_page.status_code == 403  # the security admin is not the auditor
        auditor = UserFactory(username="aud_view", organisation=tree["city"], roles=["auditor"])
        client.force_login(auditor)
        text = client.get(reverse("accounts:audit-list")).content.decode()
        assert "角色变更：增加 审核员；移除 窗口受理员" in text

    def test_nobody_grants_roles_to_themselves(self, client, sec_admin):
        client.force_login(sec_admin)
        client.post(roles_url(sec_admin), {"roles": ["security_admin", "finance", "auditor"]})
        assert role_codes(sec_admin) == {"security_admin"}

    @pytest.mark.parametrize("role", ["city_admin", "city_staff", "auditor"])
    def test_only_the_security_admin_may_grant(self, client, tree, clerk, role):
        other = UserFactory(username=f"other_{role}", organisation=tree["city"], roles=[role])
        client.force_login(other)
        assert client.post(roles_url(clerk), {"roles": ["finance"]}).status_code == 403
        assert role_codes(clerk) == set()

    def test_a_superuser_alone_is_not_a_security_admin(self, client, tree, clerk):
        root = UserFactory(username="root_sod", organisation=None, is_superuser=True, is_staff=True)
        client.force_login(root)
        assert client.post(roles_url(clerk), {"roles": ["finance"]}).status_code == 403

    def test_the_auditor_role_needs_a_second_security_admin(self, client, sec_admin, sec_admin2, clerk):
        client.force_login(sec_admin)
        client.post(roles_url(clerk), {"roles": ["auditor"]})
        assert role_codes(clerk) == set()
        grant = clerk.role_grants.get()
        # The one who asked cannot confirm.
        client.post(reverse("accounts:role-grant-confirm", args=[grant.pk]))
        assert role_codes(clerk) == set()

        client.force_login(sec_admin2)
        client.post(reverse("accounts:role-grant-confirm", args=[grant.pk]))
        assert role_codes(clerk) == {"auditor"}
        kinds = list(
            LogEntry.objects.filter(object_pk=str(clerk.pk), content_type__model="user")
            .exclude(additional_data=None)
            .values_list("additional_data__kind", flat=True)
        )
        assert "role_asked" in kinds and "role_confirmed" in kinds

    def test_the_security_admin_role_needs_a_second_one_too(self, client, sec_admin, clerk):
        client.force_login(sec_admin)
        client.post(roles_url(clerk), {"roles": ["security_admin"]})
        assert role_codes(clerk) == set() and clerk.role_grants.filter(status="pending").count() == 1


@pytest.mark.django_db
class TestPasswordReset:
    def test_a_reset_forces_a_change_at_the_next_sign_in_and_is_audited(self, client, sec_admin, city_admin):
        client.force_login(sec_admin)
        page = client.post(reverse("accounts:user-password-reset", args=[city_admin.pk]))
        temporary = page.context["temporary"]
        city_admin.refresh_from_db()
        assert city_admin.must_change_password and city_admin.check_password(temporary)
        entry = LogEntry.objects.filter(object_pk=str(city_admin.pk), additional_data__kind="password_reset").get()
        assert entry.actor == sec_admin and temporary not in str(entry.changes) + str(entry.additional_data)

        client.logout()
        client.post(reverse("accounts:login"), {"username": city_admin.username, "password": temporary})
        assert client.get(reverse("core:workbench")).url == reverse("accounts:password-change")
        assert client.get("/api/v1/me/").status_code in (401, 403)
        new = "Brand-New-Pass-7"
        client.post(
            reverse("accounts:password-change"),
            {"old_password": temporary, "new_password1": new, "new_password2": new},
        )
        city_admin.refresh_from_db()
        assert not city_admin.must_change_password
        assert client.get(reverse("core:workbench")).status_code == 200

    def test_the_security_admin_cannot_reset_their_own_password_there(self, client, sec_admin):
        client.force_login(sec_admin)
        client.post(reverse("accounts:user-password-reset", args=[sec_admin.pk]))
        sec_admin.refresh_from_db()
        assert not sec_admin.must_change_password and sec_admin.check_password(PASSWORD)
