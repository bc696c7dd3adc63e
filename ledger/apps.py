import axes.apps
from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _

from ledger.navigation import Section


class LedgerConfig(AppConfig):
    """The machinery every ledger uses: lists and exports, record pages, lookups, imports,
    change history, roles. It has no models and imports no app of ours: the apps declare
    themselves and it finds them."""

    default = True
    name = "ledger"
    verbose_name = _("Ledger machinery")
    navigation = Section(_("Recent changes"), "changes", "/changes/", order=90)

    def ready(self) -> None:
        from django.contrib.auth import get_user_model

        from ledger import lookups, permissions

        # Accounts, for "changed by" on the recent changes: only for those who may see the
        # list of accounts (usernames and real names), not every reader.
        lookups.register(
            "user",
            lambda: get_user_model().objects.order_by("username", "pk"),
            ("username", "first_name", "last_name"),
            allowed=permissions.can_see_accounts,
        )
        # Every app's imports.py registers its ledgers' import specs (ledger/imports/specs.py),
        # as the admin imports every admin.py: in INSTALLED_APPS order, the order specs() keeps.
        autodiscover_modules("imports")


class LedgerAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the ledger's site (roles decide who enters; see sites.py) and
    the accounts admin that lets ledger admins manage users without making superusers."""

    default = False  # "ledger" alone still means LedgerConfig
    default_site = "ledger.sites.LedgerAdminSite"

    def ready(self) -> None:
        super().ready()  # autodiscovery: django.contrib.auth.admin registers User here
        from ledger import accounts_admin  # noqa: F401  (replaces the User admin)


class LoginThrottleConfig(axes.apps.AppConfig):
    """django-axes (the login throttle) under a name the admin can show in Chinese.

    axes ships no Chinese catalogue; ledger/third_party_strings.py carries its admin labels
    into ours.
    """

    default = False  # installed by its dotted path; "ledger" alone means LedgerConfig
    verbose_name = _("Login throttling")
