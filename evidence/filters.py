"""The evidence filter every list of records that carry files may offer (佐证材料)."""

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from evidence.selectors import has_evidence

WITHOUT = "none"
WITH = "some"


class EvidenceFilter(django_filters.ChoiceFilter):
    """`?evidence=none`: the rows without any evidence file; `some`: those with one or more."""

    def filter(self, qs: QuerySet, value: Any) -> QuerySet:
        if value not in (WITHOUT, WITH):
            return qs
        carries = has_evidence(qs.model)
        return qs.filter(carries if value == WITH else ~carries)


def evidence_filter() -> EvidenceFilter:
    """A list's evidence filter, offering "All" first like its other choice filters."""
    return EvidenceFilter(
        label=_("evidence files"),
        choices=[(WITHOUT, _("without evidence files")), (WITH, _("with evidence files"))],
        empty_label=_("All"),
    )
