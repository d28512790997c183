import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from tests.factories import UserFactory
from unionportal.notifications import notice_enqueue
from unionportal.notifications.models import Notice
from unionportal.notifications.services import notice_send

# The root urlconf does not include the outbox yet; these tests add it (tests/notifications/urls.py).
pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.notifications.urls")]


def remind(user, key, number="HZ1"):
    notice = notice_enqueue("test.reminder", key, user=user, context={"number": number})
    notice_send(notice.pk)
    return notice


class TestInbox:
    def test_lists_only_the_users_own_notices(self, client, county_user, other_county_user):
        remind(county_user, "mine", "HZ-MINE")
        remind(other_county_user, "theirs", "HZ-THEIRS")
        client.force_login(county_user)
        response = client.get(reverse("notifications:inbox"))
        assert response.status_code == 200
        assert [notice.dedupe_key for notice in response.context["page"]] == ["mine"]
        assert "HZ-MINE" in response.content.decode()
        assert "HZ-THEIRS" not in response.content.decode()

    def test_anonymous_is_sent_to_sign_in(self, client):
        response = client.get(reverse("notifications:inbox"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
        assert client.post(reverse("notifications:mark-read")).status_code == 302

    def test_mark_one_read_then_all(self, client, county_user):
        first = remind(county_user, "a")
        second = remind(county_user, "b")
        client.force_login(county_user)
        response = client.post(reverse("notifications:mark-read"), {"notice": first.pk})
        assert response.status_code == 302
        assert Notice.objects.get(pk=first.pk).read_at is not None
        assert Notice.objects.get(pk=second.pk).read_at is None
        client.post(reverse("notifications:mark-read"))
        assert Notice.objects.get(pk=second.pk).read_at is not None

    def test_cannot_mark_someone_elses_notice_read(self, client, county_user, other_county_user):
        theirs = remind(other_county_user, "theirs")
        client.force_login(county_user)
        client.post(reverse("notifications:mark-read"), {"notice": theirs.pk})
        client.post(reverse("notifications:mark-read"))
        assert Notice.objects.get(pk=theirs.pk).read_at is None

    def test_mark_read_is_post_only(self, client, county_user):
        client.force_login(county_user)
        assert client.get(reverse("notifications:mark-read")).status_code == 405


class TestWorkbench:
    def test_shows_the_unread_count_linking_to_the_inbox(self, client, county_user, other_county_user):
        remind(county_user, "a")
        remind(county_user, "b")
        remind(other_county_user, "c")
        client.force_login(county_user)
        items = client.get("/").context["items"]
        unread = [item for item in items if item.url == reverse("notifications:inbox")]
        assert [item.count for item in unread] == [2]

        client.post(reverse("notifications:mark-read"))
        items = client.get("/").context["items"]
        assert not [item for item in items if item.url == reverse("notifications:inbox")]


@pytest.fixture
def outbox_viewer(tree):
    user = UserFactory(username="sz_viewer", organisation=tree["shangzhou"], roles=["county_staff"])
    user.user_permissions.add(Permission.objects.get(codename="view_notice", content_type__app_label="notifications"))
    return user


class TestOutbox:
    def test_needs_the_permission(self, client, tree):
        clerk = UserFactory(username="sz_clerk_outbox", organisation=tree["shangzhou"], roles=["counter_clerk"])
        client.force_login(clerk)
        assert not clerk.has_perm("notifications.view_notice")
        assert client.get(reverse("notifications:outbox")).status_code == 403

    def test_federation_staff_see_the_outbox(self, client, county_user):
        client.force_login(county_user)
        assert client.get(reverse("notifications:outbox")).status_code == 200

    def test_lists_sms_of_the_subtree_and_own_inbox_with_phones_masked(
        self, client, outbox_viewer, other_county_user, tree, django_assert_max_num_queries
    ):
        sms = {"context": {"number": "1"}}
        notice_enqueue("test.reminder", "sz", sms_to="13800001111", organisation=tree["union_sz"], **sms)
        notice_enqueue("test.reminder", "sy", sms_to="13800002222", organisation=tree["union_sy"], **sms)
        remind(outbox_viewer, "own")
        remind(other_county_user, "other-inbox")
        client.force_login(outbox_viewer)
        with django_assert_max_num_queries(12):
            response = client.get(reverse("notifications:outbox"))
        assert response.status_code == 200
        assert sorted(notice.dedupe_key for notice in response.context["page"]) == ["own", "sz"]
        html = response.content.decode()
        assert "138****1111" in html and "13800001111" not in html

    def test_filters_by_status_and_kind(self, client, outbox_viewer, tree):
        notice_enqueue("test.reminder", "queued", sms_to="13800001111", organisation=tree["shangzhou"],
                       context={"number": "1"})  # fmt: skip
        remind(outbox_viewer, "sent")
        client.force_login(outbox_viewer)
        page = client.get(reverse("notifications:outbox"), {"status": "queued"}).context["page"]
        assert [notice.dedupe_key for notice in page] == ["queued"]
        page = client.get(reverse("notifications:outbox"), {"kind": "test.accepted"}).context["page"]
        assert list(page) == []
