from datetime import date

import pytest
from django.urls import reverse

from members import services
from members.figures import membership_figures
from members.models import Member
from tests.factories import make_member, make_organisation
from unionportal.org.models import Organisation


@pytest.mark.django_db
def test_figures_per_county_counted_independently(client, tree, city_user):
    Organisation.objects.filter(pk=tree["union_sz"].pk).update(employee_count=10)
    for n in range(4):
        make_member(union=tree["union_sz"], is_migrant_worker=n < 3, joined_on=date(2026, 11, 5))
    make_member(union=tree["union_sz"], employment="new_form", new_form_group="courier", joined_on=date(2025, 1, 1))
    gone = make_member(union=tree["union_sy"], joined_on=date(2024, 3, 1))
    services.member_set_status(actor=city_user, member=gone, status=Member.Status.LEFT, on=date(2026, 11, 10))
    make_organisation(parent=tree["shanyang"], code="611024001009")  # a second union in Shanyang, no members

    result = membership_figures(city_user, area=tree["city"], month=date(2026, 11, 1))
    rows = {row.organisation.code: row for row in result.areas}
    sz, sy = rows["611002"], rows["611024"]
    assert (sz.unions, sz.members, sz.migrant, sz.new_form, sz.joined, sz.left) == (1, 5, 3, 1, 4, 0)
    assert (sy.unions, sy.members, sy.joined, sy.left) == (2, 0, 0, 1)
    assert sz.membership_rate == 50.0 and sy.membership_rate is None
    assert result.total.members == 5
    series = dict(result.series)
    assert series[date(2026, 11, 1)] == 5 and series[date(2026, 10, 1)] == 2  # 1 in 2024, 1 in 2025
    assert len(result.series) == 24


@pytest.mark.django_db
def test_county_user_sees_own_county_only(client, tree, county_user, django_assert_max_num_queries):
    make_member(union=tree["union_sz"])
    make_member(union=tree["union_sy"])
    client.force_login(county_user)
    with django_assert_max_num_queries(20):  # grouped queries: the same count at any size
        response = client.get(reverse("members:figures"))
    assert response.context["area"] == tree["shangzhou"]
    assert response.context["figures"].total.members == 1
    assert client.get(reverse("members:figures"), {"org": tree["shanyang"].pk}).status_code == 404
