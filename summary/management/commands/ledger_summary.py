import datetime
import json

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from aidledger.models import Batch, Body
from periods import services
from summary.selectors import as_json, briefing, ledger_summary


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            _("--as-of wants a date as YYYY-MM-DD, not %(value)s.") % {"value": repr(value)}
        ) from None


class Command(BaseCommand):
    help = (
        "Print the ledger's summary as of a date (default today), computed from the records: "
        "JSON for scripts, or a short Chinese briefing (--format text)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", type=_date, help="YYYY-MM-DD; the day itself counts.")
        parser.add_argument("--batch", type=int, help="The batch's number (2 for 第二批).")
        parser.add_argument("--body", help="A body's name (产业扶持组) or id, within --batch.")
        parser.add_argument("--format", choices=["json", "text"], default="json")
        parser.add_argument(
            "--as-reported",
            metavar="PERIOD",
            help="Print the JSON kept when the period (2024-09, 2024Q3, 2024) was last approved.",
        )

    def handle(self, *args, **options) -> None:
        if options["as_reported"]:
            self.stdout.write(
                json.dumps(self._reported(options["as_reported"]), ensure_ascii=False, indent=2)
            )
            return
        as_of = options["as_of"] or timezone.localdate()
        batch = self._batch(options["batch"])
        body = self._body(options["body"], batch)
        summary = ledger_summary(as_of=as_of, batch=batch, body=body)
        if options["format"] == "text":
            with translation.override("zh-hans"):
                self.stdout.write(briefing(summary))
        else:
            self.stdout.write(json.dumps(as_json(summary), ensure_ascii=False, indent=2))

    def _reported(self, code: str) -> dict:
        try:
            period = services.period_for(code, create=False)
        except services.TransitionRefused as exc:
            raise CommandError(exc.messages[0]) from None
        snapshot = period.snapshots.order_by("-approved_at", "-pk").first()
        if snapshot is None:
            raise CommandError(
                _("%(period)s has not been approved: nothing was reported.") % {"period": period}
            )
        return snapshot.summary

    def _batch(self, number: int | None) -> Batch | None:
        if number is None:
            return None
        batches = list(Batch.objects.filter(number=number).select_related("programme"))
        if not batches:
            raise CommandError(_("There is no batch number %(number)s.") % {"number": number})
        if len(batches) > 1:
            raise CommandError(
                _("Several programmes have a batch number %(number)s.") % {"number": number}
            )
        return batches[0]

    def _body(self, value: str | None, batch: Batch | None) -> Body | None:
        if not value:
            return None
        bodies = Body.objects.select_related("batch")
        if batch is not None:
            bodies = bodies.filter(batch=batch)
        matches = list(
            bodies.filter(pk=int(value)) if value.isdigit() else bodies.filter(name=value)
        )
        if len(matches) != 1:
            if batch is None:
                message = _(
                    "No single body matches %(value)s; give --batch to choose among batches."
                )
            else:
                message = _("No single body matches %(value)s.")
            raise CommandError(message % {"value": repr(value)})
        return matches[0]
