"""Background jobs: asking for a pack, its progress, its download (owner and ledger admins
only), the refusals (size, one at a time), and the failure paths (an error, a dead worker,
expiry). Tasks run at once in the tests (tests/settings.py: ImmediateBackend)."""

import datetime
import io
import zipfile
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from evidence.models import FileKind
from reports import pack as packs
from reports import services
from reports.models import ExportJob, JobKind, JobStatus
from tests.evidence import samples
from tests.factories import DisbursementFactory, finished_job, make_evidence

pytestmark = pytest.mark.django_db


@pytest.fixture
def voucher(group_a, editor_a):
    paid = DisbursementFactory(
        funding__project__responsible_body=group_a, paid_on=datetime.date(2024, 9, 15)
    )
    return make_evidence(
        paid, uploaded_by=editor_a, name="凭证.pdf", content=samples.pdf(), kind=FileKind.PDF
    )


def ask_for_pack(client, user, **data):
    client.force_login(user)
    return client.post("/reports/pack/", {"period": "2024", **data})


# The briefing ------------------------------------------------------------------------------------


def test_a_viewer_downloads_the_briefing(client, viewer):
    client.force_login(viewer)
    response = client.get("/reports/briefing.docx", {"period": "2024Q3"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    body = b"".join(response.streaming_content)
    assert zipfile.ZipFile(io.BytesIO(body)).read("word/document.xml")


def test_an_account_without_a_role_gets_no_briefing(client, no_role_user):
    client.force_login(no_role_user)
    assert client.get("/reports/briefing.docx").status_code == 403


@pytest.mark.parametrize("period", ["2024-13", "2024Q5", "24", "x" * 5000, "1900"])
def test_an_unreadable_period_is_a_message_not_an_error(client, viewer, period):
    client.force_login(viewer)
    response = client.get("/reports/briefing.docx", {"period": period})
    assert response.status_code == 400
    assert "field-error" in response.content.decode()


def test_a_range_that_ends_before_it_starts_is_refused(client, viewer):
    client.force_login(viewer)
    response = client.get(
        "/reports/briefing.docx", {"date_from": "2024-10-01", "date_to": "2024-09-01"}
    )
    assert response.status_code == 400
    assert "开始日期晚于结束日期" in response.content.decode()


# The pack's job ---------------------------------------------------------------------------------


def test_a_pack_is_built_in_the_background_and_waits_for_its_owner(client, viewer, voucher):
    response = ask_for_pack(client, viewer)
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response.url == f"/reports/exports/{job.pk}/"
    assert (job.owner, job.kind, job.status, job.progress) == (
        viewer,
        JobKind.PACK,
        JobStatus.DONE,
        100,
    )
    assert job.title == "考核佐证材料包（2024年度）"
    assert "文件1个" in job.message
    page = client.get(response.url).content.decode()
    assert f"/reports/exports/{job.pk}/download/" in page
    download = client.get(f"/reports/exports/{job.pk}/download/")
    assert download.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))).namelist()
    assert any(name.endswith("/凭证.pdf") for name in names)


def test_the_status_endpoint_reports_progress(client, viewer, reports_root):
    job = finished_job(
        viewer, reports_root, status=JobStatus.RUNNING, progress=42, message="正在导出资金拨付"
    )
    client.force_login(viewer)
    data = client.get(f"/reports/exports/{job.pk}/status.json").json()
    assert data == {
        "status": "running",
        "status_label": "生成中",
        "progress": 42,
        "message": "正在导出资金拨付",
        "active": True,
    }


def test_the_jobs_page_works_without_javascript(client, viewer, reports_root):
    job = finished_job(viewer, reports_root, status=JobStatus.RUNNING, progress=42)
    client.force_login(viewer)
    page = client.get(f"/reports/exports/{job.pk}/").content.decode()
    assert '<progress max="100" value="42"' in page
    assert f'href="/reports/exports/{job.pk}/">刷新</a>' in page  # the manual refresh
    assert "<script>" not in page
    assert "http-equiv" not in page


def test_my_exports_lists_only_my_jobs(client, viewer, editor_b, reports_root):
    finished_job(viewer, reports_root, title="查看者的材料包")
    finished_job(editor_b, reports_root, title="别人的材料包")
    client.force_login(viewer)
    page = client.get("/reports/exports/").content.decode()
    assert "查看者的材料包" in page
    assert "别人的材料包" not in page


def test_a_ledger_admin_sees_and_downloads_every_job(client, viewer, ledger_admin, reports_root):
    job = finished_job(viewer, reports_root, title="查看者的材料包")
    client.force_login(ledger_admin)
    assert "查看者的材料包" in client.get("/reports/exports/").content.decode()
    assert client.get(f"/reports/exports/{job.pk}/download/").status_code == 200


