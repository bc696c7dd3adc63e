from django.core.management.base import BaseCommand
from django.db import transaction

from aidledger import demo


class Command(BaseCommand):
    help = "Load the demo ledger (the 2024-10-09 report's figures). Safe to run again."

    def handle(self, *args, **options) -> None:
        # One transaction: a failure half-way leaves the database as it was.
        with transaction.atomic():
            counts = demo.load()
        summary = ", ".join(f"{count} {name}" for name, count in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Demo ledger loaded: {summary}."))
