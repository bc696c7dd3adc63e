from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from ledger.navigation import Link, Section


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Projects and funds")
    navigation = Section(
        _("Projects"),
        "projects",
        "/projects/",
        (
            Link(_("Projects"), "projects"),
            Link(_("Funding lines"), "funding"),
            Link(_("Disbursements"), "disbursements"),
            Link(_("Indicators"), "indicators"),
            Link(_("Investment leads"), "leads"),
            Link(_("Consumer-assistance sales"), "sales"),
            Link(_("Outlets"), "outlets"),
        ),
        order=30,
    )

    def ready(self) -> None:
        from ledger import lookups
        from projects.models import Outlet, Segment

        lookups.register(
            "outlet", lambda: Outlet.objects.order_by("name", "pk"), ("name", "operator")
        )
        lookups.register("segment", lambda: Segment.objects.all(), ("name",))
