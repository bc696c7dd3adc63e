from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from aidledger.models import Programme
from periods import selectors, services


class Command(BaseCommand):
    help = (
        "Reporting periods: list them, or submit, approve, return (--reason) or reopen "
        "(--reason) one, written 2024-09, 2024Q3 or 2024. Exits with status 1 and a message "
        "when the transition is not allowed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["list", *services.MOVES])
        parser.add_argument("period", nargs="?", help="2024-09, 2024Q3 or 2024")
        parser.add_argument("--reason", default="", help="Required to return or reopen.")
        parser.add_argument(
            "--user", help="The account acting (its role is checked; the history names it)."
        )
        parser.add_argument("--programme", help="The programme's name or id (when several).")

    def handle(self, *args, **options) -> None:
        with translation.override("zh-hans"):
            self._handle(options)

    def _handle(self, options) -> None:
        try:
            programme = services.the_programme(self._programme(options["programme"]))
            if options["action"] == "list":
                for period in selectors.periods(programme):
                    approved = ""
                    if period.approved_by_id and period.is_locked:
                        approved = " · " + period.lock_text()
                    self.stdout.write(f"{period.code}\t{period.get_status_display()}{approved}")
                return
            if not options["period"]:
                raise CommandError(_("Name the period: 2024-09, 2024Q3 or 2024."))
            user = self._user(options["user"])
            with transaction.atomic():  # a period first named by a refused step is not kept
                period = services.period_for(options["period"], programme=programme)
                period = services.transition(
                    period, options["action"], user=user, reason=options["reason"]
                )
        except services.TransitionRefused as exc:
            raise CommandError(exc.messages[0]) from None
        except PermissionDenied:
            raise CommandError(
                _("%(user)s may not %(action)s reporting periods.")
                % {"user": options["user"], "action": services.Action(options["action"]).label}
            ) from None
        self.stdout.write(
            self.style.SUCCESS(
                _("%(period)s is now %(status)s.")
                % {"period": period, "status": period.get_status_display()}
            )
        )

    def _user(self, username: str | None):
        if not username:
            return None
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(_("There is no active account %(user)s.") % {"user": username})
        return user

    def _programme(self, value: str | None) -> Programme | None:
        if not value:
            return None
        found = Programme.objects.filter(name=value).first()
        if found is None and value.isdigit() and len(value) < 12:
            found = Programme.objects.filter(pk=int(value)).first()
        if found is None:
            raise CommandError(_("There is no programme %(name)s.") % {"name": value})
        return found
