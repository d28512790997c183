import pytest
from auditlog.models import LogEntry
from django.core import signing
from django.urls import reverse

from members.models import Member, MembershipPeriod
from tests.factories import UserFactory, id_number, make_member

LOOKUP = reverse("members:member-lookup")


@pytest.fixture
def clerk(tree):
    return UserFactory(username="clerk_sz", organisation=tree["shangzhou"], roles=["counter_clerk"])


@pytest.fixture
def zhang(tree):
    return make_member(union=tree["union_sz"], name="张伟", id_number="11010519491231002X", phone="13900000001")


@pytest.mark.django_db
class TestCounterLookup:
    def test_exact_id_number_opens_the_member_in_one_step(self, client, clerk, zhang):
        client.force_login(clerk)
        response = client.post(LOOKUP, {"q": "11010519491231002x"})  # as a card reader types it
        assert response.status_code == 302
        assert response.url == reverse("members:member-detail", args=[zhang.pk])
        assert "11010519491231002X" not in response.url

    def test_member_number_and_phone_open_the_member(self, client, clerk, zhang):
        client.force_login(clerk)
        assert client.post(LOOKUP, {"q": zhang.member_number}).status_code == 302
        assert client.post(LOOKUP, {"q": "13900000001"}).status_code == 302

    def test_wrong_check_digit_is_explained(self, client, clerk, zhang):
        client.force_login(clerk)
        page = client.post(LOOKUP, {"q": "110105194912310021"}).content.decode()
        assert "校验位" in page

    def test_name_search_lists_masked_matches(self, client, clerk, tree, zhang):
        make_member(union=tree["union_sz"], name="张伟强")
        client.force_login(clerk)
        page = client.post(LOOKUP, {"q": "张伟"}).content.decode()
        assert "张伟强" in page
        assert "1101**********002X" in page and "11010519491231002X" not in page

    def test_other_county_member_is_not_found(self, client, other_county_user, zhang):
        client.force_login(other_county_user)
        response = client.post(LOOKUP, {"q": "11010519491231002X"})
        assert response.status_code == 200
        assert 'data-testid="lookup-none"' in response.content.decode()
        response = client.get(reverse("members:member-detail", args=[zhang.pk]))
        assert response.status_code == 404

    def test_anonymous_is_sent_to_sign_in(self, client, zhang):
        response = client.post(LOOKUP, {"q": "11010519491231002X"})
        assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))

    def test_name_search_is_limited(self, client, clerk, tree, settings):
        settings.MEMBER_SEARCH_LIMIT = 3
        for _ in range(5):
            make_member(union=tree["union_sz"], name="李娜")
        client.force_login(clerk)
        response = client.post(LOOKUP, {"q": "李娜"})
        assert len(response.context["result"].matches) == 3 and response.context["result"].truncated


