"""A deleted evidence row takes its file and thumbnail with it, once the deletion commits (a
rolled-back deletion keeps them). Deleting a record that has files is refused by its
EvidenceRelation (evidence.fields)."""

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from evidence.models import Evidence
from evidence.services import remove_files


@receiver(post_delete, sender=Evidence, dispatch_uid="evidence_remove_files")
def remove_deleted_files(sender, instance: Evidence, **kwargs) -> None:
    name = instance.file.name
    if name:
        transaction.on_commit(lambda: remove_files(name))
