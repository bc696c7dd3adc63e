"""HTML, script and spreadsheet formulas typed into any text field come out inert everywhere:
escaped on every list, detail and admin page, neutralised in every CSV export.

Every CharField and TextField of every model of the apps whose records are tracked (aidledger,
pairings, projects, evidence: ledger.history.tracked_models) is filled with hostile text, then
every page that shows it is rendered.
"""

import csv
import io

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from aidledger.models import Body
from ledger.exports import neutralise
from ledger.history import tracked_models
from ledger.listing import LedgerListView
from ledger.records import RecordDetailView
from periods.models import Period, Status
from tests.factories import TrainingFactory, UserFactory
from tests.test_login_required import ENDPOINTS

pytestmark = pytest.mark.django_db

# The apps that keep the ledger: those of the models whose changes are recorded.
LEDGER_APPS = sorted({model._meta.app_label for model in tracked_models()})
SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE_BREAKOUT = '"><img src=x onerror=alert(1)>'
FORMULA = '=HYPERLINK("//x.example","y")'
SHORT = "<u>1</u>"  # for fields too short for the others
PAYLOADS = (SCRIPT, ATTRIBUTE_BREAKOUT, FORMULA)
# What must never reach a page unescaped: each would run or inject markup.
RAW_MARKUP = ("<script>alert", "<img src=x", "<u>1</u>")


def hostile_text(field: models.Field, pk: int, turn: int) -> str:
    """A payload that fits the field, made unique by the row's id where it fits (names are
    unique); the shortest one alone in a field too small for that (a unit of measure)."""
    limit = field.max_length or 10_000
    for payload in (*PAYLOADS[turn % 3 :], *PAYLOADS[: turn % 3], SHORT):
        if len(payload) + len(f"#{pk}") <= limit:
            return f"{payload}#{pk}"
    assert len(SHORT) <= limit, f"{field} is too short for any payload"
    return SHORT


def text_fields(model) -> list[models.Field]:
    return [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField) and not field.choices
    ]


def fill_every_text_field() -> int:
    filled = 0
    for app in LEDGER_APPS:
        for model in apps.get_app_config(app).get_models():
            fields = text_fields(model)
            for pk in model._base_manager.values_list("pk", flat=True):
                values = {
                    field.name: hostile_text(field, pk, turn + pk)
                    for turn, field in enumerate(fields)
                }
                if values:
                    model._base_manager.filter(pk=pk).update(**values)
                    filled += len(values)
    return filled


@pytest.fixture(scope="module")
def hostile_ledger(demo_ledger, django_db_blocker):
    """The shared demo ledger with hostile text in every field, for the module (rolled back
    with the demo after it)."""
    with django_db_blocker.unblock():
        # The demo holds no record of the tests' example ledger: three to fill and export
        # (the payloads rotate with the id, which PostgreSQL's sequences move between tests:
        # with three consecutive ids every exported field gets the formula in one of them).
        TrainingFactory.create_batch(3, body=Body.objects.order_by("pk").first())
        # The demo's approved months lock their records (periods); the hostile text goes
        # into every record, so they are reopened first.
        Period.objects.filter(status=Status.APPROVED).update(status=Status.REOPENED)
        assert fill_every_text_field() > 1000


@pytest.fixture
def superuser_client(hostile_ledger) -> Client:
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def site_pages() -> list[str]:
    """Every ledger list (a LedgerListView) and its CSV export, from the URL conf."""
    pages = []
    for path, pattern in ENDPOINTS.items():
        view_class = getattr(pattern.callback, "view_class", None)
        if view_class is not None and issubclass(view_class, LedgerListView):
            pages.append(path)
    return sorted(pages)


def detail_models() -> dict[str, type[models.Model]]:
    """Every record page: a ledger record's (a RecordDetailView in the URL conf, which declares
    its model) and the three pages of their own, which do not."""
    from aidledger.models import Member
    from pairings.models import Pairing
    from projects.models import Project

    declared = {
        pattern.name: pattern.callback.view_class.model
        for pattern in ENDPOINTS.values()
        if issubclass(getattr(pattern.callback, "view_class", object), RecordDetailView)
    }
    own = {"member-detail": Member, "pairing-detail": Pairing, "project-detail": Project}
    return own | declared


def detail_pages() -> list[str]:
    pages = []
    for name, model in detail_models().items():
        for pk in model.objects.order_by("pk").values_list("pk", flat=True)[:5]:
            pages.append(reverse(name, args=[pk]))
    return pages


def admin_pages() -> list[str]:
    pages = []
    for model in admin.site._registry:
        if model._meta.app_label not in LEDGER_APPS:
            continue
        info = (model._meta.app_label, model._meta.model_name)
        records = list(model._base_manager.order_by("pk").values_list("pk", flat=True)[:3])
        if not records:
            continue  # nothing of this kind in the demo ledger to show
        pages.append(reverse("admin:{}_{}_changelist".format(*info)))
        for pk in records:
            for view in ("change", "delete", "history"):
                pages.append(reverse(f"admin:{info[0]}_{info[1]}_{view}", args=[pk]))
    return pages


def assert_escaped(path: str, html: str) -> None:
    for markup in RAW_MARKUP:
        assert markup not in html, f"{path} shows {markup!r} unescaped"
    assert any(escape(payload) in html for payload in (*PAYLOADS, SHORT)), (
        f"{path} shows none of the hostile text: the check proves nothing there"
    )


def test_list_pages_show_hostile_text_escaped(superuser_client):
    pages = [path for path in site_pages() if not path.endswith((".csv", ".xlsx"))]
    assert len(pages) >= 11
    for path in pages:
        response = superuser_client.get(path, {"per_page": 200})
        assert response.status_code == 200, path
        assert_escaped(path, response.content.decode())


def test_detail_pages_show_hostile_text_escaped(superuser_client):
    for path in detail_pages():
        response = superuser_client.get(path)
        assert response.status_code == 200, path
        assert_escaped(path, response.content.decode())


def test_overview_shows_hostile_text_escaped(superuser_client):
    response = superuser_client.get("/")
    assert response.status_code == 200
    assert_escaped("/", response.content.decode())


def test_admin_pages_show_hostile_text_escaped(superuser_client):
    pages = admin_pages()
    assert len(pages) > 40
    for path in pages:
        response = superuser_client.get(path)
        assert response.status_code == 200, path
        assert_escaped(path, response.content.decode())


def test_csv_exports_neutralise_formulas(superuser_client):
    exports = [path for path in site_pages() if path.endswith(".csv")]
    assert len(exports) >= 11
    for path in exports:
        response = superuser_client.get(path)
        assert response.status_code == 200, path
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
        for cell in cells:
            # A spreadsheet runs a cell that starts with one of these.
            assert not cell.startswith(("=", "+", "@", "\t", "\r")), f"{path}: {cell!r}"
        # The formulas were exported, made inert by a leading apostrophe.
        assert any(cell.startswith("'=HYPERLINK") for cell in cells), path


@pytest.mark.parametrize(
    "text",
    ["=1+1", "  =1+1", "\u3000=1+1", "\u00a0@SUM(A1)", " \u3000＋1", "＝1+1", "＋1", "－1", "＠A1"],
)
def test_formulas_behind_blanks_or_in_full_width_signs_are_neutralised(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("text", ["普通", "  普通", "\u30001号", "'=已有撇号", ""])
def test_ordinary_text_is_left_alone(text):
    assert neutralise(text) == text
