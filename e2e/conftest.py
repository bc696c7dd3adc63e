"""The browser suite (`make e2e`): Debian's Chromium, driven by Playwright, against a live
server on the demo ledger.

Not part of `make test` (pyproject's testpaths is `tests`): it needs Chromium and takes a
minute. Every page a test visits is checked the same way, whatever the test is about: no
console errors, no Content-Security-Policy violation, and no serious or critical axe-core
finding (`Browser.audit`). A failing test leaves a screenshot under artifacts/e2e/.
"""

import io
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from playwright.sync_api import Page, sync_playwright

from aidledger.models import Body
from e2e.factories import account
from ledger import permissions

# Playwright's sync API runs an event loop in the test's thread; Django refuses database
# calls from a thread with a running loop unless told the loop is not ours to worry about.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "1")

if settings.SETTINGS_MODULE != "config.settings":
    # The tests' settings add a test-only ledger (tests/example_ledger) to the menu; the browser
    # suite looks at the product as it ships.
    raise pytest.UsageError(
        "run the browser suite with `make e2e` (`pytest e2e --ds=config.settings`)"
    )

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Without the background-networking flags Chromium keeps calling home (LIBRARY-NOTES.md).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]
ARTIFACTS = Path(settings.BASE_DIR) / "artifacts" / "e2e"
SCREENS = ARTIFACTS / "screens"
AXE_PATH = "vendor/axe-core/axe.min.js"
LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 375, "height": 740}

# Collected in the page before any of its own scripts run.
WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.violatedDirective} ${event.blockedURI} from ${event.sourceFile}:${event.lineNumber}`
  );
});
"""
RUN_AXE = """
async () => {
  const result = await axe.run(document, { resultTypes: ["violations"] });
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => {
      const where = v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ");
      return `${v.impact} ${v.id}: ${v.help} at ${where}`;
    });
}
"""


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test, so the browser fixture knows it failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(autouse=True)
def _evidence_root(settings, tmp_path):
    settings.EVIDENCE_ROOT = tmp_path / "evidence"


@pytest.fixture(scope="session")
def chromium():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (or set CHROMIUM)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# The demo ledger is loaded once for the whole run and stays: reloading it for each test (as
# pytest-django's live_server does, emptying the database after every test) was most of the
# suite's time. Tests that write (a payment, an import, a file) compare before and after
# rather than with the demo's figures, so their order does not matter.


@pytest.fixture(scope="session")
def demo(django_db_setup, django_db_blocker):
    """The demo ledger (`load_demo`), committed where the live server reads it."""
    with django_db_blocker.unblock():
        call_command("load_demo", stdout=io.StringIO())


@pytest.fixture(scope="session")
def accounts(demo, django_db_blocker):
    """One account per ledger role; the editor is a member of the demo's 产业扶持组."""
    with django_db_blocker.unblock():
        group = Body.objects.get(name="产业扶持组", batch__number=2)
        return {
            "viewer": account("viewer", permissions.VIEWER),
            "editor": account("editor", permissions.EDITOR, group),
            "admin": account("ledger-admin", permissions.LEDGER_ADMIN),
        }


@pytest.fixture(autouse=True)
def _database(demo, django_db_blocker):
    """Every test reads and writes the shared database directly, outside any transaction."""
    with django_db_blocker.unblock():
        yield


@pytest.fixture(autouse=True)
def _live_server_helper(request):
    """Replaces pytest-django's helper of the same name, which makes every live-server test
    transactional (the database emptied after it); keeps its other duty, the live server's
    settings (ALLOWED_HOSTS, static files) for the test's duration."""
    if "live_server" not in request.fixturenames:
        yield
        return
    live_server = request.getfixturevalue("live_server")
    live_server._live_server_modified_settings.enable()
    yield
    live_server._live_server_modified_settings.disable()


class Browser:
    """One browser tab of a logged-in (or not) user, with the checks every page gets."""

    def __init__(self, page: Page, base_url: str):
        self.page = page
        self.base_url = base_url
        self.console_errors: list[str] = []
        self.unaudited: list[str] = []
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.console_errors.append(str(error)))
        page.on("framenavigated", self._on_navigated)

    def _on_console(self, message) -> None:
        # A CSP refusal is also a console error; WATCH_CSP reports it with its source, which
        # tells the page's own violations from axe-core's (it tries inline styles).
        if message.type == "error" and "Content Security Policy" not in message.text:
            self.console_errors.append(message.text)

    def _on_navigated(self, frame) -> None:
        # A jump within the page (#main) is not a new page.
        if frame == self.page.main_frame and "#" not in frame.url:
            self.unaudited.append(frame.url)

    def url(self, path: str) -> str:
        return self.base_url + path

    def goto(self, path: str) -> Page:
        response = self.page.goto(self.url(path))
        assert response is not None
        assert response.status == 200, f"{path}: {response.status}"
        self.audit()
        return self.page

    def follow(self, action) -> Page:
        """Do `action` (a click, a key press) that loads a new page, wait for it, audit it."""
        with self.page.expect_navigation():
            action()
        self.audit()
        return self.page

    def audit(self) -> None:
        """The page as it stands: no CSP violation, no console error, no serious or
        critical axe-core finding."""
        page = self.page
        page.wait_for_load_state("load")
        violations = [
            violation
            for violation in page.evaluate("window.__cspViolations || []")
            if AXE_PATH not in violation
        ]
        assert violations == [], f"{page.url}: CSP violations {violations}"
        assert self.console_errors == [], f"{page.url}: console errors {self.console_errors}"
        # axe-core is a static file of our own, so the page's CSP (script-src 'self') allows it.
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            page.add_script_tag(url=self.url(settings.STATIC_URL + AXE_PATH))
        findings = page.evaluate(RUN_AXE)
        assert findings == [], f"{page.url}: axe-core\n" + "\n".join(findings)
        self.unaudited = [url for url in self.unaudited if url != page.url]

    def scroll_width(self) -> int:
        return self.page.evaluate("document.documentElement.scrollWidth")


@pytest.fixture
def open_browser(chromium, live_server, request) -> Iterator:
    """`open_browser(account=None, viewport=LAPTOP)`: a new tab, logged in as `account`
    (through a session cookie, as the login form would leave it)."""
    opened: list[tuple] = []

    def open_(account=None, viewport=LAPTOP, language: str | None = None) -> Browser:
        context = chromium.new_context(
            viewport=viewport, locale="zh-CN", accept_downloads=True, base_url=live_server.url
        )
        context.add_init_script(WATCH_CSP)
        if account is not None:
            client = Client()
            client.force_login(account)
            cookie = client.cookies[settings.SESSION_COOKIE_NAME]
            context.add_cookies(
                [{"name": cookie.key, "value": cookie.value, "url": live_server.url}]
            )
        if language:
            context.add_cookies(
                [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
            )
        browser = Browser(context.new_page(), live_server.url)
        opened.append((context, browser))
        return browser

    yield open_
    failed = any(
        getattr(request.node, f"report_{when}", None) is not None
        and getattr(request.node, f"report_{when}").failed
        for when in ("setup", "call")
    )
    for index, (context, browser) in enumerate(opened):
        if failed:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            name = re.sub(r"[^\w.-]+", "_", request.node.name)
            browser.page.screenshot(path=ARTIFACTS / f"{name}-{index}.png", full_page=True)
        context.close()
    if not failed:
        for _context, browser in opened:
            leftover = [url for url in browser.unaudited if not url.startswith("about:")]
            assert leftover == [], f"pages visited but not audited: {leftover}"
