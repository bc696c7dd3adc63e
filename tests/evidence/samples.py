"""Small files of every kind the evidence checks meet, made in memory."""

import io
import struct
import zipfile
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def image(fmt: str = "JPEG", size: tuple[int, int] = (800, 600)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(out, fmt)
    return out.getvalue()


def huge_png(width: int = 9450, height: int = 9450, *, mode: str = "1") -> bytes:
    """A blank PNG of many pixels in a small file, written row by row (making it never holds
    the decoded image). mode "RGBA" is the 9450×9450 file of the report: 340 KB, under
    Pillow's decompression-bomb limit, 357 MB once decoded (slow to make: seconds); mode "1"
    (one bit a pixel) has as many pixels and is made in a moment."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    depth, colour, row_bytes = {"1": (1, 0, (width + 7) // 8), "RGBA": (8, 6, width * 4)}[mode]
    compressor = zlib.compressobj(9)
    rows = (b"\0" * (1 + row_bytes)) * 64  # filter byte and blank pixels, 64 rows at a time
    data = b"".join(compressor.compress(rows) for _ in range(height // 64))
    data += compressor.compress(b"\0" * (1 + row_bytes) * (height % 64)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )


def pdf() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )


def office_zip(folder: str, *, macros: bool = False) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{folder}/document.xml", "<document/>")
        if macros:
            archive.writestr(f"{folder}/vbaProject.bin", b"\0" * 16)
    return out.getvalue()


def docx() -> bytes:
    return office_zip("word")


def xlsx() -> bytes:
    return office_zip("xl")


def ole(stream: str) -> bytes:
    """An OLE compound file whose directory (sector 0) holds the root and one stream."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * (512 - 8)

    def entry(name: str) -> bytes:
        encoded = name.encode("utf-16-le") + b"\0\0"
        return (encoded.ljust(64, b"\0") + struct.pack("<H", len(encoded))).ljust(128, b"\0")

    return header + entry("Root Entry") + entry(stream) + b"\0" * 256


def doc() -> bytes:
    return ole("WordDocument")


def xls() -> bytes:
    return ole("Workbook")


def exe() -> bytes:
    return b"MZ\x90\x00\x03\x00\x00\x00" + b"\0" * 120 + b"This program cannot be run in DOS mode."


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def pdf_page() -> bytes:
    """A one-page PDF (A6) with a dark square in its top left quarter: what a scanned voucher
    looks like to the preview."""
    content = b"0 g 20 250 120 120 re f"
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 298 420]/Contents 4 0 R/Resources<<>>>>",
        b"<</Length %d>>stream\n" % len(content) + content + b"\nendstream",
    ]
    out, offsets = io.BytesIO(), []
    out.write(b"%PDF-1.4\n")
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.writelines(b"%010d 00000 n \n" % offset for offset in offsets)
    out.write(
        b"trailer<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()
