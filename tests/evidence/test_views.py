"""Evidence through the site: upload on a record's page by the editors of its group, download
and thumbnails for readers, deletion after a confirmation; refusals store nothing."""

import io
from pathlib import Path
from urllib.parse import quote

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils.html import escape
from PIL import Image, ImageFile

from evidence.models import Evidence, FileKind
from evidence.uploads import OversizeUpload
from tests.evidence import samples
from tests.factories import ProjectFactory, make_evidence

pytestmark = pytest.mark.django_db


@pytest.fixture
def project_a(group_a):
    return ProjectFactory(responsible_body=group_a, name="优质肉牛全产业链")


def upload_url(record) -> str:
    return reverse("evidence-upload", args=[record._meta.label_lower, record.pk])


def post_file(client, record, name: str, content: bytes, **fields):
    data = {
        "evidence-title": "签约仪式现场照片",
        "evidence-date": "2024-05-22",
        "evidence-file": samples.upload(name, content),
        **fields,
    }
    return client.post(upload_url(record), data)


def stored_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# Upload --------------------------------------------------------------------------------------


def test_editor_attaches_a_photo_to_their_groups_project(
    client, editor_a, project_a, evidence_root
):
    client.force_login(editor_a)
    response = post_file(client, project_a, "签约仪式现场照片.jpg", samples.image("JPEG"))
    assert response.status_code == 302
    assert response.url == f"{project_a.get_absolute_url()}#evidence"
    evidence = Evidence.objects.get()
    assert evidence.record == project_a
    assert evidence.original_name == "签约仪式现场照片.jpg"
    assert evidence.kind == FileKind.JPEG
    assert evidence.uploaded_by == editor_a
    assert evidence.size == Path(evidence_root, evidence.file.name).stat().st_size
    assert any("签约仪式现场照片" in message for message in messages_of(response))


def test_stored_name_is_generated_not_taken_from_the_upload(client, editor_a, project_a):
    client.force_login(editor_a)
    post_file(client, project_a, "../../etc/passwd.pdf", samples.pdf())
    evidence = Evidence.objects.get()
    assert evidence.original_name == "passwd.pdf"
    assert "passwd" not in evidence.file.name
    assert ".." not in evidence.file.name
    assert evidence.file.name.endswith(".pdf")
    root = Path(evidence.file.storage.location)
    assert root in Path(evidence.file.path).resolve().parents


def test_editor_of_another_group_cannot_attach_and_nothing_is_stored(
    client, editor_b, project_a, evidence_root
):
    client.force_login(editor_b)
    response = post_file(client, project_a, "照片.jpg", samples.image("JPEG"))
    assert response.status_code == 403
    assert not Evidence.objects.exists()
    assert stored_files(evidence_root) == []


def test_viewer_cannot_attach(client, viewer, project_a):
    client.force_login(viewer)
    assert post_file(client, project_a, "照片.jpg", samples.image()).status_code == 403
    assert client.get(upload_url(project_a)).status_code == 403
    assert not Evidence.objects.exists()


def test_anonymous_upload_goes_to_login(client, project_a):
    response = post_file(client, project_a, "照片.jpg", samples.image())
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert not Evidence.objects.exists()


def test_upload_page_shows_the_form_to_an_editor_of_the_group(client, editor_a, project_a):
    client.force_login(editor_a)
    response = client.get(upload_url(project_a))
    assert response.status_code == 200
    assert b'name="evidence-file"' in response.content


@pytest.mark.parametrize(
    ("record_type", "pk_offset"),
    [("projects.project", 1000), ("aidledger.member", 0), ("auth.user", 0), ("nonsense", 0)],
)
def test_upload_to_an_unknown_or_non_ledger_record_is_not_found(
    client, ledger_admin, project_a, record_type, pk_offset
):
    client.force_login(ledger_admin)
    url = reverse("evidence-upload", args=[record_type, project_a.pk + pk_offset])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("发票.pdf", samples.exe(), "发票.pdf"),
        ("setup.exe", samples.exe(), "setup.exe"),
        ("page.html", b"<html></html>", "page.html"),
        ("photo.png", samples.image("JPEG"), ".jpg"),
    ],
)
def test_refused_upload_says_why_and_stores_nothing(
    client, editor_a, project_a, evidence_root, name, content, words
):
    client.force_login(editor_a)
    response = post_file(client, project_a, name, content)
    assert response.status_code == 200
    errors = response.context["form"].errors["file"]
    assert any(words in error for error in errors)
    assert words in response.content.decode()
    assert not Evidence.objects.exists()
    assert stored_files(evidence_root) == []


