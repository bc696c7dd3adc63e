from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from ledger.navigation import Section


class AidLedgerConfig(AppConfig):
    """The team: the programme, its batches, the "1+1+3" bodies and the members."""

    name = "aidledger"
    verbose_name = _("Team")
    navigation = Section(_("Members"), "members", "/members/", order=10)

    def ready(self) -> None:
        from django.conf import settings
        from django.db.models.signals import pre_delete

        from aidledger.filters import batches, bodies
        from aidledger.signals import unlink_members_of_deleted_account
        from ledger import lookups

        pre_delete.connect(
            unlink_members_of_deleted_account,
            sender=settings.AUTH_USER_MODEL,
            dispatch_uid="aidledger-unlink-members-of-deleted-account",
        )
        lookups.register("batch", batches, ("name",))
        lookups.register("body", bodies, ("name", "batch__name"))
        lookups.register(
            "working-group", lambda: bodies(working_groups=True), ("name", "batch__name")
        )
