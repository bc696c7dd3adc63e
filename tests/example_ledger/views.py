from django.db.models import QuerySet

from ledger.listing import Column, LedgerListView
from ledger.records import RecordDetailView
from tests.example_ledger.filters import TrainingFilter
from tests.example_ledger.models import Training


class TrainingListView(LedgerListView):
    title = "Trainings"
    filterset_class = TrainingFilter
    default_sort = "-held_on"
    columns = (
        Column("title", "title", "title", sort="title", link=True),
        Column("held_on", "held on", "held_on", sort="held_on", kind="date"),
        Column("body", "body", "body", sort="body__name"),
        Column("cost", "cost (yuan)", "cost", sort="cost", kind="money"),
    )

    def get_queryset(self) -> QuerySet[Training]:
        return Training.objects.select_related("body__batch")


class TrainingDetailView(RecordDetailView):
    model = Training
    list_url_name = "trainings"
    fields = ("title", "held_on", "body", "cost", "notes")

    def get_queryset(self) -> QuerySet[Training]:
        return Training.objects.select_related("body__batch")
