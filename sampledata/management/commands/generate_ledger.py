import time

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from sampledata.synthetic import FIRST_YEAR, generate


class Command(BaseCommand):
    @property
    def help(self) -> str:
        # Translated when asked (argparse needs a real str, not a lazy one).
        return _(
            "Write a synthetic ledger for measuring speed: N new programmes of Y years each, "
            "with their teams, pairings, exchanges, projects, money, leads and sales (about "
            "4,000 exchanges and 4,000 disbursements per programme-year). Same seed, same rows."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--programmes", type=int, required=True, help=_("Number of programmes.")
        )
        parser.add_argument(
            "--years", type=int, required=True, help=_("Years each programme runs.")
        )
        parser.add_argument("--seed", type=int, default=1, help=_("Seed of the random choices."))

    def handle(self, *args, **options) -> None:
        programmes, years = options["programmes"], options["years"]
        if programmes < 1:
            raise CommandError(_("--programmes must be at least 1."))
        if years < 1:
            raise CommandError(_("--years must be at least 1."))
        if FIRST_YEAR + years - 1 > 2100:  # funding lines' years end there (a constraint)
            raise CommandError(
                _("--years must be at most %(most)s: the ledger's years end in 2100.")
                % {"most": 2100 - FIRST_YEAR + 1}
            )
        self.verbosity = options["verbosity"]
        started = time.monotonic()
        counts = generate(
            programmes=programmes, years=years, seed=options["seed"], progress=self._progress
        )
        elapsed = time.monotonic() - started
        for model, count in counts.items():
            self.stdout.write(f"{capfirst(model._meta.verbose_name_plural)}: {count:,}")
        self.stdout.write(
            self.style.SUCCESS(
                _("Wrote %(rows)s rows in %(seconds).1f s.")
                % {"rows": f"{sum(counts.values()):,}", "seconds": elapsed}
            )
        )

    def _progress(self, done: int, total: int) -> None:
        if self.verbosity > 1:
            message = _("Programme %(done)s of %(total)s written.")
            self.stderr.write(message % {"done": done, "total": total})
