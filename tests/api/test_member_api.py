"""The JSON API for members (token sign-in by ID number or phone, /my/…) and for staff (lookup, claim list)."""

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from mutualaid.claims import flow as claim_flow
from tests.factories import PASSWORD, UserFactory, make_member, make_member_account


@pytest.fixture
def member_token(client, covered_member):
    make_member_account(covered_member)
    response = client.post("/api/v1/auth/token/", {"username": covered_member.id_number, "password": PASSWORD})
    assert response.status_code == 200
    return response.json()["token"]


def auth(token):
    return {"HTTP_AUTHORIZATION": f"Token {token}"}


@pytest.mark.django_db
class TestMemberApi:
    def test_a_member_gets_a_token_with_the_phone_too(self, client, covered_member):
        make_member_account(covered_member)
        response = client.post("/api/v1/auth/token/", {"username": covered_member.phone, "password": PASSWORD})
        me = client.get("/api/v1/me/", **auth(response.json()["token"])).json()
        assert me["organisation"] is None and me["roles"][0]["code"] == "member"

    def test_token_failures_count_towards_the_member_lock(self, client, covered_member, settings):
        make_member_account(covered_member)
        for _ in range(settings.AXES_FAILURE_LIMIT):
            client.post("/api/v1/auth/token/", {"username": covered_member.phone, "password": "Wrong-1-pass"})
        locked = client.post("/api/v1/auth/token/", {"username": covered_member.id_number, "password": PASSWORD})
        # The right password from the locked address gets no token (the same answer as for staff).
        assert locked.status_code == 429 and "token" not in locked.json()
        assert locked.json()["code"] == "locked" and "30 分钟" in locked.json()["message"]
        assert covered_member.id_number not in locked.content.decode()
        elsewhere = client.post(
            "/api/v1/auth/token/", {"username": covered_member.id_number, "password": PASSWORD}, REMOTE_ADDR="10.8.8.8"
        )
        assert elsewhere.status_code == 200

    def test_my_claims_and_the_detail_with_timeline_and_breakdown(self, client, member_token, claim, tree):
        reviewer = UserFactory(username="rv_api", organisation=tree["shangzhou"], roles=["reviewer"])
        claim_flow.claim_assess(actor=reviewer, claim=claim)

        listed = client.get("/api/v1/my/claims/", **auth(member_token)).json()
        assert [row["number"] for row in listed["results"]] == [claim.number] and listed["next_offset"] is None
        assert listed["results"][0]["days_left"] >= 0

        detail = client.get(f"/api/v1/my/claims/{claim.number}/", **auth(member_token)).json()
        assert [step["status"] for step in detail["steps"]] == ["received", "accepted", "assessed"]
        assert detail["benefit"] == "2350.00" and detail["breakdown"]["self_paid"] == "5200.00"
        assert detail["breakdown"]["lines"][0]["rate"] == "0.5000"

    def test_another_members_claim_is_a_json_404(self, client, claim, tree, inpatient_plan):
        other = make_member(union=tree["union_sz"])
        make_member_account(other)
        token = client.post("/api/v1/auth/token/", {"username": other.id_number, "password": PASSWORD}).json()["token"]
        response = client.get(f"/api/v1/my/claims/{claim.number}/", **auth(token))
        assert response.status_code == 404 and response.json() == {"code": "not_found", "message": "未找到。"}

    def test_my_cover_and_the_estimate(self, client, member_token):
        cover = client.get("/api/v1/my/cover/", **auth(member_token)).json()
        assert cover[0]["shares"] == 1 and cover[0]["waiting_ends_on"] and cover[0]["renew_by"]
        body = {"claim_type": "inpatient", "total_cost": "12000", "fund_paid": "6000", "self_funded": "800"}
        estimate = client.post("/api/v1/my/estimate/", body, content_type="application/json", **auth(member_token))
        assert estimate.status_code == 200 and estimate.json()["breakdown"]["benefit"] == "2350.00"

    @pytest.mark.parametrize(
        "body, field",
        [
            ({"claim_type": "inpatient"}, "total_cost"),
            ({"claim_type": "inpatient", "total_cost": "abc"}, "total_cost"),
            ({"claim_type": 7, "total_cost": "100"}, "claim_type"),
            ({"claim_type": "inpatient", "total_cost": "100", "days": "many"}, "days"),
        ],
    )
    def test_bad_json_is_a_chinese_error_naming_the_field(self, client, member_token, body, field):
        response = client.post("/api/v1/my/estimate/", body, content_type="application/json", **auth(member_token))
        data = response.json()
        assert response.status_code == 400 and data["code"] == "invalid" and field in data["fields"]
        assert all(any("\u4e00" <= ch <= "\u9fff" for ch in message) for message in data["fields"][field])

    def test_figures_that_cannot_be_are_a_400_not_a_500(self, client, member_token):
        body = {"claim_type": "inpatient", "total_cost": "100", "fund_paid": "600"}
        response = client.post("/api/v1/my/estimate/", body, content_type="application/json", **auth(member_token))
        assert response.status_code == 400 and response.json()["message"]

    @pytest.mark.parametrize("amount", ["NaN", "Infinity", "-Infinity", "1e30", "1E+30", "sNaN", 1e30])
    def test_amounts_that_are_not_money_are_a_400_not_a_500(self, client, member_token, amount):
        for field in ("total_cost", "fund_paid", "self_funded"):
            body = {"claim_type": "inpatient", "total_cost": "100", field: amount}
            response = client.post("/api/v1/my/estimate/", body, content_type="application/json", **auth(member_token))
            assert response.status_code == 400, (field, amount, response.status_code)

    def test_no_cover_of_that_kind(self, client, member_token):
        body = {"claim_type": "critical", "total_cost": "100"}
        response = client.post("/api/v1/my/estimate/", body, content_type="application/json", **auth(member_token))
        assert response.status_code == 400 and response.json()["code"] == "no_cover"

    def test_staff_tokens_get_404_on_member_endpoints(self, client, county_user, claim):
        from knox.models import AuthToken

        token = AuthToken.objects.create(user=county_user)[1]
        for url in ("/api/v1/my/claims/", f"/api/v1/my/claims/{claim.number}/", "/api/v1/my/cover/",
                    "/api/v1/my/notices/"):  # fmt: skip
            assert client.get(url, **auth(token)).status_code == 404, url

    def test_anonymous_is_refused(self, client):
        response = client.get("/api/v1/my/claims/")
        assert response.status_code in (401, 403) and response.json()["code"] in ("not_authenticated", "forbidden")


