import axes.apps
from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AidLedgerConfig(AppConfig):
    # "aidledger" in INSTALLED_APPS means this one: the module holds other configs too.
    default = True
    name = "aidledger"
    verbose_name = _("Team")

    def ready(self) -> None:
        from django.conf import settings
        from django.db.models.signals import pre_delete

        from aidledger.history import unlink_members_of_deleted_account

        pre_delete.connect(
            unlink_members_of_deleted_account,
            sender=settings.AUTH_USER_MODEL,
            dispatch_uid="aidledger-unlink-members-of-deleted-account",
        )


class LedgerAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the ledger's site (roles decide who enters; see sites.py) and
    the accounts admin that lets ledger admins manage users without making superusers."""

    default = False  # "aidledger" alone still means AidLedgerConfig
    default_site = "aidledger.sites.LedgerAdminSite"

    def ready(self) -> None:
        super().ready()  # autodiscovery: django.contrib.auth.admin registers User here
        from aidledger import accounts_admin  # noqa: F401  (replaces the User admin)


class LoginThrottleConfig(axes.apps.AppConfig):
    """django-axes (the login throttle) under a name the admin can show in Chinese.

    axes ships no Chinese catalogue; aidledger/third_party_strings.py carries its admin labels
    into ours.
    """

    default = False  # installed by its dotted path; "aidledger" alone means AidLedgerConfig
    verbose_name = _("Login throttling")
