"""The browser reports no Content-Security-Policy violation on the pages that script (issue 11, item 14)."""

import pytest

from tests.browser.steps import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = ["/", "/members/figures/", "/mutualaid/figures/", "/members/list/", "/mutualaid/claims/", "/api/docs/"]


def test_no_page_breaks_the_policy_and_filters_still_submit(page, live_server, demo_city):
    violations = []
    page.on("console", lambda m: "Content Security Policy" in m.text and violations.append(f"{page.url}: {m.text}"))
    sign_in(page, live_server, "city_staff")
    page.get_by_role("heading", name="工作台").wait_for()
    for path in PAGES:
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
    # The chart is drawn from its data-attributes (a canvas Chart.js has sized).
    page.goto(f"{live_server.url}/members/figures/")
    page.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('members-chart'))")
    # A status filter submits on change, without an inline handler.
    page.goto(f"{live_server.url}/mutualaid/claims/")
    page.locator("select[name=status]").select_option(index=1)
    page.wait_for_url("**status=*")
    assert violations == []
