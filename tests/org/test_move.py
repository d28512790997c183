"""A union moves to another county with everything that hangs off it, and its old path is never handed out again.

The regression of issue 10: before, a move rewrote only ``Member.org_path``; claims, covers, batches, payment
requests and notices kept the old path, so the old county kept seeing them, the new county and the union did
not, and the next union created under the old parent took the freed path and with it another union's claims.
"""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.urls import reverse
from django.utils import translation

from members import selectors as member_selectors
from members.models import Member
from mutualaid import figures, selectors, services
from mutualaid.claims import documents
from mutualaid.claims import flow as claim_flow
from mutualaid.models import Claim, EnrolmentBatch, Policy
from tests.factories import UserFactory, claim_input, make_member, make_pdf
from unionportal.notifications.models import Notice
from unionportal.notifications.selectors import outbox_for
from unionportal.org import services as org_services
from unionportal.org.models import Organisation, OrganisationEvent, RetiredPath
from unionportal.org.scope import scope_queryset
from unionportal.payments import selectors as payment_selectors
from unionportal.payments.models import PaymentRequest

PDF = make_pdf()


@pytest.fixture
def union_with_everything(tree, clerk, covered_member, settings, tmp_path):
    """商州某公司工会 with a member, a cover and its paid batch, an approved claim with a scan, a payment
    request and the notices sent to the member."""
    settings.MEDIA_ROOT = tmp_path
    claim = services.claim_receive(actor=clerk, member=covered_member, data=claim_input())
    documents.claim_document_add(
        actor=clerk,
        claim=claim,
        material="discharge",
        upload=SimpleUploadedFile("出院小结.pdf", PDF, "application/pdf"),
    )
    reviewer = UserFactory(username="mv_rv", organisation=tree["shangzhou"], roles=["reviewer"])
    approver = UserFactory(username="mv_ap", organisation=tree["shangzhou"], roles=["approver"])
    claim = claim_flow.claim_approve(actor=approver, claim=claim_flow.claim_assess(actor=reviewer, claim=claim))
    return {
        "member": covered_member,
        "claim": claim,
        "document": claim.documents.get(),
        "policy": Policy.objects.get(member=covered_member),
        "batch": EnrolmentBatch.objects.get(organisation=tree["union_sz"]),
        "request": PaymentRequest.objects.get(reference=claim.number),
        "notices": list(Notice.objects.filter(member_reference=str(covered_member.pk))),
    }


def sees_all(user, things) -> bool:
    """Whether ``user`` reaches every one of ``things`` through the selectors the pages use."""
    member_selectors.access_member(user, things["member"].pk)
    selectors.access_claim(user, things["claim"].pk)
    payment_selectors.access_payment_request(user=user, pk=things["request"].pk)
    assert selectors.covers_scoped(user).filter(pk=things["policy"].pk).exists()
    assert scope_queryset(EnrolmentBatch.objects.all(), user).filter(pk=things["batch"].pk).exists()
    notices = {n.pk for n in things["notices"]}
    assert notices and notices <= set(scope_queryset(Notice.objects.all(), user).values_list("pk", flat=True))
    return True


def sees_none(user, things) -> bool:
    for reach in (
        lambda: member_selectors.access_member(user, things["member"].pk),
        lambda: selectors.access_claim(user, things["claim"].pk),
        lambda: payment_selectors.access_payment_request(user=user, pk=things["request"].pk),
    ):
        with pytest.raises(Http404):
            reach()
    assert not selectors.covers_scoped(user).filter(pk=things["policy"].pk).exists()
    assert not scope_queryset(EnrolmentBatch.objects.all(), user).filter(pk=things["batch"].pk).exists()
    assert not scope_queryset(Notice.objects.all(), user).filter(pk__in=[n.pk for n in things["notices"]]).exists()
    assert not outbox_for(user).filter(pk__in=[n.pk for n in things["notices"]]).exists()
    return True


