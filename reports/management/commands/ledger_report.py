import datetime
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from aidledger.models import Batch, Body
from ledger import permissions
from reports.briefing import build_docx, default_title
from reports.pack import Scope, build_pack, estimated_size, over_limit
from reports.periods import DateRange, PeriodError, as_of, between, parse_period


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            _("Dates are YYYY-MM-DD, not %(value)s.") % {"value": repr(value)}
        ) from None


class Command(BaseCommand):
    help = (
        "Write the Word briefing (--format docx) or the assessment pack (--format zip) for a "
        "day (--as-of), a period (--period 2024-09 / 2024Q3 / 2024) or a range (--from/--to)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        when = parser.add_mutually_exclusive_group()
        when.add_argument("--as-of", type=_date, help="YYYY-MM-DD; the day itself counts.")
        when.add_argument("--period", help="2024-09 (a month), 2024Q3 (a quarter), 2024 (a year).")
        when.add_argument("--from", dest="date_from", type=_date, help="With --to: a range.")
        parser.add_argument("--to", dest="date_to", type=_date)
        parser.add_argument("--batch", type=int, help="The batch's number (2 for 第二批).")
        parser.add_argument("--body", help="A working group's name (产业扶持组) or id.")
        parser.add_argument("--format", choices=["docx", "zip"], default="docx")
        parser.add_argument("-o", "--output", required=True, help="The file to write.")
        parser.add_argument(
            "--user",
            help="The pack holds what this account may read (default: the first superuser).",
        )

    def handle(self, *args, **options) -> None:
        with translation.override("zh-hans"):
            self._handle(options)

    def _handle(self, options: dict) -> None:
        scope = Scope(self._range(options), *self._scope(options["batch"], options["body"]))
        output = Path(options["output"])
        partial = output.with_name(output.name + ".part")
        if options["format"] == "docx":
            with partial.open("wb") as file:
                build_docx(scope.figures(), title=scope.title_context(default_title()), output=file)
            partial.replace(output)
            self.stdout.write(_("Wrote %(path)s") % {"path": output})
            return
        user = self._user(options["user"])
        size = estimated_size(scope, user)
        if over_limit(size):
            raise CommandError(
                _("The pack would hold %(size)d bytes of evidence, more than the limit %(limit)d.")
                % {"size": size, "limit": settings.REPORTS_PACK_MAX_BYTES}
            )
        try:
            with partial.open("wb") as file:
                counts = build_pack(
                    scope,
                    user=user,
                    output=file,
                    progress=lambda percent, message: self.stderr.write(f"{percent:3d}% {message}"),
                )
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        partial.replace(output)
        self.stdout.write(
            _(
                "Wrote %(path)s: %(records)d records, %(files)d files, %(missing)d missing on "
                "disk, %(without)d records without evidence."
            )
            % {"path": output, **counts}
        )

    def _range(self, options: dict) -> DateRange:
        try:
            if options["period"]:
                return parse_period(options["period"])
            if options["date_from"] or options["date_to"]:
                if not (options["date_from"] and options["date_to"]):
                    raise CommandError(_("--from and --to go together."))
                return between(options["date_from"], options["date_to"])
            return as_of(options["as_of"] or timezone.localdate())
        except PeriodError as error:
            raise CommandError(str(error)) from None

    def _scope(self, number: int | None, body_value: str | None) -> tuple:
        batch = None
        if number is not None:
            batch = Batch.objects.filter(number=number).first()
            if batch is None:
                raise CommandError(_("There is no batch number %(number)s.") % {"number": number})
        body = None
        if body_value:
            bodies = Body.objects.select_related("batch")
            if batch is not None:
                bodies = bodies.filter(batch=batch)
            matches = list(
                bodies.filter(pk=int(body_value))
                if body_value.isdigit()
                else bodies.filter(name=body_value)
            )
            if len(matches) != 1:
                raise CommandError(
                    _("No single body matches %(value)s.") % {"value": repr(body_value)}
                )
            body = matches[0]
        return batch, body

    def _user(self, username: str | None):
        User = get_user_model()
        if username:
            user = User.objects.filter(username=username).first()
        else:
            user = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
        if user is None or not permissions.can_read(user):
            raise CommandError(_("Give --user, an account that may read the ledger."))
        return user
