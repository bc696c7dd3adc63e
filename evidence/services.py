"""Files on disk beside the rows: thumbnails made on first request, removal after a delete.

(A file is stored under a generated name first, then its row is written; if the row cannot be
written the file is removed again: Evidence.save. A deleted row's file and thumbnail go once
the deletion has committed: evidence.signals.)
"""

from __future__ import annotations

import os
import tempfile
import warnings
from pathlib import Path

from PIL import Image, ImageOps

from evidence.models import Evidence
from evidence.storage import evidence_storage

THUMBNAIL_SIZE = (360, 360)
THUMBNAIL_FOLDER = "thumbnails"


def thumbnail_name(evidence: Evidence) -> str:
    stem = Path(evidence.file.name).stem
    return f"{THUMBNAIL_FOLDER}/{stem}.jpg"


def thumbnail_path(evidence: Evidence) -> Path:
    """The cached thumbnail of an image, made on first request (a JPEG of at most 360×360)."""
    path = Path(evidence_storage.path(thumbnail_name(evidence)))
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o750)
    with evidence_storage.open(evidence.file.name, "rb") as source, warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with Image.open(source) as image:
            image.draft("RGB", THUMBNAIL_SIZE)  # JPEG: decode at a reduced scale, fast
            small = ImageOps.exif_transpose(image)
            small.thumbnail(THUMBNAIL_SIZE)
            small = small.convert("RGB")
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


def remove_files(name: str) -> None:
    """Remove a stored file and its thumbnail (called after the row's deletion committed)."""
    evidence_storage.delete(name)
    thumbnail = f"{THUMBNAIL_FOLDER}/{Path(name).stem}.jpg"
    evidence_storage.delete(thumbnail)