@pytest.mark.django_db
def test_moved_union_takes_everything_to_the_new_county_and_its_old_path_is_never_reused(
    client, tree, city_user, county_user, other_county_user, union_with_everything
):
    things = union_with_everything
    union = tree["union_sz"]
    officer = UserFactory(username="mv_officer", organisation=union, roles=["union_officer"])
    old_path = union.path
    assert sees_all(county_user, things) and sees_none(other_county_user, things)

    # When the city moves the union from 商州 to 山阳, and 商州 founds a new union right after
    moved = org_services.organisation_move(actor=city_user, organisation=union, new_parent=tree["shanyang"])
    newcomer = org_services.organisation_create(
        actor=county_user, parent=tree["shangzhou"],
        fields={"kind": Organisation.Kind.GRASSROOTS, "code": "611002009001", "name": "商州新成立工会"},
    )  # fmt: skip
    new_officer = UserFactory(username="mv_new_officer", organisation=newcomer, roles=["union_officer"])

    # Then every copy of the path followed the union, and the freed path went to nobody
    assert moved.path.startswith(tree["shanyang"].path)
    assert newcomer.path != old_path and not newcomer.path.startswith(old_path)
    assert RetiredPath.objects.filter(path=old_path).exists()
    for model, field in ((Member, "org_path"), (Claim, "org_path"), (Policy, "org_path"),
                         (EnrolmentBatch, "org_path"), (PaymentRequest, "org_path"),
                         (Notice, "organisation_path")):  # fmt: skip
        assert not model.objects.filter(**{f"{field}__startswith": old_path}).exists(), model

    # The new county and the union's own officer see all of theirs; the old county and the newcomer none
    # (each user read afresh, as a request does: the officer's node has a new path)
    officer, county_user, other_county_user = (
        type(u).objects.get(pk=u.pk) for u in (officer, county_user, other_county_user)
    )
    assert sees_all(other_county_user, things) and sees_all(officer, things)
    assert sees_none(county_user, things) and sees_none(new_officer, things)

    # Through the real pages too: the claim and its scan
    claim_url = reverse("mutualaid:claim-detail", args=[things["claim"].pk])
    scan_url = reverse("mutualaid:claim-document", args=[things["claim"].pk, things["document"].pk])
    for user, status in ((other_county_user, 200), (officer, 200), (county_user, 404), (new_officer, 404)):
        client.force_login(user)
        assert client.get(claim_url).status_code == status, user
        assert client.get(scan_url).status_code == status, user

    # And the move is on record with both parents by name
    event = OrganisationEvent.objects.get(organisation=union, kind=OrganisationEvent.Kind.MOVED)
    assert (event.from_parent, event.to_parent, event.actor) == (tree["shangzhou"], tree["shanyang"], city_user)
    assert "商州区总工会" in event.note and "山阳县总工会" in event.note


@pytest.mark.django_db
def test_only_child_moved_away_leaves_its_step_retired(tree, city_user, county_user):
    # Given a township whose only union moves away (treebeard would give the next child step 1 again)
    township = org_services.organisation_create(
        actor=county_user, parent=tree["shangzhou"],
        fields={"kind": Organisation.Kind.TOWNSHIP, "code": "611002100", "name": "大赵峪街道工会"},
    )  # fmt: skip
    only = org_services.organisation_create(
        actor=county_user, parent=township, fields={"kind": "grassroots", "code": "611002100001", "name": "甲工会"}
    )
    freed = only.path
    org_services.organisation_move(actor=city_user, organisation=only, new_parent=tree["shanyang"])

    # When two unions are created under the township, now childless
    first = org_services.organisation_create(
        actor=county_user, parent=township, fields={"kind": "grassroots", "code": "611002100002", "name": "乙工会"}
    )
    second = org_services.organisation_create(
        actor=county_user, parent=township, fields={"kind": "grassroots", "code": "611002100003", "name": "丙工会"}
    )

    # Then neither takes the freed path, and the tree is still sound
    assert freed not in (first.path, second.path) and first.path < second.path
    assert first.path > freed
    assert Organisation.objects.find_problems() == ([], [], [], [], [])


@pytest.mark.django_db
def test_a_union_moved_under_a_childless_node_does_not_take_a_retired_path(tree, city_user, county_user):
    # Given a township whose only union moved away, so that it is childless again
    township = org_services.organisation_create(
        actor=county_user, parent=tree["shangzhou"],
        fields={"kind": Organisation.Kind.TOWNSHIP, "code": "611002200", "name": "北街街道工会"},
    )  # fmt: skip
    only = org_services.organisation_create(
        actor=county_user, parent=township, fields={"kind": "grassroots", "code": "611002200001", "name": "丁工会"}
    )
    freed = only.path
    org_services.organisation_move(actor=city_user, organisation=only, new_parent=tree["shanyang"])
    # When another union (with a group under it) moves in
    group = org_services.organisation_create(
        actor=county_user, parent=tree["union_sz"], fields={"kind": "group", "code": "611002001001-9", "name": "九组"}
    )
    moved = org_services.organisation_move(actor=city_user, organisation=tree["union_sz"], new_parent=township)
    # Then it and its group sit after the retired step, and the tree is sound
    group.refresh_from_db()
    township.refresh_from_db()
    assert moved.path != freed and moved.path.startswith(township.path) and moved.path > freed
    assert group.path.startswith(moved.path) and township.numchild == 1
    assert Organisation.objects.find_problems() == ([], [], [], [], [])


