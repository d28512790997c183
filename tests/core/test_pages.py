import pytest
from django.test import Client
from django.urls import reverse

from unionportal.core import pending


@pytest.mark.django_db
class TestWorkbench:
    def test_anonymous_is_sent_to_the_chinese_sign_in_page(self, client):
        response = client.get("/", follow=True)
        page = response.content.decode()
        assert response.redirect_chain[-1][0].startswith(reverse("accounts:login"))
        assert "登录" in page and 'lang="zh-hans"' in page

    def test_empty_workbench_says_nothing_is_waiting(self, client, county_user):
        client.force_login(county_user)
        page = client.get("/").content.decode()
        assert "工作台" in page
        assert 'data-testid="pending-empty"' in page

    def test_apps_contribute_pending_items_scoped_to_the_user(self, client, county_user, other_county_user):
        def provider(user):
            count = 3 if user == county_user else 0
            return [pending.PendingItem(title="待审核理赔", count=count, url="/x/", overdue=1)]

        pending.provider(provider)
        try:
            client.force_login(county_user)
            assert "待审核理赔" in client.get("/").content.decode()
            client.force_login(other_county_user)
            assert "待审核理赔" not in client.get("/").content.decode()
        finally:
            pending._providers.remove(provider)

    def test_menu_follows_the_role(self, client, county_user, auditor):
        client.force_login(auditor)
        assert reverse("accounts:audit-list") in client.get("/").content.decode()
        client.force_login(county_user)
        assert reverse("accounts:audit-list") not in client.get("/").content.decode()

    def test_cached_menu_is_never_served_to_other_roles_languages_or_a_superuser(self, client, tree, county_user):
        # The menu is rendered once per role set, language and page, then served from memory.
        from tests.factories import UserFactory

        payments = reverse("payments:batch-list")
        finance = UserFactory(organisation=tree["city"], roles=["finance"])
        reviewer = UserFactory(organisation=tree["city"], roles=["reviewer"])
        bare = UserFactory(organisation=tree["city"], roles=[])
        superuser = UserFactory(organisation=tree["city"], roles=[], is_superuser=True)
        client.force_login(finance)
        assert payments in client.get("/").content.decode()
        client.force_login(reviewer)
        assert payments not in client.get("/").content.decode()
        client.force_login(superuser)
        assert payments in client.get("/").content.decode()
        client.force_login(bare)
        assert payments not in client.get("/").content.decode()
        client.force_login(county_user)
        assert "会员" in client.get("/").content.decode()
        client.cookies["django_language"] = "en"
        page = client.get("/").content.decode()
        assert "Members" in page and ">会员<" not in page


@pytest.mark.django_db
class TestErrorPages:
    def test_404_is_chinese_and_helpful(self, client, county_user):
        client.force_login(county_user)
        response = client.get("/no-such-page/")
        assert response.status_code == 404
        assert "找不到" in response.content.decode()

    def test_csrf_failure_explains_nothing_was_saved(self, county_user):
        client = Client(enforce_csrf_checks=True)
        client.force_login(county_user)
        response = client.post(reverse("accounts:otp-disable"))
        assert response.status_code == 403
        assert "没有保存" in response.content.decode()

    def test_500_shows_a_chinese_page_without_a_stack_trace(self, settings):
        from django.urls import path

        def broken(request):
            raise RuntimeError("secret internal detail")

        from unionportal import urls

        settings.DEBUG = False
        settings.ROOT_URLCONF = type("urls", (), {"urlpatterns": [path("boom/", broken), *urls.urlpatterns]})
        client = Client(raise_request_exception=False)
        response = client.get("/boom/")
        assert response.status_code == 500
        page = response.content.decode()
        assert "出错" in page
        assert "secret internal detail" not in page and "Traceback" not in page


@pytest.mark.django_db
def test_english_is_available_through_the_language_switch(client, county_user):
    client.force_login(county_user)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get("/").content.decode()
    assert "Workbench" in page and 'lang="en"' in page


@pytest.mark.django_db
@pytest.mark.parametrize("host", ["evil.example", "127.0.0.1:8000@evil", "a b"])
def test_a_bad_host_header_is_a_400_not_a_500(host):
    client = Client(raise_request_exception=False)
    response = client.get("/", HTTP_HOST=host)
    assert response.status_code == 400