@pytest.mark.django_db
class TestMemberPages:
    def test_detail_masks_the_id_number_and_reveal_is_logged(self, client, clerk, zhang):
        client.force_login(clerk)
        page = client.get(reverse("members:member-detail", args=[zhang.pk])).content.decode()
        assert "1101**********002X" in page and "11010519491231002X" not in page

        revealed = client.post(reverse("members:member-reveal", args=[zhang.pk]))
        assert "11010519491231002X" in revealed.content.decode()
        entry = LogEntry.objects.filter(
            actor=clerk, action=LogEntry.Action.ACCESS, additional_data__kind="reveal"
        ).get()
        assert entry.additional_data == {"kind": "reveal", "field": "id_number"}

    def test_union_officer_cannot_reveal(self, client, tree, zhang):
        officer = UserFactory(organisation=tree["union_sz"], roles=["union_officer"])
        client.force_login(officer)
        assert client.post(reverse("members:member-reveal", args=[zhang.pk])).status_code == 403

    def test_register_derives_sex_and_birth_date_and_numbers_the_member(self, client, clerk, tree):
        client.force_login(clerk)
        number = id_number("61100220030228003")
        response = client.post(
            reverse("members:member-create"),
            {
                "organisation": tree["union_sz"].pk, "name": "王强", "id_type": "resident", "id_number": number,
                "ethnicity": "汉族", "phone": "13700000000", "employment": "standard", "joined_on": "2026-11-01",
            },
        )  # fmt: skip
        member = Member.objects.get(id_number=number)
        assert response.url == reverse("members:member-detail", args=[member.pk])
        assert (member.sex, str(member.birth_date)) == ("M", "2003-02-28")
        assert member.member_number.startswith("611000") and len(member.member_number) == 14
        assert member.periods.get().start_reason == MembershipPeriod.Reason.JOINED
        created = LogEntry.objects.get_for_object(member).get(action=LogEntry.Action.CREATE)
        assert created.actor == clerk and "*" in created.changes_dict["id_number"][1]

    def test_register_bad_input_says_which_field_and_saves_nothing(self, client, clerk, tree):
        client.force_login(clerk)
        response = client.post(
            reverse("members:member-create"),
            {
                "organisation": tree["union_sz"].pk, "name": "", "id_type": "resident",
                "id_number": "110105194912310021", "phone": "12345", "employment": "new_form",
            },
        )  # fmt: skip
        form = response.context["form"]
        assert set(form.errors) >= {"name", "id_number", "phone", "new_form_group"}
        assert "校验位" in str(form.errors["id_number"])
        assert not Member.objects.exists()

    def test_registering_a_member_of_another_union_proposes_a_transfer(self, client, tree, zhang):
        officer = UserFactory(organisation=tree["union_sy"], roles=["union_officer"])
        client.force_login(officer)
        response = client.post(
            reverse("members:member-create"),
            {
                "organisation": tree["union_sy"].pk, "name": "张伟", "id_type": "resident",
                "id_number": "11010519491231002X", "employment": "standard", "ethnicity": "汉族",
            },
        )  # fmt: skip
        assert 'data-testid="already-member"' in response.content.decode()
        assert Member.objects.count() == 1

        client.post(reverse("members:member-ask-transfer", args=[zhang.pk]), {"organisation": tree["union_sy"].pk})
        transfer = zhang.transfers.get()
        assert transfer.asked_by_receiver and transfer.to_organisation == tree["union_sy"]

    def test_list_pages_by_keyset_with_constant_queries(self, client, clerk, tree, django_assert_max_num_queries):
        for _ in range(3):
            make_member(union=tree["union_sz"])
        client.force_login(clerk)
        url = reverse("members:member-list")
        with django_assert_max_num_queries(20) as few:
            client.get(url)
        for _ in range(60):
            make_member(union=tree["union_sz"])
        with django_assert_max_num_queries(len(few.captured_queries)):
            first = client.get(url)
        assert len(first.context["page"].members) == 50
        second = client.get(url + "?" + first.context["next_query"])
        assert len(second.context["page"].members) == 13
        assert not {m.pk for m in first.context["page"].members} & {m.pk for m in second.context["page"].members}
        assert "COUNT(" not in " ".join(q["sql"] for q in few.captured_queries if "members_member" in q["sql"])

    def test_list_is_scoped(self, client, tree, other_county_user, zhang):
        client.force_login(other_county_user)
        assert client.get(reverse("members:member-list")).context["page"].members == []

    def test_status_change_retired_keeps_membership_left_ends_it(self, client, clerk, tree, zhang):
        client.force_login(clerk)
        client.post(reverse("members:member-status", args=[zhang.pk]), {"status": "retired", "on": "2026-11-01"})
        zhang.refresh_from_db()
        assert zhang.status == "retired" and zhang.periods.get().ended_on is None
        other = make_member(union=tree["union_sz"])
        client.post(reverse("members:member-status", args=[other.pk]), {"status": "left", "on": "2026-11-01"})
        assert other.periods.get().end_reason == "left"


@pytest.mark.django_db
class TestServiceCard:
    def test_signed_card_opens_the_member_and_a_forged_one_is_refused(self, client, clerk, tree, zhang):
        client.force_login(clerk)
        client.post(
            reverse("members:member-card-issue", args=[zhang.pk]),
            {"number": "6217000012345678", "issued_on": "2026-11-01"},
        )
        page = client.get(reverse("members:member-card-print", args=[zhang.pk])).content.decode()
        assert "<svg" in page and zhang.member_number in page

        token = signing.dumps({"m": zhang.pk, "n": zhang.member_number}, salt="members.card", compress=True)
        assert client.get(reverse("members:card-scan", args=[token])).status_code == 302
        forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
        assert client.get(reverse("members:card-scan", args=[forged])).status_code == 404

    def test_a_new_card_replaces_the_one_in_use(self, client, clerk, zhang):
        client.force_login(clerk)
        for number in ("6217000012345678", "6217000099999999"):
            client.post(
                reverse("members:member-card-issue", args=[zhang.pk]), {"number": number, "issued_on": "2026-11-01"}
            )
        assert list(zhang.cards.order_by("pk").values_list("status", flat=True)) == ["cancelled", "active"]
