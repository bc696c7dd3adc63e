from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AidLedgerConfig(AppConfig):
    name = "aidledger"
    verbose_name = _("Team")


class LedgerAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the ledger's site (roles decide who enters; see sites.py) and
    the accounts admin that lets ledger admins manage users without making superusers."""

    default = False  # "aidledger" alone still means AidLedgerConfig
    default_site = "aidledger.sites.LedgerAdminSite"

    def ready(self) -> None:
        super().ready()  # autodiscovery: django.contrib.auth.admin registers User here
        from aidledger import accounts_admin  # noqa: F401  (replaces the User admin)
