from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvidenceConfig(AppConfig):
    name = "evidence"
    verbose_name = _("Evidence files")

    def ready(self) -> None:
        # Signal receivers (file removal, refusing to delete a record that has files) and the
        # system check that keeps the files out of anything served publicly.
        from evidence import checks, signals  # noqa: F401
