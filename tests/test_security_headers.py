"""Every page carries the Content-Security-Policy (without 'unsafe-inline') and the other
security headers, and no page's HTML holds code or styling the policy would block.

The pages come from the URL conf (tests/test_login_required.py walks it), each filled with a
real record of the demo ledger, so a new page is checked the day it is added.
"""

import re
from html.parser import HTMLParser

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.admin import site as admin_site
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.http import HttpResponse
from django.test import Client
from django.urls import resolve, reverse
from django.utils import timezone

from aidledger.models import Member
from evidence.models import Evidence
from ledger.records import RecordDetailView
from pairings.models import Pairing
from periods.models import Period, Status
from projects.models import Project, Sale
from reports.models import ExportJob
from tests.factories import TrainingFactory, UserFactory, finished_job, make_evidence
from tests.test_login_required import ENDPOINTS, SAMPLE

pytestmark = pytest.mark.django_db

POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}

# The site's own pages that show one record and do not declare its model: the model their <pk>
# names. A ledger record's page (a RecordDetailView, ledger/records.py) declares its own.
DETAIL_MODELS = {
    "member-detail": Member,
    "pairing-detail": Pairing,
    "project-detail": Project,
    "evidence-download": Evidence,
    "evidence-thumbnail": Evidence,
    "evidence-delete": Evidence,
    "report-job": ExportJob,
    "report-job-status": ExportJob,
    "report-job-download": ExportJob,
}

# Pages that do not answer a GET with 200, and why. Everything else must be 200.
NOT_200 = {
    "/accounts/logout/": 405,  # POST only
    "/admin/logout/": 405,  # POST only
    "/i18n/setlang/": 405,  # POST only
    "/admin/1": 404,  # the admin's catch-all for unknown paths
    "/admin/login/": 302,  # someone logged in is sent on to the admin's index
    "/admin/autocomplete/": 403,  # needs the field it completes
    "/admin/r/1/1/": 302,  # "view on site": on to the record's own page
    "/admin/axes/accessattempt/add/": 403,  # the login throttle's records are not typed in
    "/admin/axes/accessfailurelog/add/": 403,
    "/admin/axes/accesslog/add/": 403,
}


def expected_status(walked: str) -> int:
    if walked in NOT_200:
        return NOT_200[walked]
    if re.fullmatch(r"/admin/\w+/\w+/1/", walked):
        return 302  # the admin's old-style object URL redirects to the change page
    return 200


def parse_policy(header: str) -> dict[str, list[str]]:
    policy = {}
    for directive in header.split(";"):
        name, *values = directive.split()
        policy[name] = values
    return policy


class InlineCodeFinder(HTMLParser):
    """What a policy without 'unsafe-inline' would block: inline <script> code, <style>
    blocks, style="" attributes, on*="" handlers and javascript: URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        where = self.get_starttag_text()
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"handler attribute {name}= in {where}")
            if name == "style":
                self.problems.append(f"style attribute in {where}")
            if (value or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"javascript: URL in {where}")
        if tag == "style":
            self.problems.append("<style> block")
        # json_script's data blocks are not run; any other inline script is code.
        data_block = attributes.get("type") == "application/json"
        if tag == "script" and "src" not in attributes and not data_block:
            self.problems.append(f"inline script {where}")


def inline_code(html: str) -> list[str]:
    finder = InlineCodeFinder()
    finder.feed(html)
    finder.close()
    return finder.problems


def header_problems(response: HttpResponse) -> list[str]:
    problems = []
    header = response.get("Content-Security-Policy")
    if header is None:
        return ["no Content-Security-Policy header"]
    # Evidence files are served with a stricter policy of their own: nothing runs, sandboxed.
    file_policy = {"default-src": ["'none'"], "sandbox": []}
    is_file = not response.get("Content-Type", "").startswith("text/html")
    if parse_policy(header) != POLICY and not (is_file and parse_policy(header) == file_policy):
        problems.append(f"policy differs: {header}")
    if "unsafe" in header:
        problems.append(f"unsafe source in the policy: {header}")
    expected = {
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
    }
    for name, value in expected.items():
        if response.get(name) != value:
            problems.append(f"{name} is {response.get(name)!r}, not {value!r}")
    return problems


def is_html(response: HttpResponse) -> bool:
    return response.get("Content-Type", "").startswith("text/html")


def body(response: HttpResponse) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def real_path(path: str) -> str:
    """The walked path with its sample id replaced by a real record's."""
    match = resolve(path)
    ids = {key: value for key, value in match.kwargs.items() if str(value) == SAMPLE}
    if match.url_name == "view_on_site":
        member = Member.objects.order_by("pk").first()
        content_type = ContentType.objects.get_for_model(Member)
        return reverse("admin:view_on_site", args=[content_type.pk, member.pk])
    if (match.url_name or "").endswith("_simple_history"):  # one past version of a record
        model = next(
            model
            for model in admin_site._registry
            if match.url_name == f"{model._meta.app_label}_{model._meta.model_name}_simple_history"
        )
        record = model._default_manager.order_by("pk").first()
        version = record.history.order_by("history_id").first()
        return reverse(f"admin:{match.url_name}", args=[record.pk, version.history_id])
    if match.url_name == "lookup":  # a record lookup of the filter forms: the bodies'
        return reverse("lookup", args=["body"])
    if match.url_name == "evidence-upload":  # the upload form of a record: a project's
        project = Project.objects.order_by("pk").first()
        return reverse("evidence-upload", args=["projects.project", project.pk])
    if match.url_name == "period-detail":  # a reporting period, by its code
        return reverse("period-detail", args=["2024-09"])
    if match.url_name == "period-transition":  # the confirmation of a transition
        return reverse("period-transition", args=["2024-10", "submit"])
    if not ids or match.url_name is None:
        return path
    model_admin = getattr(match.func, "model_admin", None)
    view_class = getattr(match.func, "view_class", None)
    if model_admin is not None:
        model = model_admin.model
    elif view_class is not None and issubclass(view_class, RecordDetailView):
        model = view_class.model
    elif match.url_name == "auth_user_password_change":
        model = get_user_model()
    else:
        assert match.url_name in DETAIL_MODELS, f"{path}: add its model to DETAIL_MODELS"
        model = DETAIL_MODELS[match.url_name]
    record = model._default_manager.order_by("pk").first()
    assert record is not None, f"{path}: the fixture has no {model.__name__} to show"
    kwargs = dict.fromkeys(ids, record.pk) | {
        key: value for key, value in match.kwargs.items() if key not in ids
    }
    name = f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name
    return reverse(name, kwargs=kwargs)


