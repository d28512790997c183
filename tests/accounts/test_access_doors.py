"""``access_<kind>(user, pk)`` is the only door to an object: the owner's county gets it, another county a 404."""

import pytest
from django.http import Http404

from members import selectors as member_selectors
from members.models import Transfer
from reporting import selectors as reporting_selectors
from tests.factories import make_member


def test_member_organisation_and_county_doors(tree, county_user, other_county_user):
    member = make_member(union=tree["union_sz"])

    assert member_selectors.access_member(county_user, member.pk) == member
    assert member_selectors.access_organisation(county_user, tree["union_sz"].pk) == tree["union_sz"]
    assert reporting_selectors.access_county(county_user, tree["shangzhou"].code) == tree["shangzhou"]
    for door, key in (
        (member_selectors.access_member, member.pk),
        (member_selectors.access_organisation, tree["union_sz"].pk),
        (reporting_selectors.access_county, tree["shangzhou"].code),
    ):
        with pytest.raises(Http404):
            door(other_county_user, key)


def test_a_transfer_is_seen_from_either_side_and_by_no_one_else(tree, county_user, other_county_user, city_user):
    member = make_member(union=tree["union_sz"])
    transfer = Transfer.objects.create(
        member=member, from_organisation=tree["union_sz"], to_organisation=tree["union_sz"], requested_by=county_user
    )

    assert member_selectors.access_transfer(county_user, transfer.pk) == transfer
    assert member_selectors.access_transfer(city_user, transfer.pk) == transfer
    with pytest.raises(Http404):
        member_selectors.access_transfer(other_county_user, transfer.pk)
