"""Checking an uploaded file before it is stored: its size, its type read from its content
(never from its name alone), and a name that is safe to show and to offer for download.

Accepted: photos (JPEG, PNG, WebP, GIF — each opened by Pillow), PDF, Word and Excel, both the
current zip-based formats (.docx/.xlsx) and the 97–2003 ones (.doc/.xls). Plain text and CSV
are not: they have no signature to check, and a CSV opened in Excel can carry formulas.
The extension must agree with the content, so a program renamed to .pdf is refused.
"""

from __future__ import annotations

import os
import struct
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

from evidence.models import IMAGE_KINDS, FileKind

EXTENSIONS: dict[FileKind, tuple[str, ...]] = {
    FileKind.JPEG: (".jpg", ".jpeg"),
    FileKind.PNG: (".png",),
    FileKind.WEBP: (".webp",),
    FileKind.GIF: (".gif",),
    FileKind.PDF: (".pdf",),
    FileKind.DOCX: (".docx",),
    FileKind.XLSX: (".xlsx",),
    FileKind.DOC: (".doc",),
    FileKind.XLS: (".xls",),
}
ACCEPTED_EXTENSIONS = tuple(ext for exts in EXTENSIONS.values() for ext in exts)
KIND_OF_EXTENSION = {ext: kind for kind, exts in EXTENSIONS.items() for ext in exts}

ACCEPTED = _("Accepted: photos (JPEG, PNG, WebP, GIF), PDF, Word and Excel files.")

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Pillow's names for the image kinds.
_PILLOW_FORMAT = {
    FileKind.JPEG: "JPEG",
    FileKind.PNG: "PNG",
    FileKind.WEBP: "WEBP",
    FileKind.GIF: "GIF",
}
# Characters Windows refuses in a file name: replaced so the download saves anywhere.
_RESERVED = str.maketrans(dict.fromkeys('<>:"|?*', "_"))
MAX_NAME_LENGTH = 200


@dataclass(frozen=True)
class Checked:
    """What an accepted upload turned out to be."""

    kind: FileKind
    name: str  # safe display name, as the download will be called
    size: int


def max_bytes() -> int:
    return settings.EVIDENCE_MAX_BYTES


