"""Files on disk beside the rows: thumbnails made on first request, removal after a delete.

(A file is stored under a generated name first, then its row is written; if the row cannot be
written the file is removed again: Evidence.save. A deleted row's file and thumbnail go once
the deletion has committed: evidence.signals.)
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import warnings
from pathlib import Path

from PIL import ExifTags, Image

from evidence.models import Evidence, FileKind
from evidence.storage import evidence_storage

THUMBNAIL_SIZE = (360, 360)
# A PDF's preview: its first page, the long side this many pixels (readable on the page).
PDF_PREVIEW_PIXELS = 720
# poppler's renderer, run on the stored file with a time and memory limit: a PDF that takes
# longer, or fails, gets no preview (and still downloads).
PDF_RENDER_SECONDS = 15
PDF_RENDER_BYTES = 512 * 1024 * 1024
THUMBNAIL_FOLDER = "thumbnails"
# The most a thumbnail may decode, in bytes of pixels after a JPEG's reduced-scale decoding
# (Image.draft): with the worker's own ~65 MB it keeps making a thumbnail under 150 MB. A photo
# (JPEG) of EVIDENCE_MAX_PIXELS decodes at 1/8 scale; a PNG, WebP or GIF decodes at full size,
# so one of more than 16 megapixels in colour (4 bytes a pixel in Pillow; 64 in grey or with
# a palette) gets no thumbnail: the page shows its title instead, and it still downloads.
THUMBNAIL_DECODE_BYTES = 64 * 1024 * 1024
# Rows of the full-size image reduced at a time: about this many bytes each.
STRIPE_BYTES = 4 * 1024 * 1024
# EXIF orientation → the transposition that shows the photo upright (as ImageOps.exif_transpose).
_UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


class NoThumbnail(Exception):
    """The image is too large to decode for a thumbnail within THUMBNAIL_DECODE_BYTES (a file
    stored before EVIDENCE_MAX_PIXELS refused such uploads); the view answers 404, the page
    shows the title in its place, and the file itself still downloads."""


def thumbnail_name(evidence: Evidence) -> str:
    stem = Path(evidence.file.name).stem
    return f"{THUMBNAIL_FOLDER}/{stem}.jpg"


def decoded_bytes(image: Image.Image) -> int:
    """What Pillow allocates to decode `image` at its current (possibly drafted) size."""
    per_pixel = 1 if image.mode in ("1", "L", "P") else 2 if image.mode.startswith("I;16") else 4
    return image.width * image.height * per_pixel


def thumbnail_path(evidence: Evidence) -> Path:
    """The cached thumbnail of an image, made on first request (a JPEG of at most 360×360),
    or a PDF's first page (see _render_first_page).

    Memory stays bounded: a JPEG is decoded at a reduced scale; anything else is decoded once
    at full size only within THUMBNAIL_DECODE_BYTES (else NoThumbnail, before decoding), then
    reduced a stripe at a time, so no second full-size copy is made (mode conversions and
    EXIF rotation happen on the small image).
    """
    path = Path(evidence_storage.path(thumbnail_name(evidence)))
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o750)
    if evidence.kind == FileKind.PDF:
        _render_first_page(Path(evidence_storage.path(evidence.file.name)), path)
        return path
    with evidence_storage.open(evidence.file.name, "rb") as source, warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with Image.open(source) as image:
            image.draft("RGB", THUMBNAIL_SIZE)  # JPEG: decode at a reduced scale, fast
            if decoded_bytes(image) > THUMBNAIL_DECODE_BYTES:
                raise NoThumbnail(
                    f"{image.width}×{image.height} {image.mode} image would take "
                    f"{decoded_bytes(image) // 2**20} MB to decode"
                )
            orientation = image.getexif().get(ExifTags.Base.Orientation)
            small = _reduced(image)
        small.thumbnail(THUMBNAIL_SIZE, reducing_gap=2.0)
        if orientation in _UPRIGHT:
            small = small.transpose(_UPRIGHT[orientation])
        # Written beside the target and renamed, so a reader never sees half a thumbnail.
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".part")
        try:
            with os.fdopen(handle, "wb") as out:
                small.save(out, "JPEG", quality=80)
            os.chmod(temporary, 0o640)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    return path


def _limit_memory() -> None:  # pragma: no cover (runs in the child process)
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (PDF_RENDER_BYTES, PDF_RENDER_BYTES))


def _render_first_page(source: Path, path: Path) -> None:
    """The first page of the PDF `source` as a JPEG at `path` (long side PDF_PREVIEW_PIXELS),
    rendered by poppler's pdftoppm in its own process, limited in time and memory; fonts and
    links are drawn, nothing in the document runs. NoThumbnail when it cannot be made."""
    renderer = shutil.which("pdftoppm")
    if renderer is None:
        raise NoThumbnail("pdftoppm (poppler-utils) is not installed")
    with tempfile.TemporaryDirectory(dir=path.parent) as folder:
        stem = Path(folder) / "page"
        command = [
            renderer,
            "-f", "1", "-l", "1", "-singlefile",
            "-scale-to", str(PDF_PREVIEW_PIXELS),
            "-jpeg", "-jpegopt", "quality=80",
            str(source), str(stem),
        ]  # fmt: skip
        try:
            subprocess.run(  # noqa: S603 (a fixed program on our own stored file)
                command,
                check=True,
                capture_output=True,
                timeout=PDF_RENDER_SECONDS,
                preexec_fn=_limit_memory,  # sets a limit in the child, starts no thread
            )
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            raise NoThumbnail(f"pdftoppm could not render the first page: {exc}") from None
        rendered = stem.with_suffix(".jpg")
        if not rendered.exists():
            raise NoThumbnail("pdftoppm wrote no page")
        os.chmod(rendered, 0o640)
        os.replace(rendered, path)


def _reduced(image: Image.Image) -> Image.Image:
    """`image` as RGB, reduced by a whole factor to no less than twice the thumbnail, one
    stripe of rows at a time: only the stripe is converted (palette, alpha) and averaged."""
    image.load()
    factor = max(1, min(image.width // THUMBNAIL_SIZE[0], image.height // THUMBNAIL_SIZE[1]) // 2)
    if factor == 1:
        return image.convert("RGB")
    rows = factor * max(1, STRIPE_BYTES // (image.width * 4 * factor))
    reduced = Image.new("RGB", (-(-image.width // factor), -(-image.height // factor)))
    for top in range(0, image.height, rows):
        stripe = image.crop((0, top, image.width, min(top + rows, image.height)))
        reduced.paste(stripe.convert("RGB").reduce(factor), (0, top // factor))
    return reduced


def remove_files(name: str) -> None:
    """Remove a stored file and its thumbnail (called after the row's deletion committed)."""
    evidence_storage.delete(name)
    thumbnail = f"{THUMBNAIL_FOLDER}/{Path(name).stem}.jpg"
    evidence_storage.delete(thumbnail)
