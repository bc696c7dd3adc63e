"""Every list, the dashboard and the admin's project page at a laptop's 1366 px and a phone's
375 px: nothing wider than the screen. Each page's screenshot is kept under
artifacts/e2e/screens/ (`<width>-<page>.png`) for a person to look at."""

import pytest

from e2e.conftest import LAPTOP, PHONE, SCREENS
from projects.models import Project

LISTS = {
    "members": "/members/",
    "pairings": "/pairings/",
    "units": "/pairings/units/",
    "exchanges": "/pairings/exchanges/",
    "mentorships": "/pairings/mentorships/",
    "projects": "/projects/",
    "funding": "/projects/funding/",
    "disbursements": "/projects/disbursements/",
    "indicators": "/projects/indicators/",
    "leads": "/projects/leads/",
    "sales": "/projects/sales/",
    "changes": "/changes/",
}


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1366px", "375px"])
def test_dashboard_lists_and_project_editor_fit_the_screen(open_browser, accounts, viewport):
    project = Project.objects.order_by("code").first()
    pages = {
        "dashboard": "/",
        **LISTS,
        "project": project.get_absolute_url(),
        "admin-project": f"/admin/projects/project/{project.pk}/change/",
    }
    browser = open_browser(accounts["admin"], viewport=viewport)
    SCREENS.mkdir(parents=True, exist_ok=True)
    too_wide = {}
    for name, path in pages.items():
        page = browser.goto(path)
        page.screenshot(path=SCREENS / f"{viewport['width']}-{name}.png", full_page=True)
        if browser.scroll_width() > viewport["width"]:
            too_wide[path] = browser.scroll_width()
    assert too_wide == {}
