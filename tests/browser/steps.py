"""What a person does in the browser, shared by the browser tests: sign in, sign out, follow the menu."""

from unionportal.core.demo import DEMO_PASSWORD


def sign_in(page, live_server, username, password=DEMO_PASSWORD):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def sign_out(page):
    page.get_by_test_id("user-menu").click()
    page.get_by_role("button", name="退出登录").click()


def menu(page, area, entry):
    """Follow an entry of the main menu: open its area's drop-down first, unless the area is a plain link
    because the user may open only one of its entries."""
    nav = page.get_by_test_id("main-menu")
    toggle = nav.get_by_role("button", name=area, exact=True)
    if toggle.count():
        toggle.click()
    nav.get_by_role("link", name=entry, exact=True).click()