def test_upload_over_the_limit_is_refused_with_its_size(
    client, editor_a, project_a, evidence_root, settings
):
    settings.EVIDENCE_MAX_BYTES = 10_000
    client.force_login(editor_a)
    big = samples.pdf() + b"0" * 30_000
    response = post_file(client, project_a, "大文件.pdf", big)
    assert response.status_code == 200
    (error,) = response.context["form"].errors["file"]
    assert "大文件.pdf" in error
    assert "29.4" in error or "29,4" in error  # its real size, though it was not kept
    kept = response.wsgi_request.FILES["evidence-file"]
    assert isinstance(kept, OversizeUpload)  # the upload handler stopped storing it
    assert kept.size == len(big)
    assert not Evidence.objects.exists()
    assert stored_files(evidence_root) == []


def test_upload_without_a_title_keeps_nothing(client, editor_a, project_a, evidence_root):
    client.force_login(editor_a)
    response = post_file(client, project_a, "照片.jpg", samples.image(), **{"evidence-title": ""})
    assert response.status_code == 200
    assert "title" in response.context["form"].errors
    assert not Evidence.objects.exists()
    assert stored_files(evidence_root) == []


def test_upload_without_csrf_token_is_refused(editor_a, project_a):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(editor_a)
    assert post_file(client, project_a, "照片.jpg", samples.image()).status_code == 403
    assert not Evidence.objects.exists()


# Download ------------------------------------------------------------------------------------


