from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from ledger.navigation import Section


class PeriodsConfig(AppConfig):
    """Reporting periods (报告期): submitted, approved and locked; the summary as reported;
    reminders. Sits above the ledgers (its lock judges their records) and below the summary
    (which reads its periods and provides the snapshot, settings.LEDGER_PERIOD_SNAPSHOT)."""

    name = "periods"
    verbose_name = _("Reporting periods")
    navigation = Section(_("Reporting periods"), "periods", "/periods/", order=80)

    def ready(self) -> None:
        from periods import locks

        locks.connect()
