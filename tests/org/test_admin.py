"""The admin changes particulars only: no move, no add, no delete; deregistration goes through the service."""

import pytest
from auditlog.models import LogEntry
from django.contrib.auth import get_user_model
from django.urls import NoReverseMatch, reverse

from tests.factories import make_member
from unionportal.org.models import Organisation, OrganisationEvent


@pytest.fixture
def admin_client(client, tree):
    superuser = get_user_model().objects.create_superuser(username="root_admin", password="x-Strong-Pass-2026")
    client.force_login(superuser)
    return client


def deregister(client, node):
    return client.post(
        reverse("admin:org_organisation_changelist"),
        {"action": "deregister", "_selected_action": [node.pk]},
        follow=True,
    )


@pytest.mark.django_db
def test_admin_cannot_move_add_or_delete_nodes(admin_client, tree):
    union = tree["union_sz"]
    with pytest.raises(NoReverseMatch):
        reverse("admin:org_organisation_move_node")  # treebeard's drag-and-drop endpoint is not there
    assert admin_client.get(reverse("admin:org_organisation_add")).status_code == 403
    assert admin_client.get(reverse("admin:org_organisation_delete", args=[union.pk])).status_code == 403
    page = admin_client.get(reverse("admin:org_organisation_change", args=[union.pk]))
    assert page.status_code == 200 and 'name="path"' not in page.content.decode()


@pytest.mark.django_db
def test_admin_refuses_to_deregister_a_union_with_active_members(admin_client, tree):
    union = tree["union_sz"]
    make_member(union=union)
    response = deregister(admin_client, union)
    assert "1" in response.content.decode() and Organisation.objects.get(pk=union.pk).is_active
    assert not OrganisationEvent.objects.filter(kind=OrganisationEvent.Kind.DEREGISTERED).exists()


@pytest.mark.django_db
def test_admin_deregisters_an_empty_union_through_the_service(admin_client, tree):
    union = tree["union_sy"]
    deregister(admin_client, union)
    assert not Organisation.objects.get(pk=union.pk).is_active
    assert OrganisationEvent.objects.filter(organisation=union, kind=OrganisationEvent.Kind.DEREGISTERED).exists()


@pytest.mark.django_db
def test_a_move_is_in_the_audit_log_with_both_parents_by_name(client, tree, city_user):
    client.force_login(city_user)
    client.post(reverse("members:organisation-move", args=[tree["union_sz"].pk]), {"new_parent": tree["shanyang"].pk})
    event = OrganisationEvent.objects.get(kind=OrganisationEvent.Kind.MOVED)
    entry = LogEntry.objects.get_for_object(event).get()
    assert entry.actor == city_user
    assert "商州区总工会" in entry.changes_str and "山阳县总工会" in entry.changes_str
