from django.core.management.base import BaseCommand
from django.db import transaction

from sampledata.demo import pairings, periods, projects, team

# Each demo module has `load() -> dict[str, int]`; later ones build on earlier ones.
DEMO_MODULES = (team, pairings, projects, periods)


class Command(BaseCommand):
    help = "Load the demo ledger (the 2024-10-09 report's figures). Safe to run again."

    def handle(self, *args, **options) -> None:
        counts: dict[str, int] = {}
        # One transaction: a failure half-way leaves the database as it was.
        with transaction.atomic():
            for module in DEMO_MODULES:
                counts |= module.load()
        summary = ", ".join(f"{count} {name}" for name, count in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Demo ledger loaded: {summary}."))
