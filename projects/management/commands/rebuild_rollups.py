from django.core.management.base import BaseCommand, CommandError

from ledger import rollups as machinery
from projects.rollups import ROLLUPS


class Command(BaseCommand):
    help = (
        "Recount the money roll-ups (per funding line, per project, per month × source × "
        "sector × working group) from the records and report any drift; without --check, "
        "write the recount in their place."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--check",
            action="store_true",
            help="only compare; exit with an error when any roll-up differs from its recount",
        )

    def handle(self, *args, check: bool, **options) -> None:
        found = machinery.drift(ROLLUPS)
        for item in found:
            state = (
                "ok"
                if not item.count
                else (
                    f"{item.count} rows drifted ({item.missing} missing, {item.extra} extra, "
                    f"{item.different} different)"
                )
            )
            self.stdout.write(f"{item.name}: {state}")
            for example in item.examples:
                self.stdout.write(f"  {example}")
        drifted = sum(item.count for item in found)
        if check:
            if drifted:
                raise CommandError(f"The roll-ups differ from the records in {drifted} rows.")
            self.stdout.write(self.style.SUCCESS("The roll-ups match the records."))
            return
        machinery.rebuild(ROLLUPS)
        self.stdout.write(self.style.SUCCESS("The roll-ups were rebuilt from the records."))
