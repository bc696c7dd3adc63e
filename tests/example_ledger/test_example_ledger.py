"""The machinery finds a ledger added by README's "Adding a ledger" steps alone: nothing
outside tests/example_ledger names it (the settings add the app and its URLs)."""

import csv
import io
from decimal import Decimal

import pytest

from evidence.models import carriers
from ledger import lookups, permissions
from ledger.history import record_changes, tracked_models
from ledger.imports.run import run_import
from ledger.imports.specs import spec_for_model, specs
from ledger.navigation import declared_sections
from tests.example_ledger.models import Training
from tests.factories import TrainingFactory, make_evidence

pytestmark = pytest.mark.django_db


def test_its_changes_are_recorded_and_read_like_any_ledgers(editor_a, group_a):
    training = TrainingFactory(body=group_a, title="电商培训")
    training.title = "农村电商培训"
    training.save()
    assert Training in tracked_models()
    changes = record_changes(training)
    assert [change.action for change in changes][:2] == ["~", "+"]
    assert any("农村电商培训" in str(field.new) for field in changes[0].fields)


def test_it_carries_evidence_files(editor_a, group_a):
    assert "example_ledger.training" in carriers()
    training = TrainingFactory(body=group_a)
    make_evidence(training, uploaded_by=editor_a)
    assert training.evidence_files.count() == 1


def test_its_editors_are_the_working_group_it_names(editor_a, editor_b, group_a):
    training = TrainingFactory(body=group_a)
    assert permissions.is_ledger_record(Training)
    assert permissions.can_change(editor_a, training)
    assert not permissions.can_change(editor_b, training)
    assert permissions.can_add(editor_b, Training)


def test_its_list_filters_and_exports_the_rows_on_screen(client, viewer, group_a, group_b):
    TrainingFactory(body=group_a, title="电商培训")
    TrainingFactory(body=group_b, title="护理培训")
    client.force_login(viewer)
    page = client.get("/trainings/", {"body": group_a.pk})
    assert page.status_code == 200
    assert "电商培训" in page.content.decode()
    assert "护理培训" not in page.content.decode()
    export = client.get("/trainings/export.csv", {"body": group_a.pk})
    text = b"".join(export.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert [row[0] for row in rows[1:]] == ["电商培训"]
    assert rows[1][3] == "12500.50"


def test_its_record_page_and_menu_entry(client, viewer, group_a):
    training = TrainingFactory(body=group_a, title="电商培训")
    client.force_login(viewer)
    assert client.get(training.get_absolute_url()).status_code == 200
    assert "trainings" in [section.url_name for section in declared_sections()]
    assert 'href="/trainings/"' in client.get("/").content.decode()


def test_its_lookup_answers_readers_only(client, viewer, no_role_user, group_a):
    TrainingFactory(body=group_a, title="电商培训")
    assert lookups.get("training")
    client.force_login(no_role_user)
    assert client.get("/lookup/training/", {"q": "电商"}).status_code == 403
    client.force_login(viewer)
    answer = client.get("/lookup/training/", {"q": "电商"}).json()
    assert [result["text"] for result in answer["results"]] == ["电商培训"]


def test_its_admin_lets_the_groups_editor_in_and_keeps_others_out(
    client, editor_a, editor_b, group_a
):
    training = TrainingFactory(body=group_a)
    url = f"/admin/example_ledger/training/{training.pk}/change/"
    client.force_login(editor_a)
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="_save"' in page.content.decode()
    assert "evidence" in page.content.decode()  # the evidence inline came with LedgerAdmin
    client.force_login(editor_b)
    assert 'name="_save"' not in client.get(url).content.decode()


def test_its_import_is_found_and_writes_rows_with_their_history(editor_a, group_a):
    spec = specs()["trainings"]
    assert spec_for_model(Training) is spec
    data = "title,held_on,body,cost\r\n电商培训,2024-06-12,第二批 · 产业扶持组,12500.50\r\n"
    result = run_import(spec, data.encode("utf-8"), filename="trainings.csv", user=editor_a)
    assert result.errors == []
    training = Training.objects.get()
    assert (training.title, training.body, training.cost) == (
        "电商培训",
        group_a,
        Decimal("12500.50"),
    )
    assert training.history.count() == 1


def test_its_import_refuses_another_groups_rows(editor_b, group_a):
    data = "title,held_on,body,cost\r\n电商培训,2024-06-12,第二批 · 产业扶持组,12500.50\r\n"
    result = run_import(specs()["trainings"], data.encode(), filename="t.csv", user=editor_b)
    assert result.errors
    assert not Training.objects.exists()
