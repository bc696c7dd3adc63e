"""The permission matrix: every URL pattern × every persona → the status code the rules expect.

The patterns come from the URL conf itself (every admin URL included), so a new page fails
`test_every_url_pattern_has_a_rule` until someone adds its rule below: one line, a page's
(`"leads": PAGE`) or an admin model's (`"projects.sale": LEDGER`). Object URLs are filled
with records of group A (产业扶持组); editor A is a member of it, editor B of 社会事业组.

Outcomes: a status code, LOGIN (a redirect to a login page) or REDIRECT (a redirect elsewhere).
"""

import re
from dataclasses import dataclass, field
from urllib.parse import urlparse

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.admin import site as admin_site
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.forms.models import model_to_dict
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver

from ledger import permissions
from tests.factories import (
    BatchFactory,
    BodyFactory,
    DisbursementFactory,
    ExchangeFactory,
    IndicatorFactory,
    InvestmentLeadFactory,
    MemberRoleFactory,
    MentorshipFactory,
    PairingFactory,
    ProjectFactory,
    SaleFactory,
    SegmentFactory,
    TrainingFactory,
    UserFactory,
    finished_job,
    make_evidence,
    user_with_role,
)

LOGIN = "login"
REDIRECT = "redirect"
PERSONAS = ("anonymous", "no_role", "viewer", "editor_a", "editor_b", "ledger_admin")
LOGIN_PAGES = ("/accounts/login/", "/admin/login/")


@dataclass(frozen=True)
class Rule:
    """Expected outcomes, one per persona in PERSONAS order."""

    expect: tuple
    obj: str | None = None  # model label of the group-A record whose id fills the URL
    path: str | None = None  # a concrete path, for a regex pattern
    query: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        assert len(self.expect) == len(PERSONAS)


def page(obj: str | None = None) -> Rule:
    """A page or export of the site: readers in, no role → 403, anonymous → login."""
    return Rule((LOGIN, 403, 200, 200, 200, 200), obj=obj)


def admin(editor_a, editor_b, ledger_admin, **kwargs) -> Rule:
    """An admin URL: anonymous, no-role and viewer are sent to the admin's login."""
    return Rule((LOGIN, LOGIN, LOGIN, editor_a, editor_b, ledger_admin), **kwargs)


PAGE = page()

# Admin model URLs by kind, for each kind of model. Records are group A's.
LEDGER = {  # records kept by a working group: editor B reads group A's, changes nothing
    "changelist": admin(200, 200, 200),
    "add": admin(200, 200, 200),
    "change": admin(200, 200, 200),  # editor B: the read-only page
    "history": admin(200, 200, 200),
    "delete": admin(200, 403, 200),
    "object": admin(REDIRECT, REDIRECT, REDIRECT),
    "simple_history": admin(200, 200, 200),  # one past version, read-only (revert is off)
}
REFERENCE = {  # reference data: editors read, ledger admins change
    **LEDGER,
    "add": admin(403, 403, 200),
    "delete": admin(403, 403, 200),
}
EDITOR_ADDS = {**REFERENCE, "add": admin(200, 200, 200)}  # a new unit turns up while entering
ACCOUNTS = {  # ledger admins manage accounts; editors see none
    kind: admin(403, 403, 200) for kind in ("changelist", "add", "change", "history", "delete")
} | {"object": admin(REDIRECT, REDIRECT, REDIRECT)}
ROLES = {**ACCOUNTS, "add": admin(403, 403, 403), "delete": admin(403, 403, 403)}
# The login throttle: ledger admins read it and lift a lockout by deleting the attempt.
LOCKOUTS = {**ACCOUNTS, "add": admin(403, 403, 403)}
THROTTLE_LOGS = {**LOCKOUTS, "delete": admin(403, 403, 403)}

