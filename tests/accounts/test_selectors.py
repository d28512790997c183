"""The one "users holding permission P at node N" selector, checked against ``has_perm`` itself."""

from tests.factories import UserFactory
from unionportal.accounts.selectors import roles_granting, users_with_permission, users_with_role

APPROVE = "reporting.approve_monthlyreport"


def test_roles_granting_are_exactly_the_roles_whose_holders_have_the_permission(tree):
    codes = roles_granting("mutualaid.approve_claim")
    assert "approver" in codes and "member" not in codes
    for code in codes:
        user = UserFactory(username=f"r_{code}", organisation=tree["city"], roles=[code])
        assert user.has_perm("mutualaid.approve_claim"), code


def test_holders_at_a_node_below_it_and_anywhere(tree):
    county = UserFactory(username="c1", organisation=tree["shangzhou"], roles=["county_staff"])
    union = UserFactory(username="u1", organisation=tree["union_sz"], roles=["county_staff"])
    other = UserFactory(username="o1", organisation=tree["shanyang"], roles=["county_staff"])
    UserFactory(username="off", organisation=tree["shangzhou"], roles=["county_staff"], is_active=False)
    UserFactory(username="m1", organisation=tree["shangzhou"], roles=["union_officer"])
    perm = "members.view_member"
    assert all(u.has_perm(perm) for u in (county, union, other))

    assert list(users_with_permission(perm, at_path=tree["shangzhou"].path).filter(groups__name="county_staff")) == [
        county
    ]
    below = users_with_permission(perm, at_path=tree["shangzhou"].path, below=True).filter(groups__name="county_staff")
    assert list(below) == [county, union]
    assert set(users_with_permission(perm).filter(groups__name="county_staff")) == {county, union, other}


def test_a_user_without_the_permission_is_never_a_holder_and_superusers_only_when_asked(tree):
    officer = UserFactory(username="off1", organisation=tree["shangzhou"], roles=["union_officer"])
    root = UserFactory(username="root1", organisation=tree["shangzhou"], is_superuser=True)
    assert not officer.has_perm(APPROVE)

    assert officer not in users_with_permission(APPROVE)
    assert root not in users_with_permission(APPROVE, at_path=tree["shangzhou"].path)
    assert root in users_with_permission(APPROVE, at_path=tree["shangzhou"].path, superusers=True)


def test_users_with_role_at_a_node(tree):
    staff = UserFactory(username="s1", organisation=tree["shangzhou"], roles=["county_staff"])
    UserFactory(username="s2", organisation=tree["shanyang"], roles=["county_staff"])

    assert list(users_with_role("county_staff", at_path=tree["shangzhou"].path)) == [staff]
