"""An upload handler that stops storing an evidence file once it passes the size limit.

Without it a 2 GB upload would be written to a temporary file in full before the form could
say "too large". The handler watches file fields whose name starts with "evidence-" (the
upload form's prefix, and the admin inline's): past EVIDENCE_MAX_BYTES it passes no more data
on and hands the form an empty file that knows its real size, so the form refuses it with the
size message. Other uploads are left to Django's own handlers.
"""

import io

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler

FIELD_PREFIX = "evidence-"


class OversizeUpload(UploadedFile):
    """What is left of an upload that passed the limit: its name and its size, no content."""

    def __init__(self, *, name: str, content_type: str, size: int) -> None:
        super().__init__(io.BytesIO(), name=name, content_type=content_type, size=size)


class EvidenceSizeLimitHandler(FileUploadHandler):
    def new_file(self, field_name, file_name, *args, **kwargs) -> None:
        super().new_file(field_name, file_name, *args, **kwargs)
        self.watching = field_name.startswith(FIELD_PREFIX)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if not self.watching:
            return raw_data
        self.received += len(raw_data)
        if self.received > settings.EVIDENCE_MAX_BYTES:
            return None  # the handlers after this one store nothing more of the file
        return raw_data

    def file_complete(self, file_size: int) -> UploadedFile | None:
        if self.watching and self.received > settings.EVIDENCE_MAX_BYTES:
            return OversizeUpload(
                name=self.file_name, content_type=self.content_type, size=self.received
            )
        return None  # the next handler (memory or temporary file) has the whole file
