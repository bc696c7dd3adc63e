"""evidence_check: rows without files and files without rows, found and (orphans) removed."""

import os
import time

import pytest
from django.core.management import call_command

from tests.factories import ProjectFactory, make_evidence

pytestmark = pytest.mark.django_db


def run(*args) -> tuple[str, int]:
    from io import StringIO

    out = StringIO()
    try:
        call_command("evidence_check", *args, stdout=out)
    except SystemExit as stop:
        return out.getvalue(), stop.code
    return out.getvalue(), 0


def test_everything_in_place_reports_clean(viewer, evidence_root):
    make_evidence(ProjectFactory(), uploaded_by=viewer)
    output, code = run()
    assert code == 0
    assert "1 rows, 0 missing files, 0 orphan files" in output


def test_missing_file_fails_the_check(viewer, evidence_root):
    evidence = make_evidence(ProjectFactory(), uploaded_by=viewer)
    (evidence_root / evidence.file.name).unlink()
    output, code = run()
    assert code == 1
    assert f"missing file: {evidence.file.name}" in output


def test_old_orphans_are_removed_young_ones_kept(viewer, evidence_root):
    make_evidence(ProjectFactory(), uploaded_by=viewer)
    old = evidence_root / "2024" / "01" / "left-behind.pdf"
    young = evidence_root / "2024" / "01" / "being-saved.pdf"
    for path in (old, young):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"%PDF-1.4")
    hours_ago = time.time() - 7200
    os.utime(old, (hours_ago, hours_ago))
    output, code = run("--delete-orphans")
    assert code == 0
    assert "removed orphan: 2024/01/left-behind.pdf" in output
    assert not old.exists()
    assert young.exists()
