from django.db.models import QuerySet

from ledger.listing import Column, LedgerListView
from ledger.records import RecordDetailView
from tests.example_ledger.filters import TrainingFilter
from tests.example_ledger.models import Training


class TrainingListView(LedgerListView):
    title = "Trainings"
    filterset_class = TrainingFilter
    default_sort = "-held_on"
    # Keys, labels and kinds come from the model's fields (ledger.listing.Column).
    columns = (
        Column("title", sort=True, link=True),
        Column("held_on", sort=True),
        Column("body", sort="body__name"),
        Column("cost", sort=True),
    )

    def get_queryset(self) -> QuerySet[Training]:
        return Training.objects.select_related("body__batch")


class TrainingDetailView(RecordDetailView):
    model = Training
    list_url_name = "trainings"
    fields = ("title", "held_on", "body", "cost", "notes")

    def get_queryset(self) -> QuerySet[Training]:
        return Training.objects.select_related("body__batch")
