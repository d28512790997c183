import pytest
from django.contrib.auth.models import Group

from unionportal.accounts.roles import ROLES, sync_roles


@pytest.mark.django_db
def test_every_role_exists_as_a_group_with_its_permissions():
    for role in ROLES.values():
        group = Group.objects.get(name=role.code)
        granted = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        assert granted == set(role.permissions)


@pytest.mark.django_db
def test_sync_removes_permissions_added_by_hand_and_is_idempotent():
    from django.contrib.auth.models import Permission

    auditor = Group.objects.get(name="auditor")
    auditor.permissions.add(Permission.objects.get(codename="change_organisation"))
    sync_roles()
    sync_roles()
    assert not auditor.permissions.filter(codename="change_organisation").exists()
    assert Group.objects.filter(name__in=ROLES).count() == len(ROLES)


@pytest.mark.django_db
def test_role_backend_grants_exactly_what_the_groups_hold_in_the_database(tree):
    # Given one account per role, plus one holding two roles
    from django.contrib.auth.backends import ModelBackend

    from tests.factories import UserFactory

    users = [UserFactory(organisation=tree["city"], roles=[code]) for code in ROLES]
    users.append(UserFactory(organisation=tree["city"], roles=["reviewer", "finance"]))
    for user in users:
        # When the portal's backend answers, then it agrees with Django's own reading of the groups' rows
        expected = ModelBackend().get_all_permissions(type(user).objects.get(pk=user.pk))
        assert type(user).objects.get(pk=user.pk).get_all_permissions() == expected, user.role_codes


@pytest.mark.django_db
def test_the_user_is_read_with_their_roles_and_permission_checks_query_nothing(tree, django_assert_num_queries):
    from tests.factories import UserFactory

    UserFactory(username="two_roles", organisation=tree["shangzhou"], roles=["reviewer", "finance"])
    UserFactory(username="no_role", organisation=tree["shangzhou"], roles=[])
    with django_assert_num_queries(1):
        user = UserFactory._meta.model.objects.get(username="two_roles")
        assert user.role_codes == {"reviewer", "finance"}
        assert user.has_perm("mutualaid.assess_claim") and user.has_perm("payments.view_paymentbatch")
        assert not user.has_perm("mutualaid.approve_claim")
        assert user.organisation.code == "611002"
    assert UserFactory._meta.model.objects.get(username="no_role").role_codes == set()


@pytest.mark.django_db
def test_a_role_taken_away_is_gone_on_the_next_request(client, tree):
    from django.urls import reverse

    from tests.factories import UserFactory

    finance = UserFactory(organisation=tree["city"], roles=["finance"])
    client.force_login(finance)
    assert client.get(reverse("payments:batch-list")).status_code == 200
    finance.groups.remove(Group.objects.get(name="finance"))
    assert client.get(reverse("payments:batch-list")).status_code == 403


@pytest.mark.django_db
def test_inactive_accounts_and_groups_that_are_not_roles_grant_nothing(tree):
    from django.contrib.auth.models import Permission

    from tests.factories import UserFactory

    adhoc = Group.objects.create(name="hand-made")
    adhoc.permissions.add(Permission.objects.get(codename="change_organisation"))
    user = UserFactory(organisation=tree["city"], roles=["auditor"])
    user.groups.add(adhoc)
    user = type(user).objects.get(pk=user.pk)
    assert not user.has_perm("org.change_organisation")
    user.is_active = False
    assert not user.has_perm("accounts.view_audit_log")