@pytest.mark.parametrize("suffix", ["", "status.json", "download/"])
def test_another_users_job_is_not_found(client, viewer, editor_b, reports_root, suffix):
    job = finished_job(viewer, reports_root)
    client.force_login(editor_b)
    assert client.get(f"/reports/exports/{job.pk}/{suffix}").status_code == 404


def test_a_pack_over_the_size_limit_is_refused_before_it_is_built(
    client, viewer, voucher, settings
):
    settings.REPORTS_PACK_MAX_BYTES = voucher.size - 1
    response = ask_for_pack(client, viewer)
    assert response.status_code == 409
    assert "超过上限" in response.content.decode()
    assert not ExportJob.objects.exists()


def test_a_second_pack_while_the_first_is_built_is_refused(client, viewer, reports_root):
    first = finished_job(viewer, reports_root, status=JobStatus.RUNNING, started_at=timezone.now())
    response = ask_for_pack(client, viewer)
    assert response.status_code == 409
    assert "仍在生成中" in response.content.decode()
    assert list(ExportJob.objects.all()) == [first]


def test_another_user_may_ask_while_my_pack_is_built(client, viewer, editor_a, reports_root):
    finished_job(viewer, reports_root, status=JobStatus.RUNNING, started_at=timezone.now())
    assert ask_for_pack(client, editor_a).status_code == 302


# Failures ----------------------------------------------------------------------------------------


def test_a_failing_build_marks_the_job_failed_and_leaves_no_file(
    client, viewer, voucher, reports_root, monkeypatch
):
    def half_then_fail(scope, *, user, output, progress):
        output.write(b"PK half a zip")
        progress(40, "收集中")
        raise OSError("disk full")

    monkeypatch.setattr(packs, "build_pack", half_then_fail)
    ask_for_pack(client, viewer)
    job = ExportJob.objects.get()
    assert job.status == JobStatus.FAILED
    assert job.message.startswith("生成失败")
    assert not job.result_name
    assert list(reports_root.iterdir()) == []  # the partial file was removed
    assert client.get(f"/reports/exports/{job.pk}/download/").status_code == 404
    # The failed pack does not block the next one.
    monkeypatch.undo()
    assert ask_for_pack(client, viewer).status_code == 302


def test_a_job_whose_worker_died_is_marked_failed(viewer, reports_root, settings):
    started = timezone.now() - timedelta(minutes=settings.REPORTS_JOB_TIMEOUT_MINUTES + 1)
    job = finished_job(
        viewer, reports_root, status=JobStatus.RUNNING, started_at=started, result_name=""
    )
    partial = reports_root / f"{job.pk}-abc.zip.part"
    partial.write_bytes(b"PK half")
    assert services.fail_stale_jobs() == 1
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "后台处理已中断" in job.message
    assert not partial.exists()


def test_a_job_running_within_the_timeout_is_left_alone(viewer, reports_root):
    job = finished_job(viewer, reports_root, status=JobStatus.RUNNING, started_at=timezone.now())
    assert services.fail_stale_jobs() == 0
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING


def test_a_job_already_failed_is_not_run_again(viewer, reports_root):
    job = finished_job(viewer, reports_root, status=JobStatus.FAILED, result_name="")
    services.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED


def test_expired_files_are_deleted(client, viewer, reports_root):
    job = finished_job(viewer, reports_root, expires_at=timezone.now() - timedelta(minutes=1))
    path = reports_root / job.result_name
    client.force_login(viewer)
    assert client.get(f"/reports/exports/{job.pk}/download/").status_code == 404
    call_command("reports_cleanup", stdout=io.StringIO())
    job.refresh_from_db()
    assert job.status == JobStatus.EXPIRED
    assert not path.exists()


# The command line ------------------------------------------------------------------------------


def test_the_command_writes_a_briefing_and_a_pack(tmp_path, viewer, voucher):
    out = io.StringIO()
    call_command("ledger_report", "--period", "2024Q3", "-o", tmp_path / "b.docx", stdout=out)
    assert zipfile.ZipFile(tmp_path / "b.docx").read("word/document.xml")
    call_command(
        "ledger_report",
        "--from", "2024-09-01", "--to", "2024-09-30",
        "--format", "zip", "--user", "viewer",
        "-o", tmp_path / "p.zip",
        stdout=out, stderr=io.StringIO(),
    )  # fmt: skip
    assert any(name.endswith("凭证.pdf") for name in zipfile.ZipFile(tmp_path / "p.zip").namelist())
    assert not list(tmp_path.glob("*.part"))


@pytest.mark.parametrize(
    "args",
    [["--period", "2024Q9"], ["--from", "2024-01-01"], ["--as-of", "2024-02-30"]],
)
def test_the_command_refuses_unreadable_periods(tmp_path, args, db):
    with pytest.raises(CommandError):
        call_command("ledger_report", *args, "-o", tmp_path / "x.docx")
