"""Keeping rows and files together.

- A deleted evidence row takes its file and thumbnail with it, once the deletion commits
  (a rolled-back deletion keeps them).
- A ledger record that carries files cannot be deleted: the files are what an assessment
  checks, so they are removed on purpose first (ProtectedError, like on_delete=PROTECT).
"""

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import ProtectedError
from django.db.models.signals import post_delete, pre_delete
from django.dispatch import receiver
from django.utils.translation import gettext

from evidence.models import CARRIERS, Evidence
from evidence.services import remove_files


@receiver(post_delete, sender=Evidence, dispatch_uid="evidence_remove_files")
def remove_deleted_files(sender, instance: Evidence, **kwargs) -> None:
    name = instance.file.name
    if name:
        transaction.on_commit(lambda: remove_files(name))


def refuse_deleting_record_with_files(sender, instance, **kwargs) -> None:
    files = Evidence.objects.filter(
        content_type=ContentType.objects.get_for_model(sender), object_id=instance.pk
    )
    if files.exists():
        raise ProtectedError(
            gettext("“%(record)s” has evidence files; delete them first.") % {"record": instance},
            set(files),
        )


for label in CARRIERS:
    pre_delete.connect(
        refuse_deleting_record_with_files,
        sender=apps.get_model(label),
        dispatch_uid=f"evidence_protect_{label}",
    )
