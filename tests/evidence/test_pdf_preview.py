"""Issue 18, item 9: a PDF of evidence is previewed on its record's page as a picture of its
first page (Chromium shows no PDF inside a sandboxed frame, and an unsandboxed one would run
the document's scripts in the ledger's origin); the file itself still only downloads."""

import io
import shutil

import pytest
from django.urls import reverse
from PIL import Image

from evidence.models import FileKind
from tests.evidence import samples
from tests.factories import ProjectFactory, make_evidence

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler's pdftoppm"),
]


@pytest.fixture
def project_a(group_a):
    return ProjectFactory(responsible_body=group_a, name="优质肉牛全产业链")


@pytest.fixture
def voucher(project_a, editor_a):
    return make_evidence(
        project_a,
        uploaded_by=editor_a,
        name="资金拨付凭证.pdf",
        content=samples.pdf_page(),
        kind=FileKind.PDF,
        title="拨付凭证",
    )


def test_a_pdf_is_previewed_as_a_picture_of_its_first_page(client, viewer, voucher, evidence_root):
    client.force_login(viewer)
    response = client.get(reverse("evidence-thumbnail", args=[voucher.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    with Image.open(io.BytesIO(b"".join(response.streaming_content))) as page:
        assert page.format == "JPEG"
        assert max(page.size) <= 720
        width, height = page.size
        assert height > width  # the page's own proportions (A6, upright)
        grey = page.convert("L")
        # The dark square is top left; the rest of the page is white.
        assert grey.getpixel((width // 6, height // 6)) < 60
        assert grey.getpixel((width * 5 // 6, height * 5 // 6)) > 200


def test_the_record_page_shows_the_first_page_and_still_offers_the_file(
    client,
    viewer,
    project_a,
    voucher,
):
    client.force_login(viewer)
    html = client.get(project_a.get_absolute_url()).content.decode()
    assert f'src="{reverse("evidence-thumbnail", args=[voucher.pk])}"' in html
    assert f'href="{reverse("evidence-download", args=[voucher.pk])}" download' in html


def test_the_pdf_itself_still_downloads_as_an_attachment(client, viewer, voucher):
    client.force_login(viewer)
    response = client.get(reverse("evidence-download", args=[voucher.pk]), {"inline": "1"})
    assert response["Content-Disposition"].startswith("attachment")


def test_a_pdf_that_cannot_be_read_gets_no_preview(client, viewer, project_a, editor_a):
    broken = make_evidence(
        project_a, uploaded_by=editor_a, name="坏.pdf", content=samples.pdf(), kind=FileKind.PDF
    )
    client.force_login(viewer)
    assert client.get(reverse("evidence-thumbnail", args=[broken.pk])).status_code == 404
    html = client.get(project_a.get_absolute_url()).content.decode()
    assert "坏.pdf" in html


def test_no_role_no_preview(client, no_role_user, voucher):
    client.force_login(no_role_user)
    assert client.get(reverse("evidence-thumbnail", args=[voucher.pk])).status_code in (302, 403)
