"""The field a ledger record declares to carry evidence files."""

from django.contrib.contenttypes.fields import GenericRelation
from django.db import DEFAULT_DB_ALIAS
from django.db.models import ProtectedError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext


class EvidenceRelation(GenericRelation):
    """A record's evidence files (`record.evidence_files.all()`), and PROTECT for them.

    A plain GenericRelation deletes the files with their record. Files are what an assessment
    checks, so deleting a record that has any is refused instead, with ProtectedError raised
    while Django collects what to delete (before anything is deleted): the admin lists the
    files as what stops the deletion, and code gets the same error as from on_delete=PROTECT.
    Not a database column, so it needs no migration.
    """

    def __init__(self) -> None:
        super().__init__("evidence.Evidence", verbose_name=_("evidence files"))

    def bulk_related_objects(self, objs, using=DEFAULT_DB_ALIAS):
        files = super().bulk_related_objects(objs, using)
        protected = list(files)
        if protected:
            raise ProtectedError(
                ngettext(
                    "%(count)d evidence file belongs to what is being deleted; delete the "
                    "file first.",
                    "%(count)d evidence files belong to what is being deleted; delete the "
                    "files first.",
                    len(protected),
                )
                % {"count": len(protected)},
                set(protected),
            )
        return files
