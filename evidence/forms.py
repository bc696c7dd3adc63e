"""The upload form, used on a record's page and (as the inline's form) in the admin."""

from __future__ import annotations

from typing import Any

from django import forms

from evidence.files import ACCEPTED, ACCEPTED_EXTENSIONS, Checked, check_upload, max_bytes
from evidence.models import Evidence
from ledger.filters import DateInput


class EvidenceForm(forms.ModelForm):
    """Title, date and file. The file is checked by content (evidence.files); the clean name,
    size and kind it finds are stored with the row, and the uploader is the request's user."""

    class Meta:
        model = Evidence
        fields = ["title", "date", "file"]
        widgets = {
            "date": DateInput(),
            # A plain input: the storage has no URL to show as "currently".
            "file": forms.FileInput(attrs={"accept": ",".join(ACCEPTED_EXTENSIONS)}),
        }
        help_texts = {"file": ACCEPTED}

    def __init__(self, *args: Any, uploader=None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.uploader = uploader
        self.checked: Checked | None = None
        if self.instance.pk and "file" in self.fields:
            # A stored file is never swapped for another: delete it and upload the new one.
            self.fields["file"].disabled = True
            self.fields["file"].required = False

    @property
    def max_bytes(self) -> int:
        return max_bytes()

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if self.instance.pk or upload is None:
            return upload
        self.checked = check_upload(upload, filename=upload.name or "", size=upload.size or 0)
        return upload

    def save(self, commit: bool = True) -> Evidence:
        evidence = super().save(commit=False)
        if self.checked is not None:
            evidence.original_name = self.checked.name
            evidence.size = self.checked.size
            evidence.kind = self.checked.kind
        if not evidence.pk and self.uploader is not None:
            evidence.uploaded_by = self.uploader
        if commit:
            evidence.save()
        return evidence