ADMIN_MODELS = {
    "aidledger.programme": REFERENCE,
    "aidledger.batch": REFERENCE,
    "aidledger.body": REFERENCE,
    "aidledger.member": REFERENCE,
    "pairings.unit": EDITOR_ADDS,
    "pairings.pairing": LEDGER,
    "pairings.exchange": LEDGER,
    "pairings.mentorship": LEDGER,
    "projects.project": LEDGER,
    "projects.funding": LEDGER,
    "projects.disbursement": LEDGER,
    "projects.indicator": LEDGER,
    "projects.segment": REFERENCE,
    "projects.investmentlead": LEDGER,
    "projects.outlet": LEDGER,
    "projects.sale": LEDGER,
    "example_ledger.training": LEDGER,  # tests/example_ledger: README "Adding a ledger"
    "auth.user": ACCOUNTS,
    "auth.group": ROLES,
    "axes.accessattempt": LOCKOUTS,
    "axes.accesslog": THROTTLE_LOGS,
    "axes.accessfailurelog": THROTTLE_LOGS,
}

RULES: dict[str, Rule] = {
    "home": PAGE,
    "summary-export": PAGE,
    "summary-export-xlsx": PAGE,
    "changes": PAGE,
    "lookup": Rule(PAGE.expect, path="/lookup/working-group/"),  # names of records, like a page
    "changes-export": PAGE,
    "members": PAGE,
    "members-export": PAGE,
    "member-detail": page("aidledger.member"),
    "pairings": PAGE,
    "pairings-export": PAGE,
    "pairing-detail": page("pairings.pairing"),
    "pairing-units": PAGE,
    "pairing-units-export": PAGE,
    "exchanges": PAGE,
    "exchanges-export": PAGE,
    "mentorships": PAGE,
    "mentorships-export": PAGE,
    "projects": PAGE,
    "projects-export": PAGE,
    "project-detail": page("projects.project"),
    "funding": PAGE,
    "funding-export": PAGE,
    "disbursements": PAGE,
    "disbursements-export": PAGE,
    "indicators": PAGE,
    "indicators-export": PAGE,
    "leads": PAGE,
    "leads-export": PAGE,
    "sales": PAGE,
    "sales-export": PAGE,
    "outlets": PAGE,
    "outlets-export": PAGE,
    "trainings": PAGE,
    "trainings-export": PAGE,
    "training-detail": page("example_ledger.training"),
    "login": Rule((200,) * 6),
    "logout": Rule((LOGIN, 405, 405, 405, 405, 405)),  # POST only; the role is not needed
    "set_language": Rule((405,) * 6),  # POST only, open before login
    # A ledger record's own page (ledger/records.py).
    "exchange-detail": page("pairings.exchange"),
    "mentorship-detail": page("pairings.mentorship"),
    "funding-detail": page("projects.funding"),
    "disbursement-detail": page("projects.disbursement"),
    "indicator-detail": page("projects.indicator"),
    "lead-detail": page("projects.investmentlead"),
    "sale-detail": page("projects.sale"),
    # Evidence files (a photo on group A's project): readers download, its editors change.
    "evidence-download": page("evidence.evidence"),
    "evidence-thumbnail": page("evidence.evidence"),
    "evidence-delete": Rule((LOGIN, 403, 403, 200, 403, 200), obj="evidence.evidence"),
    "evidence-upload": Rule((LOGIN, 403, 403, 200, 403, 200), obj="projects.project"),
    # Reports (issue 17): readers make briefings and packs; a job is its owner's (the viewer
    # here) and the ledger admins'; anyone else gets 404, as if it did not exist.
    "report-briefing": PAGE,
    "report-pack": PAGE,
    "report-jobs": PAGE,
    "report-job": Rule((LOGIN, 403, 200, 404, 404, 200), obj="reports.exportjob"),
    "report-job-status": Rule((LOGIN, 403, 200, 404, 404, 200), obj="reports.exportjob"),
    "report-job-download": Rule((LOGIN, 403, 200, 404, 404, 200), obj="reports.exportjob"),
    # Reporting periods: every reader reads them; submitting, approving and returning are the
    # command post's or a ledger admin's, reopening a ledger admin's (the confirmation page).
    "periods": PAGE,
    "period-detail": Rule(PAGE.expect, path="/periods/2024-09/"),
    "period-transition": Rule((LOGIN, 403, 403, 403, 403, 200), path="/periods/2024-09/submit/"),
    "admin:index": admin(200, 200, 200),
    "admin:login": Rule((200, 200, 200, REDIRECT, REDIRECT, REDIRECT)),
    # POST only; Django's admin sends an account it keeps out from its logout to its index.
    "admin:logout": Rule((LOGIN, REDIRECT, REDIRECT, 405, 405, 405)),
    "admin:password_change": admin(200, 200, 200),
    "admin:password_change_done": admin(200, 200, 200),
    "admin:jsi18n": admin(200, 200, 200),
    "admin:autocomplete": admin(
        200,
        200,
        200,
        query={"app_label": "projects", "model_name": "project", "field_name": "responsible_body"},
    ),
    "admin:view_on_site": admin(REDIRECT, REDIRECT, REDIRECT, obj="aidledger.member"),
    "admin:app_list": admin(404, 404, 200, path="/admin/auth/"),  # accounts: ledger admins'
    "admin:auth_user_password_change": admin(403, 403, 200, obj="auth.user"),
    "admin/(?P<url>.*)$": admin(404, 404, 404, path="/admin/no/such/page/"),
}
# Every list's XLSX export answers to the same rule as its CSV export (LedgerListView.urls).
for _key in [key for key in RULES if key.endswith("-export") and key != "summary-export"]:
    RULES[f"{_key}-xlsx"] = RULES[_key]
