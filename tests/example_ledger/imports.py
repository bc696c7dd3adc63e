"""The example ledger's import (README "Adding a ledger", step 5): found by autodiscovery."""

from aidledger.imports import working_group
from ledger.imports.parsers import Date, Money, Text
from ledger.imports.specs import Col, ImportSpec, register
from tests.example_ledger.models import Training

trainings = register(
    ImportSpec(
        name="trainings",
        model=Training,
        title="trainings",
        list_url_name="trainings",
        key=("title", "held_on"),
        body_column="body",
        columns=[
            Col("title", Text(max_length=100, example="农村电商培训"), required=True),
            Col("held_on", Date(), required=True),
            Col("body", working_group(), required=True),
            Col("cost", Money(), required=True),
            Col("notes", Text()),
        ],
        export_queryset=lambda: Training.objects.select_related("body__batch"),
    )
)
