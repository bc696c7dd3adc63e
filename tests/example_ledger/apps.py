"""A ledger that exists only for the tests: README "Adding a ledger", followed step by step.

Its strings are plain (no gettext): it is never shown to a user, and its words stay out of the
product's catalogues."""

from django.apps import AppConfig

from ledger.navigation import Link, Section


class ExampleLedgerConfig(AppConfig):
    name = "tests.example_ledger"
    label = "example_ledger"
    verbose_name = "Example ledger"
    navigation = Section(
        "Trainings", "trainings", "/trainings/", (Link("Trainings", "trainings"),), order=80
    )

    def ready(self) -> None:
        from ledger import lookups
        from tests.example_ledger.models import Training

        lookups.register("training", lambda: Training.objects.order_by("title", "pk"), ("title",))
