from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from ledger import backups


class Command(BaseCommand):
    help = (
        "Restore a backup made by backup_ledger into an EMPTY database of the same kind "
        "(a new SQLite file, or a new PostgreSQL database made with createdb)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", type=Path, help="the backup file to restore")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, path: Path, database: str, **options) -> None:
        try:
            backups.restore(path, using=database)
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        rows = sum(entry["rows"] for entry in backups.ledger_figures(using=database).values())
        name = connections[database].settings_dict["NAME"]
        self.stdout.write(self.style.SUCCESS(f"Restored {path} into {name} ({rows} rows)."))
