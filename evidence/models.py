"""Evidence files (佐证材料) attached to ledger records.

Any ledger record (a pairing, exchange, mentorship, project, funding line, disbursement,
indicator, investment lead or sale) may carry several files. A file is tied to its record by
content type and id, so one table serves every ledger; `carriers()` names the models allowed.
The file itself lives in the private `EvidenceStorage` under a generated name; the name the
clerk's computer gave it is kept here and used again for the download.
"""

import uuid

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from evidence.fields import EvidenceRelation
from evidence.storage import evidence_storage
from ledger.constraints import one_of
from ledger.history import LedgerHistory


def carriers() -> frozenset[str]:
    """The ledger records that may carry files ("app_label.model"): the models that declare an
    `EvidenceRelation` (evidence.fields). Reference data (units, members, bodies …) carries
    none: a file proves something was done, and records are what was done."""
    return frozenset(
        model._meta.label_lower
        for model in apps.get_models()
        if any(isinstance(field, EvidenceRelation) for field in model._meta.private_fields)
    )


def carries_evidence(model: type[models.Model] | models.Model) -> bool:
    return model._meta.label_lower in carriers()


def carrier_types() -> Q:
    condition = Q(pk__in=[])
    for label in sorted(carriers()):
        app_label, model = label.split(".")
        condition |= Q(app_label=app_label, model=model)
    return condition


class FileKind(models.TextChoices):
    """The accepted kinds of file, as detected from their content (evidence.files)."""

    JPEG = "jpeg", _("JPEG image")
    PNG = "png", _("PNG image")
    WEBP = "webp", _("WebP image")
    GIF = "gif", _("GIF image")
    PDF = "pdf", _("PDF document")
    DOCX = "docx", _("Word document")
    XLSX = "xlsx", _("Excel workbook")
    DOC = "doc", _("Word 97–2003 document")
    XLS = "xls", _("Excel 97–2003 workbook")


IMAGE_KINDS = frozenset({FileKind.JPEG, FileKind.PNG, FileKind.WEBP, FileKind.GIF})

# The one extension each kind is stored under (the clerk's own name is kept apart).
STORED_EXTENSION = {
    FileKind.JPEG: ".jpg",
    FileKind.PNG: ".png",
    FileKind.WEBP: ".webp",
    FileKind.GIF: ".gif",
    FileKind.PDF: ".pdf",
    FileKind.DOCX: ".docx",
    FileKind.XLSX: ".xlsx",
    FileKind.DOC: ".doc",
    FileKind.XLS: ".xls",
}

CONTENT_TYPE = {
    FileKind.JPEG: "image/jpeg",
    FileKind.PNG: "image/png",
    FileKind.WEBP: "image/webp",
    FileKind.GIF: "image/gif",
    FileKind.PDF: "application/pdf",
    FileKind.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    FileKind.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    FileKind.DOC: "application/msword",
    FileKind.XLS: "application/vnd.ms-excel",
}


def stored_name(evidence: "Evidence", filename: str) -> str:
    """A generated name: year/month/uuid plus the extension of the detected kind.

    Nothing the uploader typed reaches the path; `filename` is ignored on purpose.
    """
    return f"{timezone.now():%Y/%m}/{uuid.uuid4().hex}{STORED_EXTENSION[FileKind(evidence.kind)]}"


class Evidence(models.Model):
    """One file proving a ledger record (佐证材料): a photo, a PDF, a Word or Excel file."""

    content_type = models.ForeignKey(
        ContentType,
        on_delete=models.PROTECT,
        limit_choices_to=carrier_types,
        verbose_name=_("kind of record"),
    )
    object_id = models.PositiveBigIntegerField(_("record id"))
    record = GenericForeignKey("content_type", "object_id")
    title = models.CharField(
        _("title"), max_length=200, help_text=_("What the file shows, e.g. 签约仪式现场照片.")
    )
    date = models.DateField(
        _("date"),
        null=True,
        blank=True,
        help_text=_("When the photo was taken or the document dated."),
    )
    file = models.FileField(
        _("file"), storage=evidence_storage, upload_to=stored_name, max_length=200
    )
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    kind = models.CharField(_("type"), max_length=10, choices=FileKind.choices)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="evidence_uploads",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    # Attaching and deleting a file show in its record's change history (ledger.history).
    history = LedgerHistory(parent="record", hidden=("file", "uploaded_by", "uploaded_at"))

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["-date", "-uploaded_at", "-pk"]
        constraints = [
            one_of("kind", FileKind, name="evidence_kind_valid"),
            models.CheckConstraint(condition=Q(size__gt=0), name="evidence_size_positive"),
        ]
        indexes = [
            # A record's page lists its files: content type + id, newest first.
            models.Index(fields=["content_type", "object_id"], name="evidence_record_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        """Writes the file (FileField.pre_save), then the row; if the row cannot be written,
        the file just stored is removed again, so no file is left without its row."""
        new_file = bool(self.file) and not self.file._committed
        try:
            with transaction.atomic():
                super().save(*args, **kwargs)
        except BaseException:
            if new_file and self.file._committed and self.file.name:
                self.file.storage.delete(self.file.name)
            raise

    def get_absolute_url(self) -> str:
        return reverse("evidence-download", args=[self.pk])

    @property
    def is_image(self) -> bool:
        return self.kind in IMAGE_KINDS

    @property
    def has_preview(self) -> bool:
        """An image's thumbnail, or a PDF's first page (evidence.services.thumbnail_path)."""
        return self.is_image or self.kind == FileKind.PDF

    @property
    def content_type_header(self) -> str:
        return CONTENT_TYPE[FileKind(self.kind)]