def test_download_keeps_the_chinese_file_name(client, viewer, project_a, editor_a):
    content = samples.pdf()
    evidence = make_evidence(
        project_a,
        uploaded_by=editor_a,
        name="帮扶协议（2024）.pdf",
        content=content,
        kind=FileKind.PDF,
    )
    client.force_login(viewer)
    response = client.get(reverse("evidence-download", args=[evidence.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=utf-8''{quote('帮扶协议（2024）.pdf')}" in disposition
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


def test_chinese_name_round_trips_from_upload_to_download(client, editor_a, project_a):
    client.force_login(editor_a)
    content = samples.docx()
    post_file(client, project_a, "平昌县工作总结.docx", content)
    evidence = Evidence.objects.get()
    response = client.get(reverse("evidence-download", args=[evidence.pk]))
    assert quote("平昌县工作总结.docx") in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == content


def test_image_may_open_inline_but_other_files_always_download(client, viewer, project_a, editor_a):
    photo = make_evidence(project_a, uploaded_by=editor_a)
    pdf = make_evidence(
        project_a, uploaded_by=editor_a, name="a.pdf", content=samples.pdf(), kind=FileKind.PDF
    )
    client.force_login(viewer)
    inline = client.get(reverse("evidence-download", args=[photo.pk]) + "?inline=1")
    assert inline["Content-Disposition"].startswith("inline;")
    assert inline["Content-Type"] == "image/jpeg"
    forced = client.get(reverse("evidence-download", args=[pdf.pk]) + "?inline=1")
    assert forced["Content-Disposition"].startswith("attachment;")


def test_download_needs_a_role(client, no_role_user, project_a, editor_a):
    evidence = make_evidence(project_a, uploaded_by=editor_a)
    client.force_login(no_role_user)
    assert client.get(reverse("evidence-download", args=[evidence.pk])).status_code == 403
    assert client.get(reverse("evidence-thumbnail", args=[evidence.pk])).status_code == 403


def test_anonymous_download_goes_to_login(client, project_a, editor_a):
    evidence = make_evidence(project_a, uploaded_by=editor_a)
    response = client.get(reverse("evidence-download", args=[evidence.pk]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_forged_id_is_not_found(client, viewer, project_a, editor_a):
    evidence = make_evidence(project_a, uploaded_by=editor_a)
    client.force_login(viewer)
    for forged in (evidence.pk + 1, 999_999):
        assert client.get(reverse("evidence-download", args=[forged])).status_code == 404
        assert client.get(reverse("evidence-thumbnail", args=[forged])).status_code == 404
        assert client.get(reverse("evidence-delete", args=[forged])).status_code == 404


def test_row_pointing_at_a_missing_record_is_not_found(client, viewer, project_a, editor_a):
    evidence = make_evidence(project_a, uploaded_by=editor_a)
    Evidence.objects.filter(pk=evidence.pk).update(object_id=project_a.pk + 1000)
    client.force_login(viewer)
    assert client.get(reverse("evidence-download", args=[evidence.pk])).status_code == 404


# Thumbnails ----------------------------------------------------------------------------------


def test_thumbnail_is_a_small_jpeg_made_once(client, viewer, project_a, editor_a, evidence_root):
    evidence = make_evidence(
        project_a,
        uploaded_by=editor_a,
        name="大图.png",
        content=samples.image("PNG", (1600, 900)),
        kind=FileKind.PNG,
    )
    client.force_login(viewer)
    url = reverse("evidence-thumbnail", args=[evidence.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    with Image.open(io.BytesIO(b"".join(response.streaming_content))) as thumb:
        assert thumb.format == "JPEG"
        assert max(thumb.size) <= 360
        assert thumb.size[0] == 360  # the long side, proportions kept
    (cached,) = (evidence_root / "thumbnails").iterdir()
    made = cached.stat().st_mtime_ns
    assert client.get(url).status_code == 200
    assert cached.stat().st_mtime_ns == made  # served from the cache, not made again


def test_upload_of_an_image_of_too_many_pixels_is_refused_naming_its_size(
    client, editor_a, project_a, evidence_root
):
    # 9450 × 9450 in 11 KB: under Pillow's decompression-bomb limit, but a gigabyte to show.
    client.force_login(editor_a)
    response = post_file(client, project_a, "巨图.png", samples.huge_png())
    assert response.status_code == 200
    (error,) = response.context["form"].errors["file"]
    assert "9450 × 9450" in error
    assert "89.3" in error
    assert "40" in error  # the limit
    assert "9450 × 9450" in response.content.decode()
    assert not Evidence.objects.exists()
    assert stored_files(evidence_root) == []


def test_image_stored_before_the_pixel_limit_gets_no_thumbnail_and_is_never_decoded(
    client, viewer, project_a, editor_a, evidence_root, monkeypatch
):
    evidence = make_evidence(
        project_a,
        uploaded_by=editor_a,
        name="巨图.png",
        content=samples.huge_png(mode="RGBA"),
        kind=FileKind.PNG,
    )
    decoded = []
    original_load = ImageFile.ImageFile.load
    monkeypatch.setattr(
        ImageFile.ImageFile,
        "load",
        lambda image: decoded.append(image.size) or original_load(image),
    )
    client.force_login(viewer)
    assert client.get(reverse("evidence-thumbnail", args=[evidence.pk])).status_code == 404
    assert decoded == []
    assert not (evidence_root / "thumbnails").exists() or not any(
        (evidence_root / "thumbnails").iterdir()
    )
    # The file itself still downloads.
    assert client.get(reverse("evidence-download", args=[evidence.pk])).status_code == 200


@pytest.mark.parametrize(
    ("mode", "size"), [("P", (4000, 3000)), ("RGBA", (2400, 1800)), ("L", (3000, 4000))]
)
def test_thumbnail_of_a_large_image_is_reduced_a_stripe_at_a_time(
    client, viewer, project_a, editor_a, mode, size
):
    out = io.BytesIO()
    Image.new(mode, size, 7 if mode in ("P", "L") else (200, 120, 40, 255)).save(out, "PNG")
    evidence = make_evidence(
        project_a, uploaded_by=editor_a, name="图.png", content=out.getvalue(), kind=FileKind.PNG
    )
    client.force_login(viewer)
    response = client.get(reverse("evidence-thumbnail", args=[evidence.pk]))
    assert response.status_code == 200
    with Image.open(io.BytesIO(b"".join(response.streaming_content))) as thumb:
        assert thumb.mode == "RGB"
        assert max(thumb.size) == 360
        assert abs(thumb.size[0] / thumb.size[1] - size[0] / size[1]) < 0.02


def test_thumbnail_of_a_document_is_not_found(client, viewer, project_a, editor_a):
    evidence = make_evidence(
        project_a, uploaded_by=editor_a, name="a.pdf", content=samples.pdf(), kind=FileKind.PDF
    )
    client.force_login(viewer)
    assert client.get(reverse("evidence-thumbnail", args=[evidence.pk])).status_code == 404


# Delete --------------------------------------------------------------------------------------


def test_editor_deletes_a_file_after_confirming(
    client, editor_a, project_a, evidence_root, django_capture_on_commit_callbacks
):
    evidence = make_evidence(project_a, uploaded_by=editor_a)
    client.get(reverse("evidence-thumbnail", args=[evidence.pk]))  # not yet logged in: no-op
    client.force_login(editor_a)
    client.get(reverse("evidence-thumbnail", args=[evidence.pk]))
    assert len(stored_files(evidence_root)) == 2  # the file and its thumbnail
    url = reverse("evidence-delete", args=[evidence.pk])
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "签约仪式现场照片" in confirm.content.decode()
    assert Evidence.objects.exists()  # asking deletes nothing
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    assert response.url == f"{project_a.get_absolute_url()}#evidence"
    assert not Evidence.objects.exists()
    assert stored_files(evidence_root) == []


def test_editor_of_another_group_cannot_delete(client, editor_a, editor_b, project_a):
    evidence = make_evidence(project_a, uploaded_by=editor_a)
    client.force_login(editor_b)
    url = reverse("evidence-delete", args=[evidence.pk])
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    assert Evidence.objects.filter(pk=evidence.pk).exists()
    assert Path(evidence.file.path).exists()


def test_viewer_cannot_delete(client, viewer, editor_a, project_a):
    evidence = make_evidence(project_a, uploaded_by=editor_a)
    client.force_login(viewer)
    assert client.post(reverse("evidence-delete", args=[evidence.pk])).status_code == 403
    assert Evidence.objects.exists()


# A record's page -----------------------------------------------------------------------------


def test_project_page_shows_thumbnails_and_document_details(client, viewer, project_a, editor_a):
    photo = make_evidence(project_a, uploaded_by=editor_a)
    document = make_evidence(
        project_a,
        uploaded_by=editor_a,
        name="资金拨付凭证.pdf",
        content=samples.pdf(),
        kind=FileKind.PDF,
        title="拨付凭证",
    )
    client.force_login(viewer)
    html = client.get(project_a.get_absolute_url()).content.decode()
    assert f'src="{reverse("evidence-thumbnail", args=[photo.pk])}"' in html
    assert f'href="{reverse("evidence-download", args=[document.pk])}"' in html
    assert "资金拨付凭证.pdf" in html
    assert "拨付凭证" in html
    assert "editor-a" in html  # who uploaded it
    assert 'name="evidence-file"' not in html  # a viewer gets no upload form
    assert reverse("evidence-delete", args=[photo.pk]) not in html


def test_upload_form_and_delete_links_only_for_the_groups_editors(
    client, editor_a, editor_b, project_a
):
    evidence = make_evidence(project_a, uploaded_by=editor_a)
    client.force_login(editor_a)
    html = client.get(project_a.get_absolute_url()).content.decode()
    assert 'name="evidence-file"' in html
    assert upload_url(project_a) in html
    assert reverse("evidence-delete", args=[evidence.pk]) in html
    client.force_login(editor_b)
    html = client.get(project_a.get_absolute_url()).content.decode()
    assert 'name="evidence-file"' not in html
    assert reverse("evidence-delete", args=[evidence.pk]) not in html


def test_markup_in_a_title_or_file_name_is_shown_escaped(client, editor_a, project_a):
    client.force_login(editor_a)
    post_file(
        client,
        project_a,
        "<img src=x onerror=alert(1)>.pdf",
        samples.pdf(),
        **{"evidence-title": "<script>alert('x')</script>"},
    )
    evidence = Evidence.objects.get()
    html = client.get(project_a.get_absolute_url()).content.decode()
    assert "<script>alert('x')</script>" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "<img src=x" not in html
    assert escape(evidence.original_name) in html
    confirm = client.get(reverse("evidence-delete", args=[evidence.pk])).content.decode()
    assert "<script>alert" not in confirm


def test_record_page_reads_in_english_on_request(client, viewer, group_a):
    from tests.factories import DisbursementFactory

    record = DisbursementFactory(funding__project__responsible_body=group_a)
    client.force_login(viewer)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(record.get_absolute_url()).content.decode()
    assert "Amount (yuan)" in html
    assert "Evidence files" in html
    assert "No evidence files yet." in html
