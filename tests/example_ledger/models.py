from django.db import models
from django.urls import reverse

from evidence.fields import EvidenceRelation
from ledger import permissions
from ledger.fields import MoneyField
from ledger.history import LedgerHistory


class Training(models.Model):
    """A training course a working group ran for local cadres."""

    title = models.CharField("title", max_length=100)
    held_on = models.DateField("held on")
    body = models.ForeignKey(
        "aidledger.Body", on_delete=models.PROTECT, related_name="+", verbose_name="body"
    )
    cost = MoneyField("cost (yuan)")
    notes = models.TextField("notes", blank=True)
    evidence_files = EvidenceRelation()

    history = LedgerHistory(str_related=("body",))

    class Meta:
        verbose_name = "training"
        verbose_name_plural = "trainings"
        ordering = ["-held_on", "pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("training-detail", args=[self.pk])

    def responsible_body_ids(self) -> frozenset[int]:
        return permissions.ids(self.body_id)