for _label, _kinds in ADMIN_MODELS.items():
    for _kind, _rule in _kinds.items():
        RULES[f"admin:{_label}:{_kind}"] = _rule

# The URL conf, walked ------------------------------------------------------------------------


def walk(patterns, prefix: str = "", namespace: str = ""):
    """(pattern key, route text, URLPattern) for every endpoint of the URL conf."""
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = ":".join(filter(None, [namespace, entry.namespace]))
            yield from walk(entry.url_patterns, route, inner)
            continue
        assert isinstance(entry, URLPattern)
        yield key_of(entry, route, namespace), route, entry


def admin_model_of(entry: URLPattern):
    """The model an admin URL is about: Django's own admin views carry their ModelAdmin;
    simple-history's version page is only known by its name (<app>_<model>_simple_history)."""
    model_admin = getattr(entry.callback, "model_admin", None)
    if model_admin is not None:
        return model_admin.model
    if (entry.name or "").endswith("_simple_history"):
        for model in admin_site._registry:
            if entry.name == f"{model._meta.app_label}_{model._meta.model_name}_simple_history":
                return model
    return None


def key_of(entry: URLPattern, route: str, namespace: str) -> str:
    model = admin_model_of(entry)
    if model is not None:
        opts = model._meta
        kind = (entry.name or "").removeprefix(f"{opts.app_label}_{opts.model_name}_")
        return f"admin:{opts.label_lower}:{kind or 'object'}"
    if entry.name:
        return f"{namespace}:{entry.name}" if namespace else entry.name
    return route


ENDPOINTS = {key: (route, entry) for key, route, entry in walk(get_resolver().url_patterns)}

# Imports (ledger/imports/views.py): the admin's import page of a model answers like its "add"
# page (whoever may add records of the model may import them); beside each list, its blank
# template and its records in the import format are pages like the list. Which ledgers have
# imports is the URL conf's to say (ledger.imports), not a copy of it here.
for _key in ENDPOINTS:
    if _key.startswith("admin:") and _key.endswith(":import"):
        RULES[_key] = ADMIN_MODELS[_key.removeprefix("admin:").removesuffix(":import")]["add"]
    elif _key.endswith(("-import-template", "-records")):
        RULES[_key] = PAGE


