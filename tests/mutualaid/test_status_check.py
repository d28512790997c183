"""The status check without an account: right answers for the right pair, nothing for probes, limits."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

URL = reverse("mutualaid:status-check")


def shapes(captured) -> list[str]:
    """The statements run, with their values blanked out."""
    return [re.sub(r"'[^']*'|\b\d+\b", "?", q["sql"]) for q in captured.captured_queries]


def answer_of(response) -> str:
    """The part of the page after the form: what the check answered."""
    page = response.content.decode()
    return page[page.index("</form>", page.index('name="id_number"')) : page.index("</main>")].strip()


def ask(client, number, id_number, address="10.0.0.1"):
    return client.post(URL, {"number": number, "id_number": id_number}, REMOTE_ADDR=address)


@pytest.mark.django_db
class TestStatusCheck:
    def test_the_right_pair_shows_status_and_promised_date_and_nothing_personal(self, client, claim):
        page = ask(client, claim.number.lower(), claim.member.id_number.lower()).content.decode()
        assert "已受理" in page and f"{claim.due_on.month}月{claim.due_on.day}日" in page
        assert claim.member.name not in page and claim.member.id_number not in page and "2,350" not in page

    def test_wrong_pair_and_unknown_claim_get_the_same_answer_with_the_same_work(self, client, claim, tree):
        from tests.factories import make_member

        other = make_member(union=tree["union_sz"])
        with CaptureQueriesContext(connection) as wrong_pair:
            wrong = ask(client, claim.number, other.id_number, address="10.0.0.2")
        with CaptureQueriesContext(connection) as unknown_claim:
            unknown = ask(client, "LP2099999999", claim.member.id_number, address="10.0.0.3")
        assert wrong.status_code == unknown.status_code == 200
        strip = lambda html: html.replace(wrong.wsgi_request.META["CSRF_COOKIE"], "")  # noqa: E731
        assert 'data-testid="status-none"' in wrong.content.decode()
        assert len(wrong_pair.captured_queries) == len(unknown_claim.captured_queries)
        assert shapes(wrong_pair) == shapes(unknown_claim)
        assert strip(wrong.content.decode()).count("status-none") == strip(unknown.content.decode()).count(
            "status-none"
        )

    def test_five_tries_per_id_number_then_try_later(self, client, claim):
        for n in range(5):
            assert ask(client, f"LP20260{n}", claim.member.id_number, address=f"10.1.0.{n}").status_code == 200
        refused = ask(client, claim.number, claim.member.id_number, address="10.1.0.99")
        assert refused.status_code == 429 and "15 分钟" in refused.content.decode()

    def test_twenty_tries_per_address_then_try_later(self, client, claim, tree):
        from tests.factories import id_number

        for n in range(20):
            ask(client, "LP2026000999", id_number(f"6125011990010{n:04d}"), address="10.2.0.1")
        refused = ask(client, claim.number, claim.member.id_number, address="10.2.0.1")
        assert refused.status_code == 429
        assert ask(client, claim.number, claim.member.id_number, address="10.2.0.2").status_code == 200

    def test_the_check_is_post_only_and_needs_no_account(self, client, claim):
        page = client.get(URL + f"?number={claim.number}&id_number={claim.member.id_number}").content.decode()
        assert 'data-testid="status-answer"' not in page  # identifiers never travel in a URL
        assert 'name="id_number"' in page
