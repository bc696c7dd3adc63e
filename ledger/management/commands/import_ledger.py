"""Import one ledger's CSV or XLSX file: `manage.py import_ledger exchanges 交流.xlsx`."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ledger.imports.run import run_import
from ledger.imports.specs import specs


class Command(BaseCommand):
    help = (
        "Import a ledger's CSV or XLSX file, all rows or none; prints every error and exits "
        "non-zero if any row fails."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("ledger", choices=sorted(specs()), help="which ledger the file holds")
        parser.add_argument("file", type=Path, help="a .csv or .xlsx file")
        parser.add_argument("--sheet", help="the XLSX sheet to read (default: the first)")
        parser.add_argument(
            "--dry-run", action="store_true", help="check every row and report, write nothing"
        )
        parser.add_argument(
            "--user",
            help="import as this account: only rows it may add or change (default: no limit)",
        )

    def handle(self, *args, ledger: str, file: Path, sheet, dry_run: bool, user, **options):
        spec = specs()[ledger]
        account = None
        if user:
            account = get_user_model().objects.filter(username=user).first()
            if account is None:
                raise CommandError(_("No account named %(user)s.") % {"user": user})
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(str(exc)) from None
        result = run_import(
            spec, data, filename=file.name, sheet=sheet, user=account, dry_run=dry_run
        )
        for warning in result.warnings:
            self.stderr.write(_("Note: %(warning)s") % {"warning": warning})
        if not result.ok:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(
                _("%(count)s error(s); nothing was imported.") % {"count": len(result.errors)}
            )
        counts = result.counts
        if dry_run:
            message = _(
                "Checked (nothing written): %(new)s new, %(updated)s changed, %(unchanged)s same."
            )
        else:
            message = _("Imported: %(new)s new, %(updated)s updated, %(unchanged)s unchanged.")
        self.stdout.write(message % counts)