def test_every_url_pattern_has_a_rule():
    missing = sorted(set(ENDPOINTS) - set(RULES))
    assert not missing, f"URL patterns without a rule in RULES: {missing}"


def test_no_rule_is_stale():
    assert sorted(set(RULES) - set(ENDPOINTS)) == []


def test_the_walk_includes_the_admin():
    assert "admin:projects.project:change" in ENDPOINTS
    assert "admin:auth.user:delete" in ENDPOINTS
    assert len(ENDPOINTS) > 100


# The world: one set of records for the whole module ------------------------------------------


def _build_world(evidence_root) -> dict:
    group_a = BodyFactory(name="产业扶持组", batch=BatchFactory(name="第二批", number=2))
    group_b = BodyFactory(name="社会事业组", batch=group_a.batch)
    programme = group_a.batch.programme
    users = {
        "anonymous": None,
        "no_role": UserFactory(username="no-role"),
        "viewer": user_with_role(permissions.VIEWER, username="viewer"),
        "editor_a": user_with_role(permissions.EDITOR, group_a, username="editor-a"),
        "editor_b": user_with_role(permissions.EDITOR, group_b, username="editor-b"),
        "ledger_admin": user_with_role(permissions.LEDGER_ADMIN, username="ledger-admin"),
    }
    pairing = PairingFactory(responsible_body=group_a, helper__programme=programme)
    exchange = ExchangeFactory(lead_body=group_a, pairings=[pairing])
    mentor = MemberRoleFactory(body=group_a, member__batch=group_a.batch).member
    disbursement = DisbursementFactory(funding__project__responsible_body=group_a)
    project = disbursement.project
    sale = SaleFactory(outlet__responsible_body=group_a)
    records = {
        "aidledger.programme": programme,
        "aidledger.batch": group_a.batch,
        "aidledger.body": group_a,
        "aidledger.member": mentor,
        "pairings.unit": pairing.helper,
        "pairings.pairing": pairing,
        "pairings.exchange": exchange,
        "pairings.mentorship": MentorshipFactory(mentor=mentor),
        "projects.project": project,
        "projects.funding": disbursement.funding,
        "projects.disbursement": disbursement,
        "projects.indicator": IndicatorFactory(project=project),
        "projects.segment": SegmentFactory(),
        "projects.investmentlead": InvestmentLeadFactory(follower_body=group_a),
        "projects.outlet": sale.outlet,
        "projects.sale": sale,
        "example_ledger.training": TrainingFactory(body=group_a),
        "auth.user": users["no_role"],
        "auth.group": Group.objects.get(name=permissions.VIEWER),
        "axes.accessattempt": AccessAttempt.objects.create(
            username="locked", ip_address="10.0.0.1", failures_since_start=5
        ),
        "axes.accesslog": AccessLog.objects.create(username="viewer", ip_address="10.0.0.1"),
        "axes.accessfailurelog": AccessFailureLog.objects.create(
            username="locked", ip_address="10.0.0.1"
        ),
    }
    with override_settings(EVIDENCE_ROOT=evidence_root):
        records["evidence.evidence"] = make_evidence(project, uploaded_by=users["editor_a"])
    records["reports.exportjob"] = finished_job(users["viewer"], evidence_root / "reports")
    # A second project, of group B: the list pages show both groups' records.
    ProjectFactory(responsible_body=group_b)
    return {"users": users, "records": records, "evidence_root": evidence_root}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once for the module inside a transaction that is rolled back at its end; each
    test runs in a savepoint inside it, so a test's POST does not leak into the next."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        transaction.atomic(),
    ):
        yield _build_world(tmp_path_factory.mktemp("evidence"))
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _world_evidence_root(request, evidence_root, settings):
    """The world's evidence file stays where the world stored it (not each test's folder)."""
    if "world" in request.fixturenames:
        settings.EVIDENCE_ROOT = request.getfixturevalue("world")["evidence_root"]
        settings.REPORTS_ROOT = settings.EVIDENCE_ROOT / "reports"


