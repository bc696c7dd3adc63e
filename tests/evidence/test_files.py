"""An upload is accepted by its content, not its name: every accepted kind passes, and every
way of sneaking something else in is refused with a message that says why."""

import io

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from evidence.files import check_size, check_upload, safe_name
from evidence.models import FileKind
from tests.evidence import samples


def check(name: str, content: bytes):
    return check_upload(io.BytesIO(content), filename=name, size=len(content))


def refusal(name: str, content: bytes) -> ValidationError:
    with pytest.raises(ValidationError) as refused:
        check(name, content)
    return refused.value


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("签约仪式现场照片.jpg", samples.image("JPEG"), FileKind.JPEG),
        ("PHOTO.JPEG", samples.image("JPEG"), FileKind.JPEG),
        ("养殖场.png", samples.image("PNG"), FileKind.PNG),
        ("茶园.webp", samples.image("WEBP"), FileKind.WEBP),
        ("动图.gif", samples.image("GIF"), FileKind.GIF),
        ("帮扶协议.pdf", samples.pdf(), FileKind.PDF),
        ("工作总结.docx", samples.docx(), FileKind.DOCX),
        ("资金明细.xlsx", samples.xlsx(), FileKind.XLSX),
        ("旧版总结.doc", samples.doc(), FileKind.DOC),
        ("旧版明细.xls", samples.xls(), FileKind.XLS),
    ],
)
def test_each_accepted_kind_is_recognised_by_content(name, content, kind):
    checked = check(name, content)
    assert checked.kind == kind
    assert checked.name == name
    assert checked.size == len(content)


def test_program_renamed_as_pdf_is_refused():
    error = refusal("发票.pdf", samples.exe())
    assert error.code == "content"
    assert "发票.pdf" in error.messages[0]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("page.pdf", b"<html><script>alert(1)</script></html>"),
        ("logo.png", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
        ("archive.docx", samples.office_zip("other")),  # a zip, but not a Word file
        ("sheet.xlsx", b"PK\x03\x04 not really a zip"),
        ("old.doc", samples.ole("Something")),  # an OLE file without a Word stream
    ],
)
def test_content_that_is_not_what_the_name_says_is_refused(name, content):
    assert refusal(name, content).code == "content"


@pytest.mark.parametrize(
    "name",
    ["setup.exe", "page.html", "drawing.svg", "notes.txt", "data.csv", "no-extension", "x.pdf.exe"],
)
def test_types_outside_the_allow_list_are_refused(name):
    error = refusal(name, samples.pdf())
    assert error.code == "extension"


def test_extension_must_agree_with_the_content():
    error = refusal("photo.png", samples.image("JPEG"))
    assert error.code == "mismatch"
    assert ".jpg" in error.messages[0]  # tells the clerk what to rename it to


def test_word_file_named_as_excel_is_refused():
    assert refusal("明细.xlsx", samples.docx()).code == "mismatch"


def test_office_files_with_macros_are_refused():
    assert refusal("总结.docx", samples.office_zip("word", macros=True)).code == "macros"


def test_damaged_image_is_refused():
    truncated = samples.image("PNG")[:40]
    assert refusal("照片.png", truncated).code == "image"


def test_image_with_too_many_pixels_is_refused(monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100)
    assert refusal("巨图.png", samples.image("PNG", size=(20, 20))).code == "image_size"


def test_image_over_the_pixel_limit_is_refused_before_it_is_decoded(settings):
    settings.EVIDENCE_MAX_PIXELS = 1_000_000
    error = refusal("大图.png", samples.image("PNG", size=(1001, 1000)))
    assert error.code == "image_pixels"
    assert "1001 × 1000" in error.messages[0]
    assert "1" in error.messages[0]


def test_image_at_the_pixel_limit_is_accepted(settings):
    settings.EVIDENCE_MAX_PIXELS = 1_000_000
    upload = io.BytesIO(samples.image("PNG", size=(1000, 1000)))
    check_upload(upload, filename="图.png", size=len(upload.getvalue()))


def test_empty_file_is_refused():
    assert refusal("空.pdf", b"").code == "empty"


class Unreadable(io.BytesIO):
    def read(self, *args):
        raise AssertionError("the content was read")


def test_size_over_the_limit_is_refused_before_reading_the_content(settings):
    settings.EVIDENCE_MAX_BYTES = 1000
    with pytest.raises(ValidationError) as refused:
        check_upload(Unreadable(), filename="大文件.pdf", size=1001)
    assert refused.value.code == "too_large"
    message = refused.value.messages[0]
    assert "大文件.pdf" in message
    assert "1000" in message.replace(",", "")


def test_size_at_the_limit_is_accepted(settings):
    content = samples.pdf()
    settings.EVIDENCE_MAX_BYTES = len(content)
    check_size(len(content), name="x.pdf")
    assert check("x.pdf", content).kind == FileKind.PDF


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("a/b\\c.jpg", "c.jpg"),
        ("..\\..\\windows\\win.ini.docx", "win.ini.docx"),
        ("/absolute/path/报告.pdf", "报告.pdf"),
        ("..", "file"),
        ("", "file"),
        (".hidden.pdf", "hidden.pdf"),
        ("会议:纪要?.pdf", "会议_纪要_.pdf"),
        ("invoice\u202egpj.exe", "invoicegpj.exe"),  # no right-to-left override tricks
        ("nul\x00byte.pdf", "nulbyte.pdf"),
        ("签约仪式现场照片.jpg", "签约仪式现场照片.jpg"),
    ],
)
def test_file_names_are_reduced_to_a_safe_base_name(raw, safe):
    assert safe_name(raw) == safe


def test_long_file_names_keep_their_extension():
    name = safe_name("很" * 300 + ".pdf")
    assert len(name) == 200
    assert name.endswith("很.pdf")