@pytest.mark.django_db
def test_merge_hands_the_unions_rows_to_the_union_it_joins(tree, city_user, county_user, union_with_everything):
    # Given a second union in the same county
    things = union_with_everything
    target = org_services.organisation_create(
        actor=county_user,
        parent=tree["shangzhou"],
        fields={"kind": "grassroots", "code": "611002002", "name": "乙工会"},
    )
    target_officer = UserFactory(username="mg_officer", organisation=target, roles=["union_officer"])
    left = make_member(union=tree["union_sz"], name="已离会")
    left.status = Member.Status.LEFT
    left.save(update_fields=["status"])

    # When the union merges into it
    note = org_services.organisation_merge(actor=county_user, source=tree["union_sz"], target=target)

    # Then its active members, claims, covers, batches, payments and notices are the target's
    assert "1" in note
    assert sees_all(target_officer, things)
    # ... while a member who had left stays on the old union's books (its path is kept, deregistered)
    left.refresh_from_db()
    assert left.organisation_id == tree["union_sz"].pk and left.org_path == tree["union_sz"].path


@pytest.mark.django_db
def test_a_node_cannot_move_into_its_own_branch(tree, city_user, county_user):
    group = org_services.organisation_create(
        actor=county_user, parent=tree["union_sz"], fields={"kind": "group", "code": "611002001001-1", "name": "一组"}
    )
    with pytest.raises(ValidationError, match="其下级|its own branches"):
        org_services.organisation_move(actor=city_user, organisation=tree["union_sz"], new_parent=group)
    with pytest.raises(ValidationError):
        org_services.organisation_move(actor=city_user, organisation=tree["union_sz"], new_parent=tree["union_sz"])
    assert Organisation.objects.get(pk=tree["union_sz"].pk).path == tree["union_sz"].path


@pytest.mark.django_db
def test_county_staff_cannot_move_or_merge_into_another_county(tree, county_user, union_with_everything):
    union = tree["union_sz"]
    path = union.path
    with pytest.raises(ValidationError) as moved:
        org_services.organisation_move(actor=county_user, organisation=union, new_parent=tree["shanyang"])
    assert moved.value.code == "other_county"
    with pytest.raises(ValidationError) as merged:
        org_services.organisation_merge(actor=county_user, source=union, target=tree["union_sy"])
    assert merged.value.code == "other_county"
    # Nothing half-done: the union, its members and its claim are where they were
    union.refresh_from_db()
    assert union.path == path and union.is_active
    assert Claim.objects.get(pk=union_with_everything["claim"].pk).org_path == path
    assert not OrganisationEvent.objects.filter(kind__in=["moved", "merged"]).exists()


@pytest.mark.django_db
def test_refusals_read_in_chinese(tree, city_user, county_user):
    with translation.override("zh-hans"):
        with pytest.raises(ValidationError) as other_county:
            org_services.organisation_move(
                actor=county_user, organisation=tree["union_sz"], new_parent=tree["shanyang"]
            )
        with pytest.raises(ValidationError) as own_branch:
            org_services.organisation_move(actor=city_user, organisation=tree["shangzhou"], new_parent=tree["union_sz"])
    assert "山阳县总工会属于其他县区：跨县区的移动或合并只能由市总工会办理。" in other_county.value.messages
    assert own_branch.value.messages == ["不能把组织调整到它自身或其下级组织之下。"]


@pytest.mark.django_db
def test_figures_keep_what_was_paid_in_the_county_it_was_paid_in(tree, city_user, county_user, covered_member):
    # Given a cover paid in 商州 (its batch counted there when it was paid)
    batch = EnrolmentBatch.objects.get(organisation=tree["union_sz"])
    assert batch.counted_in_county == tree["shangzhou"]
    year, month = batch.paid_on.year, batch.paid_on.month

    # When the union moves to 山阳
    org_services.organisation_move(actor=city_user, organisation=tree["union_sz"], new_parent=tree["shanyang"])

    # Then 商州's month still counts the cover, 山阳's does not; the scope moved, the history did not
    assert figures.county_month_figures(tree["shangzhou"], year, month)["enrolments"] == 1
    assert figures.county_month_figures(tree["shanyang"], year, month)["enrolments"] == 0
    assert figures.county_month_tallies(batch.paid_on)[tree["shangzhou"].path].enrolments == 1
    assert EnrolmentBatch.objects.get(pk=batch.pk).org_path.startswith(tree["shanyang"].path)
    page = figures.scoped_month_figures(county_user, year=year, month=month)
    assert [(row.organisation, row.figures["enrolments"]) for row in page.rows] == [(tree["shangzhou"], 1)]
