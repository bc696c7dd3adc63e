from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AidLedgerConfig(AppConfig):
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
