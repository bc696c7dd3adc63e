"""Evidence files live in a private folder with no URL; rows and files stay together."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.checks import run_checks
from django.core.files.base import ContentFile
from django.db import IntegrityError
from django.db.models import ProtectedError

from config import settings as project_settings
from evidence.models import Evidence, FileKind
from evidence.storage import evidence_storage
from tests.evidence import samples
from tests.factories import DisbursementFactory, ExchangeFactory, ProjectFactory, make_evidence


def test_default_folder_is_outside_everything_served():
    root = Path(project_settings.EVIDENCE_ROOT).resolve()
    assert root == (project_settings.BASE_DIR / "var" / "evidence").resolve()
    served = [Path(project_settings.STATIC_ROOT), *map(Path, project_settings.STATICFILES_DIRS)]
    for folder in served:
        folder = folder.resolve()
        assert folder not in root.parents
        assert root != folder
    # var/ is ignored by git, so files never end up in the repository either.
    gitignore = (project_settings.BASE_DIR / ".gitignore").read_text().splitlines()
    assert "/var/" in gitignore


def test_storage_has_no_url(evidence_root):
    assert evidence_storage.base_url is None
    with pytest.raises(ValueError, match="no URL"):
        evidence_storage.url("2024/05/x.jpg")
    assert Path(evidence_storage.location) == Path(evidence_root).resolve()


def test_system_check_refuses_a_folder_under_static(settings):
    settings.EVIDENCE_ROOT = Path(settings.STATIC_ROOT) / "evidence"
    assert "evidence.E001" in {message.id for message in run_checks()}
    settings.EVIDENCE_ROOT = Path(settings.STATICFILES_DIRS[0])
    assert "evidence.E001" in {message.id for message in run_checks()}


def test_system_check_accepts_the_private_folder(evidence_root):
    assert "evidence.E001" not in {message.id for message in run_checks()}


@pytest.mark.django_db
def test_static_url_does_not_reach_evidence(client, viewer, group_a, evidence_root):
    evidence = make_evidence(ProjectFactory(responsible_body=group_a), uploaded_by=viewer)
    client.force_login(viewer)
    for prefix in (settings.STATIC_URL, "/media/", "/var/evidence/"):
        path = "/" + prefix.strip("/") + "/" + evidence.file.name
        assert client.get(path).status_code == 404


@pytest.mark.django_db
def test_file_is_removed_when_its_row_cannot_be_written(viewer, group_a, evidence_root):
    project = ProjectFactory(responsible_body=group_a)
    evidence = Evidence(
        record=project,
        title="照片",
        file=ContentFile(samples.pdf(), name="a.pdf"),
        original_name="a.pdf",
        size=0,  # refused by the database (evidence_size_positive), after the file was written
        kind=FileKind.PDF,
        uploaded_by=viewer,
    )
    with pytest.raises(IntegrityError):
        evidence.save()
    assert not Evidence.objects.exists()
    assert [path for path in Path(evidence_root).rglob("*") if path.is_file()] == []


@pytest.mark.django_db
@pytest.mark.parametrize("factory", [ProjectFactory, ExchangeFactory, DisbursementFactory])
def test_record_with_files_cannot_be_deleted(viewer, factory):
    record = factory()
    evidence = make_evidence(record, uploaded_by=viewer)
    with pytest.raises(ProtectedError) as refused:
        record.delete()
    assert refused.value.protected_objects == {evidence}
    with pytest.raises(ProtectedError):
        type(record).objects.filter(pk=record.pk).delete()
    assert type(record).objects.filter(pk=record.pk).exists()


@pytest.mark.django_db
def test_record_without_files_deletes_as_before(viewer):
    record = ExchangeFactory()
    record.delete()
    assert not type(record).objects.filter(pk=record.pk).exists()


@pytest.mark.django_db
def test_only_ledger_records_carry_files():
    from django.contrib.contenttypes.models import ContentType

    choices = set(
        ContentType.objects.filter(
            Evidence._meta.get_field("content_type").get_limit_choices_to()
        ).values_list("app_label", "model")
    )
    assert choices == {
        ("pairings", "pairing"),
        ("pairings", "exchange"),
        ("pairings", "mentorship"),
        ("projects", "project"),
        ("projects", "funding"),
        ("projects", "disbursement"),
        ("projects", "indicator"),
        ("projects", "investmentlead"),
        ("projects", "sale"),
        ("example_ledger", "training"),  # tests/example_ledger: found like any other
    }


def test_the_models_that_carry_files_are_those_declaring_an_evidence_relation():
    from evidence.models import carriers

    # Reference data (units, members, bodies, outlets, segments) carries none.
    assert carriers() == {
        "pairings.pairing",
        "pairings.exchange",
        "pairings.mentorship",
        "projects.project",
        "projects.funding",
        "projects.disbursement",
        "projects.indicator",
        "projects.investmentlead",
        "projects.sale",
        "example_ledger.training",  # tests/example_ledger: found like any other
    }
