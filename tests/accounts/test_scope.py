import pytest
from django.urls import reverse

from tests.factories import UserFactory
from unionportal.org.models import Organisation
from unionportal.org.scope import access, scope_queryset


@pytest.mark.django_db
def test_county_user_sees_only_their_subtree(tree, county_user):
    visible = set(scope_queryset(Organisation.objects.all(), county_user).values_list("code", flat=True))
    assert visible == {"611002", "611002001001"}


@pytest.mark.django_db
def test_city_user_sees_the_whole_city(tree, city_user):
    assert scope_queryset(Organisation.objects.all(), city_user).count() == Organisation.objects.count()


@pytest.mark.django_db
def test_user_attached_to_no_node_sees_nothing(tree):
    stray = UserFactory(organisation=None, roles=["city_staff"])
    assert not scope_queryset(Organisation.objects.all(), stray).exists()


@pytest.mark.django_db
def test_access_outside_scope_is_a_404_not_a_403(tree, county_user):
    from django.http import Http404

    assert access(Organisation, county_user, pk=tree["union_sz"].pk) == tree["union_sz"]
    with pytest.raises(Http404):
        access(Organisation, county_user, pk=tree["union_sy"].pk)


@pytest.mark.django_db
def test_scope_is_one_prefix_query(tree, county_user, django_assert_num_queries):
    county_user = type(county_user).objects.select_related("organisation").get(pk=county_user.pk)
    with django_assert_num_queries(1):
        list(scope_queryset(Organisation.objects.all(), county_user))


@pytest.mark.django_db
class TestOrganisationPages:
    def test_own_county_union_opens(self, client, tree, county_user):
        client.force_login(county_user)
        response = client.get(reverse("members:organisation-detail", args=[tree["union_sz"].pk]))
        assert response.status_code == 200
        assert "商州某公司工会" in response.content.decode()

    def test_other_county_union_is_not_found(self, client, tree, county_user):
        client.force_login(county_user)
        response = client.get(reverse("members:organisation-detail", args=[tree["union_sy"].pk]))
        assert response.status_code == 404
        assert "找不到" in response.content.decode()

    def test_anonymous_visitor_is_sent_to_sign_in(self, client, tree):
        response = client.get(reverse("members:organisation-detail", args=[tree["union_sz"].pk]))
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))

    def test_county_list_shows_own_children_and_hides_parent(self, client, tree, county_user):
        client.force_login(county_user)
        page = client.get(reverse("members:organisation-list"), follow=True).content.decode()
        assert "商州某公司工会" in page
        assert "山阳" not in page
        assert "商洛市总工会</a>" not in page


@pytest.mark.django_db
class TestOrganisationApi:
    url = "/api/v1/organisations/"

    def test_county_token_lists_only_its_subtree(self, client, tree, county_user):
        client.force_login(county_user)
        rows = client.get(self.url).json()["results"]
        assert [row["code"] for row in rows] == ["611002", "611002001001"]
        assert rows[1]["parent"] == tree["shangzhou"].pk

    def test_other_county_object_is_404(self, client, tree, county_user):
        client.force_login(county_user)
        assert client.get(f"{self.url}{tree['union_sy'].pk}/").status_code == 404

    def test_anonymous_is_refused(self, client, tree):
        assert client.get(self.url).status_code in (401, 403)

    def test_token_auth_works_for_programs(self, client, tree, county_user):
        from knox.models import AuthToken

        _instance, token = AuthToken.objects.create(user=county_user)
        response = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}")
        assert response.json()["organisation"]["code"] == "611002"
        assert response.json()["roles"][0]["code"] == "county_staff"

    def test_list_runs_a_constant_number_of_queries(self, client, tree, county_user, django_assert_max_num_queries):
        from tests.factories import make_organisation

        client.force_login(county_user)
        with django_assert_max_num_queries(12) as few:
            client.get(self.url)
        for _ in range(10):
            make_organisation(parent=tree["shangzhou"])
        with django_assert_max_num_queries(len(few.captured_queries)):
            client.get(self.url)


def test_require_in_scope_is_the_services_404(tree, county_user):
    from django.http import Http404

    from unionportal.org.scope import require_in_scope

    require_in_scope(county_user, tree["union_sz"].path)  # own county's union: no answer at all
    with pytest.raises(Http404):
        require_in_scope(county_user, tree["union_sy"].path)
    with pytest.raises(Http404):
        require_in_scope(county_user, tree["city"].path)
