from datetime import date

import pytest
from auditlog.models import LogEntry
from django.core import signing
from django.core.exceptions import ValidationError
from django.urls import reverse

from members import services
from members.models import Member, MembershipPeriod
from tests.factories import UserFactory, id_number, make_member
from unionportal.org.models import Organisation

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

    def test_detail_masks_the_phone_and_reveal_is_logged(self, client, clerk, zhang):
        client.force_login(clerk)
        page = client.get(reverse("members:member-detail", args=[zhang.pk])).content.decode()
        assert "139****0001" in page and "13900000001" not in page

        revealed = client.post(reverse("members:member-reveal", args=[zhang.pk]), {"field": "phone"})
        assert "13900000001" in revealed.content.decode()
        entry = LogEntry.objects.filter(actor=clerk, action=LogEntry.Action.ACCESS,
                                        additional_data__kind="reveal").get()  # fmt: skip
        assert entry.additional_data == {"kind": "reveal", "field": "phone"}
        assert client.post(reverse("members:member-reveal", args=[zhang.pk]), {"field": "name"}).status_code == 404

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

        page = response.content.decode()
        assert 'name="id_number" value="11010519491231002X"' in page and f"/members/{zhang.pk}/" not in page
        client.post(
            reverse("members:member-ask-transfer"),
            {"organisation": tree["union_sy"].pk, "id_number": "11010519491231002X", "name": "张伟"},
        )
        transfer = zhang.transfers.get()
        assert transfer.asked_by_receiver and transfer.to_organisation == tree["union_sy"]

    def test_registering_someone_elses_id_number_under_another_name_reveals_nothing(self, client, tree, zhang):
        officer = UserFactory(organisation=tree["union_sy"], roles=["union_officer"])
        client.force_login(officer)

        response = client.post(
            reverse("members:member-create"),
            {
                "organisation": tree["union_sy"].pk, "name": "李雷", "id_type": "resident",
                "id_number": "11010519491231002X", "employment": "standard", "ethnicity": "汉族",
            },
        )  # fmt: skip

        page = response.content.decode()
        assert 'data-testid="already-member-elsewhere"' in page and "已是其他工会会员" in page
        for secret in (zhang.name, zhang.member_number, tree["union_sz"].name):
            assert secret not in page
        assert 'data-testid="already-member"' not in page
        assert Member.objects.count() == 1

    def test_a_clerk_who_sees_the_union_is_shown_the_member_whatever_the_name(self, client, clerk, zhang, tree):
        client.force_login(clerk)  # 商州区 staff: 张伟's union is in scope

        response = client.post(
            reverse("members:member-create"),
            {
                "organisation": tree["union_sz"].pk, "name": "李雷", "id_type": "resident",
                "id_number": "11010519491231002X", "employment": "standard", "ethnicity": "汉族",
            },
        )  # fmt: skip

        assert zhang.member_number in response.content.decode()

    def test_editing_to_another_members_id_number_does_not_name_the_member(self, client, clerk, tree, zhang):
        other = make_member(union=tree["union_sy"], name="王芳")
        client.force_login(clerk)
        data = {
            "name": "张伟", "id_type": "resident", "id_number": other.id_number, "employment": "standard",
            "ethnicity": "汉族", "phone": "13900000001",
        }  # fmt: skip

        response = client.post(reverse("members:member-edit", args=[zhang.pk]), data)

        assert "id_number" in response.context["form"].errors
        assert other.member_number not in response.content.decode()


@pytest.mark.django_db
class TestAskTransfer:
    """POST /members/ask-transfer/: the member is named by the ID number and name typed, never by a key."""

    @pytest.fixture
    def officer(self, tree):
        return UserFactory(organisation=tree["union_sy"], roles=["union_officer"])

    def ask(self, client, tree, **data):
        body = {"organisation": tree["union_sy"].pk, "id_number": "11010519491231002X", "name": "张伟", **data}
        return client.post(reverse("members:member-ask-transfer"), body, follow=True)

    def test_the_matching_pair_asks_for_the_transfer(self, client, officer, tree, zhang):
        client.force_login(officer)
        self.ask(client, tree)
        transfer = zhang.transfers.get()
        assert (transfer.to_organisation, transfer.requested_by, transfer.asked_by_receiver) == (
            tree["union_sy"], officer, True
        )  # fmt: skip

    def test_unknown_number_and_wrong_name_get_the_same_answer_and_create_nothing(self, client, officer, tree, zhang):
        client.force_login(officer)
        unknown = self.ask(client, tree, id_number=id_number("61100219800101001"))
        wrong_name = self.ask(client, tree, name="李雷")

        def told(response):
            return [str(m) for m in response.context["messages"]]

        assert told(unknown) == told(wrong_name) and told(unknown)
        page = wrong_name.content.decode()
        for secret in (zhang.member_number, tree["union_sz"].name):
            assert secret not in page
        assert not zhang.transfers.exists()

    def test_a_member_key_in_the_url_is_no_longer_a_route(self, client, officer, tree, zhang):
        client.force_login(officer)
        response = client.post(f"/members/{zhang.pk}/ask-transfer/", {"organisation": tree["union_sy"].pk})
        assert response.status_code == 404
        assert not zhang.transfers.exists()

    def test_a_union_out_of_scope_gets_the_same_answer(self, client, officer, tree, zhang):
        client.force_login(officer)
        self.ask(client, tree, organisation=tree["union_sz"].pk)
        assert not zhang.transfers.exists()

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
class TestNoFutureDates:
    """Dates of things that have happened are never after today (issue 11, item 18)."""

    def test_a_status_change_in_2099_is_refused(self, client, clerk, zhang):
        client.force_login(clerk)
        client.post(reverse("members:member-status", args=[zhang.pk]), {"status": "left", "on": "2099-01-01"})
        zhang.refresh_from_db()
        assert zhang.status == "active" and zhang.status_changed_on is None

    def test_a_card_issued_in_2099_is_refused(self, client, clerk, zhang):
        client.force_login(clerk)
        client.post(
            reverse("members:member-card-issue", args=[zhang.pk]),
            {"number": "6221880000000099999", "issued_on": "2099-01-01"},
        )
        assert not zhang.cards.exists()

    def test_a_union_founded_in_2099_is_refused(self, client, tree, county_user):
        client.force_login(county_user)
        response = client.post(
            reverse("members:organisation-create", args=[tree["shangzhou"].pk]),
            {"kind": "grassroots", "code": "611002009", "name": "未来工会", "founded_on": "2099-01-01"},
        )
        assert "founded_on" in response.context["form"].errors
        assert not Organisation.objects.filter(code="611002009").exists()

    def test_the_services_refuse_them_too(self, clerk, zhang):
        with pytest.raises(ValidationError):
            services.member_set_status(actor=clerk, member=zhang, status="left", on=date(2099, 1, 1))
        with pytest.raises(ValidationError):
            services.member_card_issue(
                actor=clerk, member=zhang, number="6221880000000099999", issued_on=date(2099, 1, 1)
            )


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