def _path(route: str, entry: URLPattern, rule: Rule, records: dict) -> str:
    if rule.path:
        return rule.path
    model = admin_model_of(entry)
    label = model._meta.label_lower if model else rule.obj
    record = records[label] if label else None
    values = {
        "object_id": record and record.pk,
        "pk": record and record.pk,
        "id": record and record.pk,
    }
    if record is not None:
        values["content_type_id"] = ContentType.objects.get_for_model(record).pk
        values["record_type"] = record._meta.label_lower  # an evidence upload's record
        if hasattr(record, "history"):
            values["version_id"] = record.history.latest().history_id

    def fill(match: re.Match) -> str:
        value = values.get(match.group(1))
        assert value is not None, f"{route}: no record for <{match.group(1)}>; give the rule obj="
        return str(value)

    # simple-history's version page is a regex route with unnamed groups: pk, then version.
    route = route.replace("^([^/]+)/history/([^/]+)/$", "<object_id>/history/<version_id>/")
    path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", fill, route)
    assert not re.search(r"[\\^$()?*]", path), f"{route}: a regex pattern needs Rule(path=...)"
    return path


def outcome(response):
    if response.status_code == 302:
        return LOGIN if urlparse(response.url).path in LOGIN_PAGES else REDIRECT
    return response.status_code


def _client(client, world, persona: str):
    user = world["users"][persona]
    if user is not None:
        client.force_login(user)
    return client


CASES = [(key, persona) for key in sorted(ENDPOINTS) for persona in PERSONAS]


@pytest.mark.parametrize(("key", "persona"), CASES, ids=[f"{k}|{p}" for k, p in CASES])
def test_get(world, db, client, key, persona):
    assert key in RULES, f"{key} has no rule: add one to RULES"
    rule = RULES[key]
    route, entry = ENDPOINTS[key]
    path = _path(route, entry, rule, world["records"])
    response = _client(client, world, persona).get(path, rule.query)
    assert outcome(response) == rule.expect[PERSONAS.index(persona)], path


# Writes: POST to the change and delete pages of group A's records ----------------------------

LEDGER_MODELS = sorted(label for label, kinds in ADMIN_MODELS.items() if kinds is LEDGER)
# A refused write never reaches the form; an allowed empty change form comes back with errors.
CHANGE_POST = (LOGIN, LOGIN, LOGIN, 200, 403, 200)
ALLOWED = "allowed"  # deleted (redirect) or refused because others depend on it (200)
DELETE_POST = (LOGIN, LOGIN, LOGIN, ALLOWED, 403, ALLOWED)

WRITES = [(label, persona) for label in LEDGER_MODELS for persona in PERSONAS]


def _admin_url(record, kind: str) -> str:
    opts = record._meta
    return f"/admin/{opts.app_label}/{opts.model_name}/{record.pk}/{kind}/"


@pytest.mark.parametrize(("label", "persona"), WRITES, ids=[f"{m}|{p}" for m, p in WRITES])
def test_post_change_is_refused_unless_allowed_and_changes_nothing(
    world, db, client, label, persona
):
    record = world["records"][label]
    before = model_to_dict(type(record).objects.get(pk=record.pk))
    response = _client(client, world, persona).post(_admin_url(record, "change"), {})
    assert outcome(response) == CHANGE_POST[PERSONAS.index(persona)]
    assert model_to_dict(type(record).objects.get(pk=record.pk)) == before


@pytest.mark.parametrize(("label", "persona"), WRITES, ids=[f"{m}|{p}" for m, p in WRITES])
def test_post_delete_is_refused_unless_allowed(world, db, client, label, persona):
    record = world["records"][label]
    response = _client(client, world, persona).post(_admin_url(record, "delete"), {"post": "yes"})
    expected = DELETE_POST[PERSONAS.index(persona)]
    if expected == ALLOWED:
        assert outcome(response) in (200, REDIRECT)
    else:
        assert outcome(response) == expected
        assert type(record).objects.filter(pk=record.pk).exists()
