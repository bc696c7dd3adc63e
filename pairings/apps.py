from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from ledger.navigation import Link, Section


class PairingsConfig(AppConfig):
    name = "pairings"
    verbose_name = _("Pairings")
    navigation = Section(
        _("Pairings"),
        "pairings",
        "/pairings/",
        (
            Link(_("Pairings"), "pairings"),
            Link(_("Units"), "pairing-units"),
            Link(_("Exchanges"), "exchanges"),
            Link(_("Mentorships"), "mentorships"),
        ),
        order=20,
    )

    def ready(self) -> None:
        from ledger import lookups
        from pairings.models import Unit, UnitKind, UnitSide

        lookups.register(
            "township",
            lambda: Unit.objects.filter(side=UnitSide.HELPED, kind=UnitKind.TOWNSHIP).order_by(
                "name", "pk"
            ),
            ("name", "area"),
        )
