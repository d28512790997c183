"""The bulletin and the dashboards in a real browser: a county reader opens the published bulletin from the menu
and sees the ranking and the charts drawn; the city publishes a month; no console errors anywhere."""

import pytest

from reporting.models import Bulletin
from tests.browser.steps import menu, sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def watch_errors(page) -> list[str]:
    errors = []

    def console(message):
        # The browser asks for /favicon.ico on its own; the portal has none, and that is not the page's error.
        if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
            errors.append(f"{message.text} {message.location.get('url', '')}")

    page.on("console", console)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    return errors


def test_county_reads_the_bulletin_with_its_ranking_and_charts(page, live_server, demo_city, screenshot):
    bulletin = Bulletin.objects.get()
    errors = watch_errors(page)
    sign_in(page, live_server, "county_shangzhou")
    menu(page, "月报与通报", "通报")
    page.get_by_role("link", name=f"{bulletin.month.year}年{bulletin.month.month}月").click()
    assert "工作通报" in page.get_by_test_id("bulletin-title").inner_text()
    assert page.get_by_test_id("bulletin-status").inner_text() == "已发布"
    rows = page.get_by_test_id("rank-row")
    assert rows.count() == 7
    assert "商州区总工会" in page.get_by_test_id("ranking").inner_text()
    assert "得分 =" in page.get_by_test_id("rules").inner_text()
    canvases = page.locator("canvas[data-chart]")
    assert canvases.count() == 2
    page.wait_for_function("document.querySelectorAll('canvas[data-drawn=\"1\"]').length === 2")
    assert page.evaluate("Object.keys(Chart.instances).length") == 2
    screenshot(page, "bulletin")

    menu(page, "月报与通报", "数据看板")
    assert "商州区总工会数据看板" in page.locator("h1").inner_text()
    page.wait_for_function("document.querySelectorAll('canvas[data-drawn=\"1\"]').length > 0")
    screenshot(page, "county-dashboard")
    assert errors == []


def test_city_publishes_a_month_once(page, live_server, demo_city):
    errors = watch_errors(page)
    published = Bulletin.objects.get()
    sign_in(page, live_server, "city_staff")
    menu(page, "月报与通报", "通报")
    previews = page.get_by_test_id("preview")
    assert previews.count() >= 1
    previews.first.click()
    assert page.get_by_test_id("bulletin-status").inner_text() == "预览：未发布"
    assert page.locator("canvas[data-chart]").count() == 2
    if page.get_by_test_id("publish").count():
        page.get_by_test_id("publish").click()
        assert page.get_by_test_id("bulletin-status").inner_text() == "已发布"
        assert Bulletin.objects.exclude(pk=published.pk).count() == 1
    else:  # not every county approved and the bulletin day not reached: the page says why
        assert "尚有县区数据未审批" in page.get_by_test_id("why-not").inner_text()
    menu(page, "月报与通报", "数据看板")
    assert "全市数据看板" in page.locator("h1").inner_text()
    page.wait_for_function("document.querySelectorAll('canvas[data-drawn=\"1\"]').length > 0")
    sign_out(page)
    assert errors == []
