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
