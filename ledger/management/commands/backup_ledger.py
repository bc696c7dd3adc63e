from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from ledger import backups


class Command(BaseCommand):
    help = (
        "Back up the whole database to a new file: SQLite through its online backup API "
        "(safe while the site serves), PostgreSQL with pg_dump's custom format. "
        "Restore with restore_ledger."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", type=Path, help="the backup file to write (must not exist)")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, path: Path, database: str, **options) -> None:
        try:
            backups.backup(path, using=database)
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        rows = sum(entry["rows"] for entry in backups.ledger_figures(using=database).values())
        name = connections[database].settings_dict["NAME"]
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up {name} ({rows} rows) to {path} ({path.stat().st_size:,} bytes)."
            )
        )