@pytest.mark.django_db
class TestStaffApi:
    def test_lookup_by_id_number_in_the_body_masked_and_scoped(self, client, county_user, other_county_user,
                                                                covered_member):  # fmt: skip
        client.force_login(county_user)
        url = reverse("api:member-lookup")
        found = client.post(url, {"id_number": covered_member.id_number}, content_type="application/json").json()
        assert found["member_number"] == covered_member.member_number
        assert found["id_number"] != covered_member.id_number and "*" in found["id_number"]
        assert not LogEntry.objects.filter(additional_data__kind="reveal").exists()

        client.force_login(other_county_user)
        response = client.post(url, {"id_number": covered_member.id_number}, content_type="application/json")
        assert response.status_code == 404

    def test_a_reveal_is_logged(self, client, county_user, covered_member):
        client.force_login(county_user)
        body = {"id_number": covered_member.id_number, "reveal": True}
        found = client.post(reverse("api:member-lookup"), body, content_type="application/json").json()
        assert found["id_number"] == covered_member.id_number
        entry = LogEntry.objects.get(additional_data__kind="reveal")
        assert entry.actor == county_user and entry.object_pk == str(covered_member.pk)

    def test_a_wrong_check_character_is_a_field_error(self, client, county_user, covered_member):
        client.force_login(county_user)
        wrong = covered_member.id_number[:17] + ("1" if covered_member.id_number[17] != "1" else "2")
        response = client.post(reverse("api:member-lookup"), {"id_number": wrong}, content_type="application/json")
        assert response.status_code == 400 and "校验" in response.json()["fields"]["id_number"][0]

    @pytest.mark.parametrize("body", [{}, {"id_number": ["612501198806150020"]}, {"id_number": "x", "reveal": "maybe"}])
    def test_bad_lookup_bodies_are_chinese_field_errors(self, client, county_user, body):
        client.force_login(county_user)
        response = client.post(reverse("api:member-lookup"), body, content_type="application/json")
        data = response.json()
        assert response.status_code == 400 and data["code"] == "invalid" and data["fields"]
        assert all(any("\u4e00" <= ch <= "\u9fff" for ch in m) for ms in data["fields"].values() for m in ms)
        assert not LogEntry.objects.filter(additional_data__kind="reveal").exists()

    def test_a_member_token_cannot_look_anyone_up_or_list_claims(self, client, member_token, covered_member):
        body = {"id_number": covered_member.id_number}
        response = client.post("/api/v1/members/lookup/", body, content_type="application/json", **auth(member_token))
        assert response.status_code == 403
        assert client.get("/api/v1/claims/", **auth(member_token)).status_code == 403

    def test_claim_list_is_scoped_filtered_and_paged(self, client, county_user, other_county_user, claim,
                                                     django_assert_max_num_queries):  # fmt: skip
        client.force_login(county_user)
        client.get("/api/v1/claims/")
        with django_assert_max_num_queries(6):
            rows = client.get("/api/v1/claims/", {"status": "accepted"}).json()
        assert [row["number"] for row in rows["results"]] == [claim.number] and rows["next_before"] is None
        assert client.get("/api/v1/claims/", {"status": "paid"}).json()["results"] == []
        assert client.get("/api/v1/claims/", {"status": "nonsense"}).status_code == 400

        client.force_login(other_county_user)
        assert client.get("/api/v1/claims/").json()["results"] == []


@pytest.mark.django_db
def test_an_overlong_username_is_a_field_error_not_a_server_error(client):
    response = client.post("/api/v1/auth/token/", {"username": "x" * 400, "password": "whatever"})
    assert response.status_code == 400 and "username" in response.json()["fields"]
