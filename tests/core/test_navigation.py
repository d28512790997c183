import pytest
from django.urls import clear_script_prefix, reverse, set_script_prefix

from unionportal.core.navigation import link_maker


def test_link_maker_gives_what_reverse_gives_for_every_id():
    claim_page = link_maker("mutualaid:claim-detail")
    for pk in (1, 42, 9182736450, 10**12):
        assert claim_page(pk) == reverse("mutualaid:claim-detail", args=[pk])


def test_link_maker_keeps_the_script_prefix_of_a_portal_served_below_the_root():
    set_script_prefix("/portal/")
    try:
        assert link_maker("mutualaid:claim-detail")(7) == "/portal/mutualaid/claims/7/"
    finally:
        clear_script_prefix()


def _labels(entries):
    return [(entry.label, [item.url_name for item in entry.items]) for entry in entries]


@pytest.mark.django_db
def test_staff_menu_is_grouped_by_area_and_trimmed_to_the_role(tree):
    from tests.factories import UserFactory
    from unionportal.core.navigation import menu_for

    clerk = UserFactory(organisation=tree["shangzhou"], roles=["counter_clerk"])
    entries = menu_for(clerk)
    names = [str(entry.label) for entry in entries]
    assert names[0] == "工作台"
    areas = {entry.key for entry in entries if entry.key}
    assert "members" in areas and "mutualaid" in areas
    assert "system" in areas  # notices
    assert "reporting" not in areas  # a counter clerk files no monthly report
    # Every entry the clerk sees is one the clerk may open.
    for entry in entries:
        for item in entry.items:
            assert item.permission is None or clerk.has_perm(item.permission)


@pytest.mark.django_db
def test_an_area_of_one_entry_is_a_plain_link(tree):
    from tests.factories import UserFactory
    from unionportal.core.navigation import menu_for

    finance = UserFactory(organisation=tree["shangzhou"], roles=["finance"])
    payments = next(entry for entry in menu_for(finance) if entry.key == "payments")
    assert len(payments.items) >= 1
    for entry in menu_for(finance):
        if entry.key and len(entry.items) == 1:
            assert entry.label == entry.items[0].label


@pytest.mark.django_db
def test_member_menu_keeps_its_order(demo_city):
    from django.contrib.auth import get_user_model

    from members.demo import DEMO_MEMBER_ID
    from members.models import Member
    from unionportal.core.navigation import menu_for

    account = Member.objects.get(id_number=DEMO_MEMBER_ID).account
    assert isinstance(account, get_user_model())
    assert [entry.items[0].url_name for entry in menu_for(account)][:3] == [
        "mutualaid:my-claims",
        "mutualaid:my-cover",
        "mutualaid:my-estimate",
    ]


def test_an_unknown_area_is_refused():
    from unionportal.core.navigation import NavItem

    with pytest.raises(ValueError):
        NavItem("x", "core:workbench", group="nowhere")