def safe_name(raw: str) -> str:
    """The uploader's file name reduced to a plain base name: no folders ("../../x.pdf" and
    "a/b\\\\c.jpg" keep only their last part), no control or direction-override characters, no
    leading dots. Chinese and other letters are kept as they are."""
    name = unicodedata.normalize("NFC", raw or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(char for char in name if unicodedata.category(char)[0] != "C")
    name = name.translate(_RESERVED).strip().lstrip(".").strip()
    if len(name) > MAX_NAME_LENGTH:
        stem, ext = os.path.splitext(name)
        name = stem[: MAX_NAME_LENGTH - len(ext)] + ext
    return name or "file"


def check_size(size: int, *, name: str) -> None:
    """Refuse an empty file or one over EVIDENCE_MAX_BYTES (before its content is read)."""
    if size <= 0:
        raise ValidationError(_("“%(name)s” is empty."), code="empty", params={"name": name})
    if size > max_bytes():
        raise ValidationError(
            _("“%(name)s” is %(size)s; a file may be at most %(limit)s."),
            code="too_large",
            params={
                "name": name,
                "size": filesizeformat(size),
                "limit": filesizeformat(max_bytes()),
            },
        )


def check_upload(upload: IO[bytes], *, filename: str, size: int) -> Checked:
    """Check one uploaded file; raise ValidationError with the clerk's message if refused."""
    name = safe_name(filename)
    check_size(size, name=name)
    extension = os.path.splitext(name)[1].lower()
    named_as = KIND_OF_EXTENSION.get(extension)
    if named_as is None:
        raise ValidationError(
            _("“%(name)s” is not a type of file the ledger accepts. %(accepted)s"),
            code="extension",
            params={"name": name, "accepted": ACCEPTED},
        )
    kind = detect_kind(upload, named_as=named_as)
    if kind is None:
        raise ValidationError(
            _(
                "“%(name)s” is named as a %(kind)s but its content is not one: it may be "
                "damaged, or another type of file renamed. %(accepted)s"
            ),
            code="content",
            params={"name": name, "kind": named_as.label, "accepted": ACCEPTED},
        )
    if kind != named_as:
        raise ValidationError(
            _(
                "“%(name)s” is named as a %(named)s but its content is a %(kind)s; rename it "
                "to %(extension)s and upload it again."
            ),
            code="mismatch",
            params={
                "name": name,
                "named": named_as.label,
                "kind": kind.label,
                "extension": EXTENSIONS[kind][0],
            },
        )
    if kind in IMAGE_KINDS:
        check_image(upload, kind=kind, name=name)
    return Checked(kind=kind, name=name, size=size)


def _head(upload: IO[bytes], length: int = 64) -> bytes:
    upload.seek(0)
    head = upload.read(length)
    upload.seek(0)
    return head


def detect_kind(upload: IO[bytes], *, named_as: FileKind | None = None) -> FileKind | None:
    """The accepted kind the content is, or None. `named_as` only tells a 97–2003 Word file
    from an Excel one when the content is both (never seen, but the container allows it)."""
    head = _head(upload)
    if head.startswith(b"\xff\xd8\xff"):
        return FileKind.JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return FileKind.PNG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return FileKind.GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return FileKind.WEBP
    if head.startswith(b"%PDF-"):
        return FileKind.PDF
    if head.startswith(b"PK\x03\x04"):
        return _office_zip(upload)
    if head.startswith(_OLE):
        return _office_97(upload, named_as=named_as)
    return None


def _office_zip(upload: IO[bytes]) -> FileKind | None:
    """A .docx/.xlsx is a zip holding [Content_Types].xml and a word/ or xl/ folder."""
    try:
        with zipfile.ZipFile(upload) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    finally:
        upload.seek(0)
    if "[Content_Types].xml" not in names:
        return None
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise ValidationError(
            _("Office files with macros are not accepted; save the file without macros."),
            code="macros",
        )
    word = any(name.startswith("word/") for name in names)
    excel = any(name.startswith("xl/") for name in names)
    if word and not excel:
        return FileKind.DOCX
    if excel and not word:
        return FileKind.XLSX
    return None


def _office_97(upload: IO[bytes], *, named_as: FileKind | None) -> FileKind | None:
    """A .doc/.xls is an OLE compound file whose directory names a WordDocument or a
    Workbook stream. Directory entries are 128-byte records starting at multiples of 128,
    with the UTF-16 name first and its length in bytes at offset 64."""
    upload.seek(0)
    content = upload.read()
    upload.seek(0)
    found = set()
    for kind, stream in ((FileKind.DOC, "WordDocument"), (FileKind.XLS, "Workbook")):
        needle = stream.encode("utf-16-le") + b"\0\0"
        length = struct.pack("<H", len(needle))
        start = content.find(needle)
        while start != -1:
            if start % 128 == 0 and content[start + 64 : start + 66] == length:
                found.add(kind)
                break
            start = content.find(needle, start + 1)
    if named_as in found:
        return named_as
    return next(iter(sorted(found)), None)


def max_pixels() -> int:
    return settings.EVIDENCE_MAX_PIXELS


def check_pixels(image: Image.Image, *, name: str) -> None:
    """Refuse an image of more than EVIDENCE_MAX_PIXELS pixels, read from its header (nothing
    is decoded): a small file can hold an image that takes a worker gigabytes to show."""
    width, height = image.size
    if width * height > max_pixels():
        raise ValidationError(
            _(
                "“%(name)s” is %(width)s × %(height)s pixels (%(megapixels)s megapixels); an "
                "image may have at most %(limit)s megapixels. Reduce its size and upload it "
                "again."
            ),
            code="image_pixels",
            params={
                "name": name,
                "width": width,
                "height": height,
                "megapixels": f"{width * height / 1_000_000:.1f}",
                "limit": f"{max_pixels() / 1_000_000:g}",
            },
        )


def check_image(upload: IO[bytes], *, kind: FileKind, name: str) -> None:
    """The image opens in Pillow as the kind its signature says, within EVIDENCE_MAX_PIXELS and
    Pillow's own pixel limit."""
    damaged = ValidationError(
        _("“%(name)s” looks like an image but cannot be read: it may be damaged."),
        code="image",
        params={"name": name},
    )
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            # A "decompression bomb" (a small file of enormous dimensions) is refused, not warned.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                if image.format != _PILLOW_FORMAT[kind]:
                    raise damaged
                check_pixels(image, name=name)
                image.verify()
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise ValidationError(
            _("“%(name)s” has too many pixels to be shown; reduce its size and upload it again."),
            code="image_size",
            params={"name": name},
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, struct.error):
        raise damaged from None
    finally:
        upload.seek(0)
