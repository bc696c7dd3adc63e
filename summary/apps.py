from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from ledger.navigation import Section


class SummaryConfig(AppConfig):
    """The summary as of a date across every ledger: the dashboard, its exports and the
    `ledger_summary` command. No models: it reads the ledgers."""

    name = "summary"
    verbose_name = _("Summary across the ledgers")
    navigation = Section(_("Overview"), "home", "/", order=0)
