import axes.apps
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AidLedgerConfig(AppConfig):
    name = "aidledger"
    verbose_name = _("Team")


class LoginThrottleConfig(axes.apps.AppConfig):
    """django-axes (the login throttle) under a name the admin can show in Chinese.

    axes ships no Chinese catalogue; aidledger/third_party_strings.py carries its admin labels
    into ours.
    """

    verbose_name = _("Login throttling")
