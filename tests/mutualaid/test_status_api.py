"""The anonymous claim status check through the JSON API: the same rules as the web page."""

import pytest

from mutualaid import services
from tests.factories import claim_input

STATUS = "/api/v1/claims/status/"


@pytest.mark.django_db
class TestStatusApi:
    def test_right_pair_wrong_pair_and_bad_types(self, client, clerk, covered_member):
        claim = services.claim_receive(actor=clerk, member=covered_member, data=claim_input())
        ok = client.post(STATUS, {"number": claim.number, "id_number": covered_member.id_number},
                         content_type="application/json").json()  # fmt: skip
        assert ok["status"] == "accepted" and ok["due_on"] == claim.due_on.isoformat()
        assert covered_member.name not in str(ok)
        wrong = client.post(STATUS, {"number": claim.number, "id_number": "11010519491231002X"},
                            content_type="application/json")  # fmt: skip
        unknown = client.post(STATUS, {"number": "LP2099000001", "id_number": covered_member.id_number},
                              content_type="application/json")  # fmt: skip
        assert wrong.status_code == unknown.status_code == 404 and wrong.json() == unknown.json()
        bad = client.post(STATUS, {"number": ["x"], "id_number": 5}, content_type="application/json")
        assert bad.status_code == 400 and bad.json()["code"] == "invalid"

    def test_the_limit_applies_to_the_api_too(self, client, clerk, covered_member):
        for n in range(5):
            client.post(STATUS, {"number": f"LP{n}", "id_number": covered_member.id_number}, REMOTE_ADDR=f"10.9.0.{n}")
        limited = client.post(STATUS, {"number": "LP1", "id_number": covered_member.id_number}, REMOTE_ADDR="10.9.1.1")
        assert limited.status_code == 429 and limited.json()["code"] == "throttled"
