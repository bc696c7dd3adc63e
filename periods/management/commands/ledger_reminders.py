import datetime

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from periods.reminders import send_reminders


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            _("--date wants YYYY-MM-DD, not %(value)s.") % {"value": repr(value)}
        ) from None


class Command(BaseCommand):
    help = (
        "E-mail each working group's members their group's open items (data-quality findings) "
        "and the reporting periods due. Safe to run often (cron): a group is reminded once a day."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", type=_date, help="Remind as of this day (default today).")

    def handle(self, *args, **options) -> None:
        today = options["date"] or timezone.localdate()
        with translation.override("zh-hans"):
            sent, skipped = send_reminders(today=today)
            for line in sent:
                self.stdout.write(_("sent: %(line)s") % {"line": line})
            for line in skipped:
                self.stdout.write(_("skipped: %(line)s") % {"line": line})
