import pytest
from auditlog.models import LogEntry
from django.db import DatabaseError, transaction
from django.urls import reverse

from tests.factories import UserFactory
from unionportal.accounts import audit
from unionportal.org.models import Organisation


@pytest.mark.django_db
def test_an_edit_records_who_when_where_and_old_to_new(client, tree, settings):
    settings.OTP_REQUIRED_FOR_ADMINS = False
    admin = UserFactory(organisation=tree["city"], roles=["city_admin"], is_staff=True)
    clerk = UserFactory(username="clerk9", name="旧名", phone="13812345678", organisation=tree["city"])
    client.force_login(admin)

    client.post(
        reverse("admin:accounts_user_change", args=[clerk.pk]),
        {
            "username": "clerk9",
            "name": "新名",
            "phone": "13900001111",
            "email": "",
            "organisation": tree["city"].pk,
            "is_active": "on",
            "last_login_0": "",
            "last_login_1": "",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "08:00:00",
        },
        REMOTE_ADDR="10.2.3.4",
    )

    entry = LogEntry.objects.get_for_object(clerk).filter(action=LogEntry.Action.UPDATE).latest("pk")
    assert entry.actor == admin
    assert entry.remote_addr == "10.2.3.4"
    assert entry.changes_dict["name"] == ["旧名", "新名"]
    # the phone number is personal data: masked in the log
    assert entry.changes_dict["phone"] == ["138****5678", "139****1111"]


@pytest.mark.django_db
def test_audit_rows_cannot_be_changed_or_deleted_even_by_sql(tree):
    Organisation.objects.filter(pk=tree["union_sz"].pk).first().save()  # any audited write
    entry = LogEntry.objects.latest("pk")

    with pytest.raises(DatabaseError), transaction.atomic():
        LogEntry.objects.filter(pk=entry.pk).update(object_repr="tampered")
    with pytest.raises(DatabaseError), transaction.atomic():
        LogEntry.objects.filter(pk=entry.pk).delete()

    assert LogEntry.objects.get(pk=entry.pk).object_repr == entry.object_repr


@pytest.mark.django_db
def test_admin_offers_no_edit_or_delete_of_audit_rows(client, tree, settings):
    settings.OTP_REQUIRED_FOR_ADMINS = False
    admin = UserFactory(organisation=tree["city"], roles=["city_admin"], is_staff=True, is_superuser=True)
    tree["city"].save()
    entry = LogEntry.objects.latest("pk")
    client.force_login(admin)
    assert client.post(reverse("admin:auditlog_logentry_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    assert LogEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.django_db
def test_reveal_and_export_are_logged(tree, county_user):
    audit.log_reveal(actor=county_user, instance=county_user, field="phone")
    audit.log_export(actor=county_user, model=Organisation, rows=2, filters={"county": "611002"})

    kinds = [e.additional_data["kind"] for e in LogEntry.objects.filter(actor=county_user).order_by("pk")]
    assert kinds == ["reveal", "export"]


@pytest.mark.django_db
class TestAuditLogPages:
    def test_auditor_browses_and_filters(self, client, tree, auditor, county_user):
        audit.log_export(actor=county_user, model=Organisation, rows=2)
        client.force_login(auditor)

        everything = client.get(reverse("accounts:audit-list"))
        assert everything.status_code == 200
        filtered = client.get(reverse("accounts:audit-list"), {"actor": "sz_staff"})
        rows = filtered.context["entries"]
        assert rows and all(row.actor == county_user for row in rows)
        detail = client.get(reverse("accounts:audit-detail", args=[rows[0].pk]))
        assert detail.status_code == 200

    def test_pages_use_keyset_not_offset(self, client, tree, auditor, county_user):
        for n in range(60):
            audit.log_export(actor=county_user, model=Organisation, rows=n)
        client.force_login(auditor)
        first = client.get(reverse("accounts:audit-list"), {"actor": "sz_staff"})
        assert len(first.context["entries"]) == 50
        second = client.get(reverse("accounts:audit-list") + "?" + first.context["next_query"])
        assert len(second.context["entries"]) == 10
        assert max(e.pk for e in second.context["entries"]) < min(e.pk for e in first.context["entries"])

    def test_other_roles_get_403(self, client, tree, county_user):
        client.force_login(county_user)
        assert client.get(reverse("accounts:audit-list")).status_code == 403

    def test_county_auditor_sees_only_their_county_accounts(self, client, tree, county_user, other_county_user):
        audit.log_export(actor=county_user, model=Organisation, rows=1)
        other = audit.log_export(actor=other_county_user, model=Organisation, rows=1)
        county_auditor = UserFactory(organisation=tree["shangzhou"], roles=["auditor"])
        client.force_login(county_auditor)

        entries = client.get(reverse("accounts:audit-list")).context["entries"]
        assert {e.actor_id for e in entries} <= {county_user.pk, county_auditor.pk}
        assert client.get(reverse("accounts:audit-detail", args=[other.pk])).status_code == 404

    def test_list_query_count_does_not_grow_with_rows(
        self, client, tree, auditor, county_user, django_assert_max_num_queries
    ):
        audit.log_export(actor=county_user, model=Organisation, rows=1)
        client.force_login(auditor)
        with django_assert_max_num_queries(20) as few:
            client.get(reverse("accounts:audit-list"))
        for n in range(30):
            audit.log_export(actor=county_user, model=Organisation, rows=n)
        with django_assert_max_num_queries(len(few.captured_queries)):
            client.get(reverse("accounts:audit-list"))
