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
