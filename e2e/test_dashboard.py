"""Logging in and the summary dashboard, on a laptop and on a phone."""

import re

from playwright.sync_api import expect

from e2e.conftest import PHONE
from e2e.factories import PASSWORD


def test_login_form_leads_to_the_dashboard_with_its_charts_drawn(open_browser, accounts):
    browser = open_browser()
    page = browser.goto("/accounts/login/?next=/")
    page.get_by_label("用户名").fill("viewer")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(browser.url("/"))
    browser.audit()
    expect(page.locator("h1")).to_contain_text("截至")
    charts = page.locator("canvas[data-chart]")
    expect(charts).to_have_count(4)
    # Chart.js marks a canvas it drew on with its own attribute and a pixel size.
    for index in range(4):
        canvas = charts.nth(index)
        expect(canvas).to_have_attribute("data-chart", re.compile(r"\w+"))
        assert canvas.evaluate("c => c.width > 0 && c.height > 0 && !!Chart.getChart(c)")


def test_dashboard_on_a_phone_fits_the_screen(open_browser, accounts):
    """At 375 px the charts shrink to the screen (they were 504 px: the page scrolled
    sideways) and each menu item stays on one line (they wrapped one character a line)."""
    browser = open_browser(accounts["viewer"], viewport=PHONE)
    page = browser.goto("/")
    assert browser.scroll_width() <= PHONE["width"]
    charts = page.locator("canvas[data-chart]")
    widths = charts.evaluate_all("cs => cs.map(c => c.getBoundingClientRect().width)")
    assert len(widths) == 4
    assert all(0 < width <= PHONE["width"] for width in widths)
    items = page.locator(".site-nav a")
    lines = items.evaluate_all(
        "links => links.map(a => a.getClientRects().length === 1 && a.getBoundingClientRect()"
        ".height < 2 * parseFloat(getComputedStyle(a).lineHeight))"
    )
    assert lines
    assert all(lines)
