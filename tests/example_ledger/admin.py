from django.contrib import admin

from aidledger.admin import BodyChoicesMixin
from ledger.admin import LedgerAdmin
from tests.example_ledger.models import Training


@admin.register(Training)
class TrainingAdmin(BodyChoicesMixin, LedgerAdmin):
    list_display = ["title", "held_on", "body", "cost"]
    search_fields = ["title"]
