"""Where evidence files live: a private folder, never a URL.

The folder is `settings.EVIDENCE_ROOT` (outside `static/`, `STATIC_ROOT` and any media folder),
read on every access so tests can point it at a temporary folder. The storage has no URL:
files leave it only through `evidence.views`, which check who may see the record.
"""

from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible


@deconstructible(path="evidence.storage.EvidenceStorage")
class EvidenceStorage(FileSystemStorage):
    def __init__(self) -> None:
        # Readable by the server's own account only; nothing else on the machine needs them.
        super().__init__(
            base_url=None, file_permissions_mode=0o640, directory_permissions_mode=0o750
        )

    @property
    def base_location(self) -> Path:
        return Path(settings.EVIDENCE_ROOT)

    @property
    def location(self) -> str:
        return str(Path(settings.EVIDENCE_ROOT).resolve())

    @property
    def base_url(self) -> None:
        return None

    def url(self, name: str | None) -> str:
        raise ValueError("Evidence files have no URL; link to evidence.views instead.")


evidence_storage = EvidenceStorage()