@pytest.fixture
def ledger(demo_ledger, db, reports_root):
    """The demo ledger (shared by the module), plus one record of each kind it does not hold."""
    Group.objects.get_or_create(name="CSP check")
    now = timezone.now()
    who = {"username": "clerk", "ip_address": "10.0.0.1", "user_agent": "test"}
    AccessAttempt.objects.create(**who, failures_since_start=1, attempt_time=now)
    AccessLog.objects.create(**who, attempt_time=now)
    AccessFailureLog.objects.create(**who, attempt_time=now)
    make_evidence(Project.objects.order_by("pk").first(), uploaded_by=UserFactory())
    TrainingFactory(body=Project.objects.order_by("pk").first().responsible_body)
    finished_job(UserFactory(), reports_root)  # a ledger admin (the superuser) sees every job
    # Delete pages of records in the demo's approved months send back to the record (locked):
    # reopened, every delete confirmation renders and is checked.
    Period.objects.filter(status=Status.APPROVED).update(status=Status.REOPENED)


@pytest.fixture
def superuser_client(ledger) -> Client:
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_every_page_has_the_policy_and_no_inline_code(superuser_client):
    problems = []
    for walked in sorted(ENDPOINTS):
        path = real_path(walked)
        response = superuser_client.get(path)
        expected = expected_status(walked)
        if response.status_code != expected:
            problems.append(f"{path}: status {response.status_code}, expected {expected}")
        problems += [f"{path}: {problem}" for problem in header_problems(response)]
        if is_html(response):
            problems += [f"{path}: {problem}" for problem in inline_code(body(response))]
    assert problems == []


@pytest.mark.parametrize("path", ["/accounts/login/", "/admin/login/", "/no-such-page/"])
def test_pages_before_login_have_the_policy_and_no_inline_code(client, path):
    response = client.get(path)
    assert response.status_code == (404 if path == "/no-such-page/" else 200)
    assert header_problems(response) == []
    assert inline_code(body(response)) == []


def test_not_found_and_refusal_pages_have_the_policy(superuser_client):
    for path, status in (("/no-such-page/", 404), ("/members/999999/", 404)):
        response = superuser_client.get(path)
        assert response.status_code == status
        assert header_problems(response) == []
        assert inline_code(body(response)) == []


def test_lockout_and_csrf_pages_have_the_policy(ledger):
    UserFactory(username="locked")
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post("/accounts/login/", {"username": "locked", "password": "x"})
    assert response.status_code == 429
    assert header_problems(response) == []
    assert inline_code(body(response)) == []

    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/accounts/login/", {"username": "locked", "password": "x"})
    assert response.status_code == 403
    assert header_problems(response) == []
    assert inline_code(body(response)) == []


def test_admin_pages_after_a_post_have_no_inline_code(superuser_client):
    """The pages a POST renders: a form with errors, the bulk delete confirmation."""
    response = superuser_client.post("/admin/projects/project/add/", {})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert inline_code(body(response)) == []

    ids = list(Sale.objects.order_by("pk").values_list("pk", flat=True)[:3])
    response = superuser_client.post(
        "/admin/projects/sale/", {"action": "delete_selected", "_selected_action": ids}
    )
    assert response.status_code == 200
    assert "admin/delete_selected_confirmation.html" in [t.name for t in response.templates]
    assert inline_code(body(response)) == []


def test_the_checker_finds_what_the_policy_blocks():
    """The checks above can fail: each thing the policy blocks is found."""
    assert inline_code("<script>alert(1)</script>")
    assert inline_code('<p style="color: red">x</p>')
    assert inline_code('<a href="#" onclick="go()">x</a>')
    assert inline_code('<a href="javascript:go()">x</a>')
    assert inline_code("<style>p { color: red }</style>")
    assert not inline_code('<script src="/static/js/aidledger.js" defer></script>')
    assert not inline_code('<script id="d" type="application/json">{"a": 1}</script>')
    assert not inline_code('<p class="muted" data-style="x">style= onclick= in text</p>')
