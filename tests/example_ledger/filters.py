import django_filters

from ledger.filters import DateInput, SearchFilter
from ledger.lookups import LookupFilter
from tests.example_ledger.models import Training


class TrainingFilter(django_filters.FilterSet):
    q = SearchFilter(placeholder="title", fields=("title",))
    body = LookupFilter(lookup="body", label="body", field_name="body")
    held_from = django_filters.DateFilter(
        label="from", field_name="held_on", lookup_expr="gte", widget=DateInput()
    )

    class Meta:
        model = Training
        fields = ["q", "body", "held_from"]
