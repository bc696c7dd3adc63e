from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AidLedgerConfig(AppConfig):
    name = "aidledger"
    verbose_name = _("Team")
